import type { Sql } from '../../db/sql';
import { SPEND_KINDS_SQL } from './domain/kinds';

export interface InvariantViolation {
  walletId: string;
  accountId: string;
  /** The number in docs/invariants.md. */
  invariant: number;
  message: string;
}

/**
 * Checks docs/invariants.md #1, #2, #6 and #8 for every wallet (or one account) from the stored
 * rows (`ledgerCheck`, `npm run ledger:verify`). An empty list means the ledger is consistent.
 */
export async function verifyLedger(sql: Sql, accountId?: string): Promise<{ violations: InvariantViolation[]; walletsChecked: number }> {
  const rows = await sql.query(
    `select w.id, w.account_id, w.balance::text, w.held::text,
            coalesce((select sum(remaining) from credit_bucket b where b.wallet_id = w.id), 0)::text as bucket_sum,
            coalesce((select min(remaining) from credit_bucket b where b.wallet_id = w.id), 0)::text as bucket_min,
            coalesce((select sum(amount) from ledger_transaction t where t.wallet_id = w.id), 0)::text as ledger_sum,
            (select coalesce(sum(case when status = 'PENDING' then amount else 0 end), 0) from hold h where h.wallet_id = w.id)::text as pending_holds
       from wallet w join account a on a.id = w.account_id ${accountId ? 'where w.account_id = ?' : ''}`,
    accountId ? [accountId] : [],
  );
  const violations: InvariantViolation[] = [];
  for (const row of rows) {
    const violated = (invariant: number, message: string) => violations.push({ walletId: row.id as string, accountId: row.account_id as string, invariant, message });
    const balance = BigInt(row.balance as string);
    const held = BigInt(row.held as string);
    if (balance + held !== BigInt(row.bucket_sum as string)) violated(1, `balance ${balance} + held ${held} != sum(bucket.remaining) ${row.bucket_sum}`);
    if (balance !== BigInt(row.ledger_sum as string)) violated(1, `balance ${balance} != sum(transaction.amount) ${row.ledger_sum}`);
    if (held !== BigInt(row.pending_holds as string)) violated(1, `held ${held} != sum(pending hold amounts) ${row.pending_holds}`);
    if (balance < 0n) violated(2, `balance ${balance} is negative`);
    if (held < 0n) violated(2, `held ${held} is negative`);
    if (BigInt(row.bucket_min as string) < 0n) violated(2, `a bucket has negative remaining ${row.bucket_min}`);
  }
  violations.push(...(await verifyCaps(sql, accountId)), ...(await verifyNoExpiredSpend(sql, accountId)));
  return { violations, walletsChecked: rows.length };
}

/** #6 from the ledger itself: spend per calendar month (account timezone) <= today's cap. */
async function verifyCaps(sql: Sql, accountId?: string): Promise<InvariantViolation[]> {
  const rows = await sql.query(
    `select w.id, w.account_id, a.monthly_budget_cap::text as cap,
            to_char(t.created_at at time zone a.timezone, 'YYYY-MM') as month,
            (-sum(t.amount))::text as spent
       from ledger_transaction t join wallet w on w.id = t.wallet_id join account a on a.id = w.account_id
      where a.monthly_budget_cap is not null and t.kind in ${SPEND_KINDS_SQL} ${accountId ? 'and w.account_id = ?' : ''}
      group by 1, 2, 3, 4
     having -sum(t.amount) > max(a.monthly_budget_cap)`,
    accountId ? [accountId] : [],
  );
  return rows.map((row) => ({
    walletId: row.id as string,
    accountId: row.account_id as string,
    invariant: 6,
    message: `spent ${row.spent} in ${row.month}, above the cap ${row.cap}`,
  }));
}

/** #8 from the ledger itself: no charge drew a bucket past its expiry (a capture may, for its hold). */
async function verifyNoExpiredSpend(sql: Sql, accountId?: string): Promise<InvariantViolation[]> {
  const rows = await sql.query(
    `select t.wallet_id, t.account_id, t.id as entry_id, b.id as bucket_id, b.expires_at
       from ledger_transaction t
       cross join lateral jsonb_array_elements(t.draws) d
       join credit_bucket b on b.id = (d->>'bucketId')::uuid
      -- Strictly before: a renewal in the charge's own batch ends the bucket at that batch's clock, after the charge drew it.
      where t.kind = 'USAGE' and b.expires_at < t.created_at ${accountId ? 'and t.account_id = ?' : ''}
      limit 1000`,
    accountId ? [accountId] : [],
  );
  return rows.map((row) => ({
    walletId: row.wallet_id as string,
    accountId: row.account_id as string,
    invariant: 8,
    message: `charge ${row.entry_id} drew bucket ${row.bucket_id}, which expired at ${new Date(row.expires_at as string).toISOString()}`,
  }));
}
