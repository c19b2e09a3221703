import { useState } from 'react';
import { useQuery } from '@apollo/client/react';
import { UsageSummaryDocument, type UsageSummaryQuery } from '../gql/graphql';
import { Card, Empty, ErrorMessage, Loading } from '../components/ui';
import { PersonaSelect } from '../components/PersonaSelect';
import { UsageChart } from '../components/UsageChart';
import { formatCount, formatCredits } from '../lib/money';
import { useShell } from '../lib/shell';
import { formatDate, type Period } from '../lib/time';

const PERIODS: { value: Period; label: string }[] = [
  { value: 'DAY', label: 'Day' },
  { value: 'WEEK', label: 'Week' },
  { value: 'MONTH', label: 'Month' },
];

/** Usage summary: Day / Week / Month buckets in the account's timezone, scoped like the top bar. */
export function UsageSummaryCard() {
  const { me, scope, setScope, display } = useShell();
  const [period, setPeriod] = useState<Period>('DAY');
  const { data, previousData, error, loading } = useQuery(UsageSummaryDocument, { variables: { period, synfluencerId: scope } });
  // While another period or scope loads, the previous one stays (marked busy), so the card keeps its
  // height; it is drawn with its own period (`s.period`), not the one being loaded.
  const s = (data ?? previousData)?.usageSummary;
  // The breakdown names an archived persona as the history and the selectors do: "Ava (archived)".
  const archivedIds = new Set(me.synfluencers.filter((p) => p.archived).map((p) => p.id));
  return (
    <Card id="usage-summary" title="Usage summary">
      <div className="toolbar">
        <fieldset className="segmented">
          <legend className="visually-hidden">Period</legend>
          {PERIODS.map((p) => (
            <label key={p.value} className={period === p.value ? 'on' : undefined}>
              <input type="radio" name="summary-period" value={p.value} checked={period === p.value} onChange={() => setPeriod(p.value)} />
              {p.label}
            </label>
          ))}
        </fieldset>
        {/* A filter of past usage: archived personas are offered too. */}
        <PersonaSelect id="summary-scope" label="Scope" personas={me.synfluencers} value={scope} onChange={setScope} testId="summary-scope" offerArchived />
      </div>
      {!s ? (
        error ? <ErrorMessage error={error} /> : <Loading />
      ) : (
        <div aria-busy={loading} data-testid="summary" data-buckets={s.buckets.map((b) => `${b.start}=${b.total}`).join(' ')}>
          <p className="summary-line">
            <strong data-testid="summary-total">{formatCredits(s.total, display)}</strong> spent in <span data-testid="summary-count">{formatCount(s.count)}</span>{' '}
            {s.count === 1 ? 'charge' : 'charges'}
            <span className="muted">
              {' '}
              · {formatDate(s.from, s.timezone)} – {formatDate(new Date(Date.parse(s.to) - 1).toISOString(), s.timezone)} ({s.timezone})
            </span>
          </p>
          <UsageChart buckets={s.buckets} period={s.period} timeZone={s.timezone} display={display} />
          <div className="breakdowns">
            <Breakdown title="By feature" rows={s.byFeature} testId="by-feature" />
            <Breakdown title="By platform" rows={s.byPlatform} testId="by-platform" />
            <Breakdown title="By automation" rows={s.byAutomation} testId="by-automation" />
            <Breakdown title="By persona" rows={s.bySynfluencer.map((r) => (archivedIds.has(r.key ?? '') ? { ...r, label: `${r.label ?? r.key} (archived)` } : r))} testId="by-persona" />
          </div>
        </div>
      )}
    </Card>
  );
}

type Row = UsageSummaryQuery['usageSummary']['byFeature'][number];

function Breakdown({ title, rows, testId }: { title: string; rows: Row[]; testId: string }) {
  const { display } = useShell();
  return (
    <div className="breakdown" data-testid={testId}>
      <h3>{title}</h3>
      {rows.length === 0 ? (
        <Empty>No usage in this range.</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{title.replace('By ', '').replace(/^./, (c) => c.toUpperCase())}</th>
              <th scope="col" className="num">
                Charges
              </th>
              <th scope="col" className="num">
                Spend
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.key ?? '(none)'}>
                <td>{r.label ?? r.key ?? <span className="muted">(none)</span>}</td>
                <td className="num">{formatCount(r.count)}</td>
                <td className="num">{formatCredits(r.total, display)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
