import type { TransactionFilterInput } from '../gql/graphql';
import { GraphQLRequestError, type GraphQLErrorShape, type SessionStore } from './session';
import { zonedDay } from './time';

/** The CSV export's query string: exactly the filters of the `transactions` query on screen. */
export function exportQuery(filter: TransactionFilterInput): string {
  const q = new URLSearchParams();
  if (filter.synfluencerId) q.set('synfluencerId', String(filter.synfluencerId));
  if (filter.feature) q.set('feature', filter.feature);
  if (filter.platform) q.set('platform', filter.platform);
  if (filter.automationId) q.set('automationId', filter.automationId);
  if (filter.kinds?.length) q.set('kinds', filter.kinds.join(','));
  if (filter.from) q.set('from', filter.from);
  if (filter.to) q.set('to', filter.to);
  return q.toString();
}

/** The file's name: today's date in the account's timezone, the one its rows' days are counted in. */
export function usageCsvName(now: number, timeZone: string): string {
  return `usage-${zonedDay(now, timeZone)}.csv`;
}

/**
 * Downloads GET /exports/usage.csv with the bearer token (a plain link cannot send it): the
 * answer becomes a Blob and is saved through a temporary object URL.
 */
export async function downloadUsageCsv(session: SessionStore, filter: TransactionFilterInput, timeZone: string): Promise<void> {
  const token = await session.accessToken();
  const res = await fetch(`/exports/usage.csv?${exportQuery(filter)}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { errors?: GraphQLErrorShape[] } | null;
    throw new GraphQLRequestError(body?.errors ?? [{ message: `HTTP ${res.status}`, extensions: { code: res.status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_USER_INPUT' } }]);
  }
  const blob = await res.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = usageCsvName(Date.now(), timeZone);
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
