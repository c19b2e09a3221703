import type { PoolClient } from 'pg';
import { statementName } from '../../../db/sql';
import { idempotencyKeyOf, holdIdOf, type LedgerOperation } from '../domain/operations';
import type { BucketRecord, HoldRecord, LedgerEntry } from '../domain/state';
import { BUCKET_JSON, decodeBucket, decodeEntry, decodeHold, ENTRY_JSON, HOLD_JSON } from './rows';

/** What a batch reads for one locked wallet, besides the wallet row itself. */
export interface LoadedWallet {
  walletId: string;
  /** The account's cap and timezone as WALLET_ACCOUNT_COLUMNS names them (for decodeWallet). */
  accountColumns: { monthly_budget_cap: string | null; timezone: string };
  /** Buckets with credits left. */
  buckets: BucketRecord[];
  /** Entries recorded under the idempotency keys of this wallet's operations. */
  entriesWithKeys: LedgerEntry[];
  /** The holds this wallet's operations settle, and every PENDING one when `allPendingHolds`. */
  holds: HoldRecord[];
  /**
   * Every PENDING hold that may back a due bucket was loaded (those made before the last due
   * expiry; all of them when the batch ends a source, a plan renewal): what a due bucket keeps for
   * holds is then known hold by hold (domain/verbs/expire.ts, docs/invariants.md #8).
   */
  allPendingHolds: boolean;
  /** The database clock, read after the locks: every instance agrees on it. */
  now: Date;
  /** One value per participant `loadColumn`, in registration order (undefined where it has none). */
  participantValues: unknown[];
}

/**
 * The load statement: ONE query for every wallet of the batch, run after the locks. `extraColumns`
 * are the participants' expressions over the wallet `w` and its account `a`; the text depends
 * only on them, so it is a named prepared statement.
 */
export function loadStatementText(extraColumns: readonly (string | undefined)[]): string {
  const extra = extraColumns.map((expression, index) => (expression ? `,\n  ${expression} as participant_${index}` : '')).join('');
  return `select w.id as wallet_id, a.monthly_budget_cap::text as monthly_budget_cap, a.timezone,
  (select coalesce(json_agg(${BUCKET_JSON}), '[]') from credit_bucket b where b.wallet_id = w.id and b.remaining > 0) as buckets,
  -- Idempotency keys travel with their wallet, so each wallet probes only its own keys.
  (select coalesce(json_agg(${ENTRY_JSON}), '[]')
     from unnest($4::uuid[], $2::text[]) k(wallet_id, key)
     join ledger_transaction t on t.account_id = w.account_id and t.idempotency_key = k.key
    where k.wallet_id = w.id) as entries_with_keys,
  d.backing_cutoff is not null as all_pending_holds,
  -- The holds to settle by id, and the pending ones that may back a due bucket (made before the
  -- last due expiry), only when there is one (by the partial index on pending holds).
  (select coalesce(json_agg(${HOLD_JSON}), '[]')
     from (select * from hold where cardinality($3::uuid[]) > 0 and id = any($3::uuid[]) and wallet_id = w.id
           union all
           select * from hold where d.backing_cutoff is not null and wallet_id = w.id and status = 'PENDING' and created_at <= d.backing_cutoff
              and id <> all($3::uuid[])) h) as holds,
  (extract(epoch from clock_timestamp()) * 1000)::float8 as now_ms${extra}
 from wallet w join account a on a.id = w.account_id
 -- The latest expiry among buckets due (a minute ahead of the clock read below, so a bucket that falls
 -- due while this statement runs is covered), or every pending hold when the batch ends a source.
 cross join lateral (select case when $5::uuid[] @> array[w.id] then 'infinity'::timestamptz
                                 else (select max(b.expires_at) from credit_bucket b where b.wallet_id = w.id and b.remaining > 0
                                          and b.expires_at <= clock_timestamp() + interval '1 minute') end as backing_cutoff) d
 where w.id = any($1::uuid[])`;
}

export async function loadWallets(client: PoolClient, text: string, participantCount: number, operations: ReadonlyMap<string, readonly LedgerOperation[]>): Promise<LoadedWallet[]> {
  const walletIds = [...operations.keys()];
  const keyWalletIds: string[] = [];
  const keys: string[] = [];
  const holdIds = new Set<string>();
  const endingSource: string[] = [];
  for (const [walletId, walletOperations] of operations) {
    if (walletOperations.some((operation) => operation.type === 'grant' && operation.replaceSource)) endingSource.push(walletId);
    for (const operation of walletOperations) {
      const key = idempotencyKeyOf(operation);
      if (key) {
        keyWalletIds.push(walletId);
        keys.push(key);
      }
      const holdId = holdIdOf(operation);
      if (holdId) holdIds.add(holdId);
    }
  }
  const result = await client.query({ name: statementName(text), text, values: [walletIds, keys, [...holdIds], keyWalletIds, endingSource] });
  return result.rows.map((row: Record<string, unknown>) => ({
    walletId: row.wallet_id as string,
    accountColumns: { monthly_budget_cap: row.monthly_budget_cap as string | null, timezone: row.timezone as string },
    buckets: (row.buckets as Record<string, unknown>[]).map(decodeBucket),
    entriesWithKeys: (row.entries_with_keys as Record<string, unknown>[]).map(decodeEntry),
    holds: (row.holds as Record<string, unknown>[]).map(decodeHold),
    allPendingHolds: row.all_pending_holds === true,
    now: new Date(Number(row.now_ms)),
    participantValues: Array.from({ length: participantCount }, (_, index) => row[`participant_${index}`]),
  }));
}
