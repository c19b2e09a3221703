const ALL = '';

/**
 * "All synfluencers" or one persona. Active personas are offered; archived ones are listed
 * under "Archived", named "Ava (archived)": all of them where `offerArchived` (a filter of past
 * usage), else only the one selected, so a scope set before the archiving is shown by its name.
 */
export function PersonaSelect(props: {
  id: string;
  label: string;
  personas: { id: string; name: string; archived: boolean }[];
  value: string | null;
  onChange: (id: string | null) => void;
  testId?: string;
  offerArchived?: boolean;
}) {
  const active = props.personas.filter((p) => !p.archived);
  const archived = props.personas.filter((p) => p.archived && (props.offerArchived || p.id === props.value));
  return (
    <label className="inline-field" htmlFor={props.id}>
      <span>{props.label}</span>
      <select id={props.id} data-testid={props.testId} value={props.value ?? ALL} onChange={(e) => props.onChange(e.target.value === ALL ? null : e.target.value)}>
        <option value={ALL}>All synfluencers</option>
        {active.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
        {archived.length > 0 && (
          <optgroup label="Archived">
            {archived.map((p) => (
              <option key={p.id} value={p.id}>
                {`${p.name} (archived)`}
              </option>
            ))}
          </optgroup>
        )}
      </select>
    </label>
  );
}
