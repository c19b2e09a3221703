import type { TestApp } from './app';
import { withSql } from './db';

/** docs/invariants.md #1, #2, #5 and #6 computed with direct SQL, independent of the code under test. */
export async function directInvariantCheck(t: TestApp): Promise<string[]> {
  return withSql(t.dbUrl, async (c) => {
    const problems: string[] = [];
    const rows = await c.query(`
      select w.id, w.balance, w.held,
             (select coalesce(sum(remaining), 0) from credit_bucket b where b.wallet_id = w.id) as buckets,
             (select coalesce(min(remaining), 0) from credit_bucket b where b.wallet_id = w.id) as min_bucket,
             (select coalesce(sum(amount), 0) from ledger_transaction t where t.wallet_id = w.id) as ledger,
             (select coalesce(sum(amount), 0) from hold h where h.wallet_id = w.id and h.status = 'PENDING') as pending
        from wallet w`);
    for (const r of rows.rows) {
      if (BigInt(r.balance) + BigInt(r.held) !== BigInt(r.buckets)) problems.push(`${r.id}: balance+held ${r.balance}+${r.held} != buckets ${r.buckets}`);
      if (BigInt(r.balance) !== BigInt(r.ledger)) problems.push(`${r.id}: balance ${r.balance} != ledger ${r.ledger}`);
      if (BigInt(r.held) !== BigInt(r.pending)) problems.push(`${r.id}: held ${r.held} != pending holds ${r.pending}`);
      if (BigInt(r.balance) < 0n || BigInt(r.min_bucket) < 0n) problems.push(`${r.id}: negative balance or bucket`);
    }
    const caps = await c.query(`
      select a.id, to_char(t.created_at at time zone a.timezone, 'YYYY-MM') as month, -sum(t.amount) as spent, a.monthly_budget_cap as cap
        from ledger_transaction t join account a on a.id = t.account_id
       where a.monthly_budget_cap is not null and t.kind in ('USAGE', 'CAPTURE')
       group by 1, 2, 4 having -sum(t.amount) > a.monthly_budget_cap`);
    for (const r of caps.rows) problems.push(`${r.id}: spent ${r.spent} in ${r.month} above cap ${r.cap}`);
    // Versions: each wallet's ledger versions are distinct and the wallet's version is at least
    // their maximum (a review takes a version with no entry when a setting the wallet shows moved).
    const versions = await c.query(`
      select w.id, w.version, max(t.wallet_version) as max_v, count(*) as n, count(distinct t.wallet_version) as distinct_v
        from wallet w join ledger_transaction t on t.wallet_id = w.id group by w.id, w.version`);
    for (const r of versions.rows) {
      if (BigInt(r.version) < BigInt(r.max_v)) problems.push(`${r.id}: version ${r.version} below its latest transaction's version ${r.max_v}`);
      if (r.n !== r.distinct_v) problems.push(`${r.id}: duplicate transaction versions`);
    }
    return problems;
  });
}

export const micros = (credits: string): bigint => {
  const neg = credits.startsWith('-');
  const [w, f = ''] = credits.replace('-', '').split('.');
  const v = BigInt(w) * 1_000_000n + BigInt(f.padEnd(6, '0'));
  return neg ? -v : v;
};
