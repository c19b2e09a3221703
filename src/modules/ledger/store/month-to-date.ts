import type { PoolClient } from 'pg';
import { monthKey, monthStart } from '../../../shared/time';
import { SPEND_KINDS_SQL } from '../domain/kinds';

/**
 * After an account's timezone changed (under `lockWalletOfAccount`): its month boundary moved, so
 * the wallet's month-to-date spend is recomputed from the ledger in the new zone
 * (docs/invariants.md #6). A ledger batch never moves the month backwards on its own.
 */
export async function recomputeMonthToDate(client: PoolClient, walletId: string, timezone: string): Promise<void> {
  // The database clock, as the ledger uses: both must agree on which month it is.
  const clock = await client.query<{ ms: number }>('select (extract(epoch from clock_timestamp()) * 1000)::float8 as ms');
  const month = monthKey(new Date(Number(clock.rows[0].ms)), timezone);
  await client.query(
    `update wallet set spent_month = $1, spent_this_month = coalesce((select -sum(amount) from ledger_transaction
        where wallet_id = $2 and kind in ${SPEND_KINDS_SQL} and created_at >= $3), 0) where id = $2`,
    [month, walletId, monthStart(month, timezone)],
  );
}
