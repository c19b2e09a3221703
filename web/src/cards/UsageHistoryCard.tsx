import { useMemo, useState, type FormEvent } from 'react';
import { useQuery } from '@apollo/client/react';
import { UsageHistoryDocument, UsagePlatformsDocument, type TransactionFilterInput, type TransactionKind } from '../gql/graphql';
import { Pager, useCursorPages } from '../components/CursorPager';
import { Card, Empty, ErrorMessage, FieldError, Loading, useAction } from '../components/ui';
import { downloadUsageCsv } from '../lib/export';
import { formatCredits } from '../lib/money';
import { featureLabel, platformFilter, quantityText } from '../lib/usage-text';
import { useShell } from '../lib/shell';
import { formatDateTime, nextDay, zonedDayStart } from '../lib/time';

const PAGE_SIZE = 20;
/** How far back the known platforms are read: ten years, within usageSummary's 3,700 days. */
const PLATFORMS_SINCE_MS = 3650 * 86_400_000;

const KINDS: { value: TransactionKind; label: string }[] = [
  { value: 'USAGE', label: 'Usage' },
  { value: 'CAPTURE', label: 'Captured hold' },
  { value: 'HOLD', label: 'Hold' },
  { value: 'RELEASE', label: 'Released hold' },
  { value: 'PURCHASE', label: 'Purchase' },
  { value: 'PLAN_ALLOCATION', label: 'Plan allocation' },
  { value: 'PLAN_EXPIRY', label: 'Plan expiry' },
  { value: 'SIGNUP_BONUS', label: 'Sign-up bonus' },
  { value: 'ADMIN_GRANT', label: 'Admin grant' },
  { value: 'ADJUSTMENT', label: 'Adjustment' },
  { value: 'REFUND', label: 'Refund' },
];
const KIND_LABEL = Object.fromEntries(KINDS.map((k) => [k.value, k.label])) as Record<TransactionKind, string>;

interface Filters {
  kind: string;
  feature: string;
  platform: string;
  from: string;
  to: string;
}
const NO_FILTERS: Filters = { kind: '', feature: '', platform: '', from: '', to: '' };

/** The `transactions` filter for the persona scope and the form; dates are whole days in the account's timezone. */
function toFilter(f: Filters, scope: string | null, timeZone: string): TransactionFilterInput {
  return {
    synfluencerId: scope,
    kinds: f.kind ? [f.kind as TransactionKind] : null,
    feature: f.feature || null,
    platform: f.platform.trim() || null,
    from: f.from ? zonedDayStart(f.from, timeZone) : null,
    to: f.to ? zonedDayStart(nextDay(f.to), timeZone) : null,
  };
}

