const ALL = '';

/** "All synfluencers" or one active persona. */
export function PersonaSelect(props: {
  id: string;
  label: string;
  personas: { id: string; name: string; archived: boolean }[];
  value: string | null;
  onChange: (id: string | null) => void;
  testId?: string;
}) {
  return (
    <label className="inline-field" htmlFor={props.id}>
      <span>{props.label}</span>
      <select id={props.id} data-testid={props.testId} value={props.value ?? ALL} onChange={(e) => props.onChange(e.target.value === ALL ? null : e.target.value)}>
        <option value={ALL}>All synfluencers</option>
        {props.personas
          .filter((p) => !p.archived)
          .map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
      </select>
    </label>
  );
}
