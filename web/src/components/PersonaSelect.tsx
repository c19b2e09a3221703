const ALL = '';

type Persona = { id: string; name: string; handle: string; archived: boolean };

/**
 * Each persona's label: its name, and its handle too where another persona of the account (active
 * or archived) has the same name, so two "Ava"s read "Ava (@ava.fashion)" and "Ava (@ava.travel)".
 */
function labels(personas: Persona[]): Map<string, string> {
  const count = new Map<string, number>();
  const key = (p: Persona) => p.name.trim().toLowerCase();
  for (const p of personas) count.set(key(p), (count.get(key(p)) ?? 0) + 1);
  return new Map(
    personas.map((p) => {
      const details = [...((count.get(key(p)) ?? 0) > 1 ? [`@${p.handle}`] : []), ...(p.archived ? ['archived'] : [])];
      return [p.id, details.length ? `${p.name} (${details.join(', ')})` : p.name];
    }),
  );
}

/**
 * "All synfluencers" or one persona. Active personas are offered; archived ones are listed
 * under "Archived", named "Ava (archived)": all of them where `offerArchived` (a filter of past
 * usage), else only the one selected, so a scope set before the archiving is shown by its name.
 * Personas of the same name are told apart by their handle.
 */
export function PersonaSelect(props: {
  id: string;
  label: string;
  personas: Persona[];
  value: string | null;
  onChange: (id: string | null) => void;
  testId?: string;
  offerArchived?: boolean;
}) {
  const active = props.personas.filter((p) => !p.archived);
  const archived = props.personas.filter((p) => p.archived && (props.offerArchived || p.id === props.value));
  const label = labels(props.personas);
  return (
    <label className="inline-field" htmlFor={props.id}>
      <span>{props.label}</span>
      <select id={props.id} data-testid={props.testId} value={props.value ?? ALL} onChange={(e) => props.onChange(e.target.value === ALL ? null : e.target.value)}>
        <option value={ALL}>All synfluencers</option>
        {active.map((p) => (
          <option key={p.id} value={p.id}>
            {label.get(p.id)}
          </option>
        ))}
        {archived.length > 0 && (
          <optgroup label="Archived">
            {archived.map((p) => (
              <option key={p.id} value={p.id}>
                {label.get(p.id)}
              </option>
            ))}
          </optgroup>
        )}
      </select>
    </label>
  );
}