/** Usage history: follows the persona scope, filters, pages by cursor, exports exactly the filtered rows. */
export function UsageHistoryCard() {
  const { me, scope, priceBook, session, display } = useShell();
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const [applied, setApplied] = useState<Filters>(NO_FILTERS);
  const filter = useMemo(() => toFilter(applied, scope, me.timezone), [applied, scope, me.timezone]);
  const filterKey = JSON.stringify(filter);
  const pages = useCursorPages(filterKey); // back to the first page whenever the filter changes
  const { data, error, loading } = useQuery(UsageHistoryDocument, { variables: { first: PAGE_SIZE, after: pages.after, filter } });
  const exporting = useAction((shown: TransactionFilterInput) => downloadUsageCsv(session, shown, me.timezone));
  const conn = data?.transactions;
  const [invalid, setInvalid] = useState<string | null>(null);
  // The platform filter is exact (the API's contract, shared with the CSV export): the field
  // offers the platforms the usage was given with, and a typed one is matched to their spelling.
  const [platformsFrom] = useState(() => new Date(Date.now() - PLATFORMS_SINCE_MS).toISOString());
  const platforms = useQuery(UsagePlatformsDocument, { variables: { from: platformsFrom } });
  const knownPlatforms = useMemo(
    () => (platforms.data?.usageSummary.byPlatform ?? []).flatMap((r) => (r.key === null ? [] : [r.key])),
    [platforms.data],
  );

  /** The form as the filter on screen: what Apply shows and Export downloads, never one without the other. */
  const applyDraft = (): TransactionFilterInput | null => {
    // ISO dates compare as text.
    const problem = draft.from && draft.to && draft.from > draft.to ? 'From must be on or before To.' : null;
    setInvalid(problem);
    if (problem) return null;
    // "Instagram" typed for usage recorded as "instagram": the field shows what is applied.
    const next = { ...draft, platform: platformFilter(draft.platform, knownPlatforms) };
    setDraft(next);
    setApplied(next);
    return toFilter(next, scope, me.timezone);
  };
  const apply = (e: FormEvent) => {
    e.preventDefault();
    applyDraft();
  };
  const exportShown = () => {
    const shown = applyDraft();
    if (shown) void exporting.run(shown);
  };
  const set = (field: keyof Filters) => (e: { target: { value: string } }) => setDraft({ ...draft, [field]: e.target.value });

  return (
    <Card id="usage-history" title="Usage history">
      <form className="filters" onSubmit={apply} aria-label="History filters">
        <label className="field">
          <span>Kind</span>
          <select value={draft.kind} onChange={set('kind')}>
            <option value="">All kinds</option>
            {KINDS.map((k) => (
              <option key={k.value} value={k.value}>
                {k.label}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Feature</span>
          <select value={draft.feature} onChange={set('feature')}>
            <option value="">All features</option>
            {priceBook.features.map((f) => (
              <option key={f.feature} value={f.feature}>
                {f.label}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Platform</span>
          {/* Read again when the field is focused: a platform first used since the page loaded. */}
          <input value={draft.platform} onChange={set('platform')} onFocus={() => void platforms.refetch().catch(() => undefined)} list="history-platforms" autoComplete="off" placeholder="e.g. tiktok" />
          <datalist id="history-platforms">
            {knownPlatforms.map((p) => (
              <option key={p} value={p} />
            ))}
          </datalist>
        </label>
        <label className="field">
          <span>From</span>
          <input type="date" value={draft.from} onChange={set('from')} aria-describedby="history-filter-error" aria-invalid={invalid ? true : undefined} />
        </label>
        <label className="field">
          <span>To</span>
          <input type="date" value={draft.to} onChange={set('to')} aria-describedby="history-filter-error" aria-invalid={invalid ? true : undefined} />
        </label>
        <div className="filter-actions">
          <button type="submit">Apply filters</button>
          <button
            type="button"
            className="link-button"
            onClick={() => {
              setDraft(NO_FILTERS);
              setApplied(NO_FILTERS);
              setInvalid(null);
            }}
          >
            Reset
          </button>
          <button type="button" onClick={exportShown} aria-disabled={exporting.pending} aria-describedby="history-export-hint">
            {exporting.pending ? 'Exporting…' : 'Export CSV'}
          </button>
        </div>
        {/* The file's columns are the API's (createdAt is an RFC 3339 instant in UTC, for partners'
            scripts too, so its header stays): say so here, where the table shows the account's zone. */}
        <p className="hint export-hint" id="history-export-hint" data-testid="export-hint">
          {me.timezone === 'UTC' ? 'Dates are in UTC, in the table and in' : `The table shows dates in ${me.timezone}; in`} the CSV file, createdAt is in UTC (e.g. 2026-03-05T14:30:00.000Z).
        </p>
      </form>
      <FieldError id="history-filter-error" message={invalid} />
      <ErrorMessage error={exporting.error} />
      {!conn ? (
        error ? <ErrorMessage error={error} /> : <Loading />
      ) : conn.edges.length === 0 ? (
        <Empty>No transactions match these filters.</Empty>
      ) : (
        <div className="table-wrap" tabIndex={0} role="region" aria-label="Usage history table" aria-busy={loading}>
          <table className="history">
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Kind</th>
                <th scope="col">Description</th>
                <th scope="col">Persona</th>
                <th scope="col">Feature</th>
                <th scope="col" className="num">
                  Quantity
                </th>
                <th scope="col" className="num">
                  Amount
                </th>
                <th scope="col" className="num">
                  Balance after
                </th>
              </tr>
            </thead>
            <tbody>
              {conn.edges.map(({ node: t }) => (
                <tr key={t.id} data-testid="history-row" data-id={t.id}>
                  <td>{formatDateTime(t.createdAt, me.timezone)}</td>
                  <td>{KIND_LABEL[t.kind]}</td>
                  <td>{t.description}</td>
                  <td>{t.synfluencer ? (t.synfluencer.archived ? `${t.synfluencer.name} (archived)` : t.synfluencer.name) : <span className="muted">—</span>}</td>
                  <td>
                    {t.feature ? featureLabel(t.feature, priceBook.features) : <span className="muted">—</span>}
                    {t.platform && <span className="muted"> · {t.platform}</span>}
                  </td>
                  <td className="num">{quantityText(t.quantity, t.unit) ?? '—'}</td>
                  {/* Exact amounts, every digit the API sent (signed: spend is negative). */}
                  <td className={`num ${t.amount.startsWith('-') ? 'neg' : 'pos'}`}>{formatCredits(t.amount, display)}</td>
                  <td className="num">{formatCredits(t.balanceAfter, display)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager pages={pages} pageInfo={conn?.pageInfo} label="History pages" back="Previous" forward="Next" />
    </Card>
  );
}
