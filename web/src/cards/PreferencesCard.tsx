import { useState } from 'react';
import { useMutation } from '@apollo/client/react';
import { UpdateSettingsDocument } from '../gql/graphql';
import { Card, ErrorMessage, Notice, useAction, useDraft } from '../components/ui';
import { useShell } from '../lib/shell';
import { timeZones } from '../lib/time';

/** Timezone (months and usage buckets are counted in it, so the summary re-buckets) and low-credit emails. */
export function PreferencesCard() {
  const { me } = useShell();
  // Chosen but not saved: a zone saved elsewhere (another tab, an API client) must not overwrite
  // it; otherwise the select follows the saved zone, so Save here never quietly undoes that one.
  const zone = useDraft(me.timezone);
  const timezone = zone.value;
  const [saved, setSaved] = useState<string | null>(null);
  const [update] = useMutation(UpdateSettingsDocument, { refetchQueries: ['UsageSummary', 'UsageHistory', 'WalletDetails'] });
  const saveZone = useAction(async () => {
    await update({ variables: { input: { timezone } } });
    zone.settle();
    setSaved(`Timezone set to ${timezone}.`);
  });
  const toggleEmails = useAction(async (on: boolean) => {
    await update({ variables: { input: { lowCreditEmails: on } } });
    setSaved(on ? 'Low-credit emails are on.' : 'Low-credit emails are off.');
  });
  return (
    <Card id="preferences" title="Preferences">
      <form
        className="row wrap"
        onSubmit={(e) => {
          e.preventDefault();
          if (timezone === me.timezone) return; // nothing to save (the button is aria-disabled, not disabled: it keeps the focus)
          setSaved(null);
          void saveZone.run();
        }}
      >
        <label className="field">
          <span>Timezone</span>
          <select value={timezone} onChange={(e) => zone.edit(e.target.value)} data-testid="timezone">
            {[...new Set([me.timezone, ...timeZones()])].map((z) => (
              <option key={z}>{z}</option>
            ))}
          </select>
        </label>
        <button type="submit" aria-disabled={saveZone.pending || timezone === me.timezone}>
          Save timezone
        </button>
      </form>
      <ErrorMessage error={saveZone.error} />
      <label className="check">
        <input type="checkbox" checked={me.settings.lowCreditEmails} aria-disabled={toggleEmails.pending} onChange={(e) => void toggleEmails.run(e.target.checked)} />
        <span>Email me when credits run low (25 %, 10 % and 0 % left)</span>
      </label>
      <ErrorMessage error={toggleEmails.error} />
      {saved && <Notice tone="success">{saved}</Notice>}
    </Card>
  );
}
