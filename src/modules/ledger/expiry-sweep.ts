import type { Sql } from '../../db/sql';
import { DomainError } from '../../shared/errors';
import type { Logger } from '../../shared/logger';
import type { LedgerOperation } from './domain/operations';

/** Submits an operation to the ledger engine (LedgerEngine.submit). */
type Submit = (walletId: string, operation: LedgerOperation) => Promise<unknown>;

/**
 * Holds and buckets past their time, found without a lock and expired through the engine, which
 * re-checks each under the wallet lock (so each expires once, however many instances sweep).
 * Part of LedgerService.sweep.
 */

/** Releases up to `limit` pending holds past their expiry (oldest first); how many it released. */
export async function expireDueHolds(sql: Sql, submit: Submit, log: Logger, limit: number): Promise<number> {
  const holds = await sql.query<{ id: string; wallet_id: string }>(`select id, wallet_id from hold where status = 'PENDING' and expires_at <= now() order by expires_at limit ?`, [limit]);
  let expired = 0;
  const expireHold = async (hold: { id: string; wallet_id: string }) => {
    try {
      await submit(hold.wallet_id, { type: 'release', holdId: hold.id, expired: true });
      expired++;
    } catch (err) {
      if (!(err instanceof DomainError)) log.error({ err, holdId: hold.id }, 'hold expiry failed');
    }
  };
  await Promise.all(holds.map(expireHold));
  return expired;
}

/** Expires the due buckets of up to `limit` wallets; how many wallets it asked. */
export async function expireDueBuckets(sql: Sql, submit: Submit, log: Logger, limit: number): Promise<number> {
  // Only wallets with a due bucket holding more than the pending holds made before its expiry
  // could need (docs/invariants.md #8): one whose due credits are all held would be picked at
  // every sweep, and enough of them would crowd out the wallets that have credits to expire.
  const wallets = await sql.query<{ wallet_id: string }>(
    `select distinct b.wallet_id from credit_bucket b join wallet w on w.id = b.wallet_id
      where b.remaining > 0 and b.expires_at <= now() and w.balance > 0
        and b.remaining > (select coalesce(sum(h.amount), 0) from hold h where h.wallet_id = b.wallet_id and h.status = 'PENDING' and h.created_at <= b.expires_at)
      limit ?`,
    [limit],
  );
  await Promise.all(wallets.map((row) => submit(row.wallet_id, { type: 'expire' }).catch((err: unknown) => log.error({ err }, 'bucket expiry failed'))));
  return wallets.length;
}
