import type { TransactionKind } from '../domain/kinds';

/** The filters of the `transactions` query and of the CSV export. */
export interface TransactionFilter {
  synfluencerId?: string | null;
  feature?: string | null;
  platform?: string | null;
  automationId?: string | null;
  kinds?: TransactionKind[] | null;
  from?: Date | null;
  to?: Date | null;
}

/**
 * The WHERE conditions of an account's ledger history (`ledger_transaction t`, `?` placeholders),
 * shared by GraphQL `transactions` and `GET /exports/usage.csv`. The caller has checked that the
 * synfluencer is the account's own.
 */
export function transactionFilterSql(accountId: string, filter: TransactionFilter): { conditions: string[]; params: unknown[] } {
  const conditions = ['t.account_id = ?'];
  const params: unknown[] = [accountId];
  const add = (condition: string, value: unknown) => {
    conditions.push(condition);
    params.push(value);
  };
  if (filter.synfluencerId) add('t.synfluencer_id = ?', filter.synfluencerId);
  if (filter.feature) add('t.feature = ?', filter.feature);
  if (filter.platform) add('t.platform = ?', filter.platform);
  if (filter.automationId) add('t.automation_id = ?', filter.automationId);
  if (filter.kinds && filter.kinds.length > 0) add('t.kind = any(?::text[])', filter.kinds);
  if (filter.from) add('t.created_at >= ?', filter.from);
  if (filter.to) add('t.created_at < ?', filter.to);
  return { conditions, params };
}
