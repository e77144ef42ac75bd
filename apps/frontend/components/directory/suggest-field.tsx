interface Props {
  name: string;
  label: string;
  value: string;
  maxLength: number;
  /** Offered as a datalist: suggestions only, any other value can still be typed. */
  suggestions: readonly string[];
  autoComplete?: string;
  onChange(value: string): void;
}

/** A labelled filter field with suggestions (category, city). */
export function SuggestField({ name, label, value, maxLength, suggestions, autoComplete, onChange }: Props) {
  const id = `search-${name}`;
  const listId = `${name}-suggestions`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={name}
        list={listId}
        value={value}
        maxLength={maxLength}
        placeholder="Toutes"
        autoComplete={autoComplete}
        onChange={(e) => onChange(e.target.value)}
      />
      <datalist id={listId}>
        {suggestions.map((s) => (
          <option key={s} value={s} />
        ))}
      </datalist>
    </div>
  );
}
