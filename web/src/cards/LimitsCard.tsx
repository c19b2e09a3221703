import { useRef, useState, type FormEvent } from 'react';
import { useMutation } from '@apollo/client/react';
import { UpdateSettingsDocument } from '../gql/graphql';
import { Card, ErrorMessage, FieldError, Notice, useAction, useDraft } from '../components/ui';
import { amountOf, formatCredits, fromMicros, toMicros, validateAmount } from '../lib/money';
import { useShell } from '../lib/shell';

/** Burn alert threshold and monthly budget cap: set, change, clear. */
export function LimitsCard() {
  const { me } = useShell();
  return (
    <Card id="limits" title="Alerts & budget">
      <LimitForm
        field="burnAlertThreshold"
        label="Burn alert threshold"
        help="A message when this month’s spend reaches this amount."
        current={me.settings.burnAlertThreshold ?? null}
        allowZero={false}
      />
      <LimitForm
        field="monthlyBudgetCap"
        label="Monthly budget cap"
        help="Charges that would take this month’s spend past the cap are refused."
        current={me.settings.monthlyBudgetCap ?? null}
        allowZero
      />
    </Card>
  );
}

function LimitForm(props: { field: 'burnAlertThreshold' | 'monthlyBudgetCap'; label: string; help: string; current: string | null; allowZero: boolean }) {
  const { display } = useShell();
  const id = `limit-${props.field}`;
  // Typed but not saved: a value saved elsewhere (another tab, an API client) must not overwrite it.
  const text = useDraft(props.current ?? '');
  const [invalid, setInvalid] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [update] = useMutation(UpdateSettingsDocument);
  const input = useRef<HTMLInputElement>(null);
  const save = useAction(async (value: string | null) => {
    await update({ variables: { input: { [props.field]: value } } });
    text.settle();
    // The amount as parsed, not as typed: "00012.5" was saved as 12.5, shown $12.50.
    setSaved(value === null ? `${props.label} cleared.` : `${props.label} set to ${formatCredits(fromMicros(toMicros(value)), display)}.`);
    return true;
  });
  // Cleared, the Clear button goes with the focus: the field takes it, ready for a new value.
  const clear = async () => {
    setInvalid(null);
    setSaved(null);
    if (await save.run(null)) input.current?.focus();
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSaved(null);
    const problem = validateAmount(text.value, { allowZero: props.allowZero });
    setInvalid(problem);
    if (!problem) void save.run(amountOf(text.value));
  };
  return (
    <form className="limit" onSubmit={submit} noValidate>
      <label className="field" htmlFor={id}>
        <span>{props.label}</span>
        <input
          id={id}
          ref={input}
          inputMode="decimal"
          value={text.value}
          onChange={(e) => text.edit(e.target.value)}
          placeholder="Off"
          aria-describedby={`${id}-help ${id}-error`}
          aria-invalid={invalid ? true : undefined}
        />
      </label>
      <p className="hint" id={`${id}-help`}>
        {props.help} Now: {props.current === null ? 'off' : formatCredits(props.current, display)}.
      </p>
      <FieldError id={`${id}-error`} message={invalid} />
      <ErrorMessage error={save.error} />
      {saved && <Notice tone="success">{saved}</Notice>}
      <div className="row">
        <button type="submit" aria-disabled={save.pending}>
          Save {props.label.toLowerCase()}
        </button>
        {props.current !== null && (
          <button
            type="button"
            className="link-button"
            aria-disabled={save.pending}
            onClick={() => void clear()}
          >
            Clear {props.label.toLowerCase()}
          </button>
        )}
      </div>
    </form>
  );
}
