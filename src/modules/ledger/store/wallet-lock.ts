import type { PoolClient } from 'pg';
import { WALLET_COLUMNS } from './rows';

/**
 * The wallet row lock: every writer of a wallet's credits, settings that a batch reads (cap,
 * timezone) or rows that must follow commit order (messages, the usage rollup) takes it first.
 * It serializes them across every API instance; after it, every statement of the transaction
 * starts with a fresh snapshot, so what it reads is current and stays so until COMMIT.
 */

/**
 * BEGIN and the locks of a batch's wallets, in ONE round trip (simple protocol, so the ids are
 * inlined; each was checked to be a UUID). Rows are locked in id order, the same order on every
 * instance, so two batches never wait for each other (no deadlock). Only the locked wallet rows
 * are read: a joined row (the account's cap or timezone) would come from the snapshot taken
 * before the lock wait. `skipLocked`: wallets locked elsewhere are left out instead of waited for.
 */
export async function beginAndLockWallets(client: PoolClient, walletIds: readonly string[], extraColumns: readonly string[], skipLocked: boolean): Promise<Map<string, Record<string, unknown>>> {
  const columns = [WALLET_COLUMNS, ...extraColumns.map((name) => `w.${name}`)].join(', ');
  const [, locked] = (await client.query(
    `begin; select ${columns} from wallet w where w.id in (${inlineIds(walletIds)}) order by w.id for update${skipLocked ? ' skip locked' : ''}`,
  )) as unknown as [unknown, { rows: Record<string, unknown>[] }];
  return new Map(locked.rows.map((row) => [row.id as string, row]));
}

/** Which of these wallets exist (a plain read: tells "locked elsewhere" from "not there" after SKIP LOCKED). */
export async function existingWalletIds(client: PoolClient, walletIds: readonly string[]): Promise<Set<string>> {
  const result = await client.query(`select id from wallet where id in (${inlineIds(walletIds)})`);
  return new Set(result.rows.map((row) => row.id as string));
}

const inlineIds = (walletIds: readonly string[]) => walletIds.map((id) => `'${id}'`).join(',');

/**
 * Takes the row lock of an account's wallet inside the caller's transaction (`Sql.withTransaction`)
 * and returns the wallet id, or null when the account has none. Call it first: what the
 * transaction reads afterwards is current under the lock.
 */
export async function lockWalletOfAccount(client: PoolClient, accountId: string): Promise<string | null> {
  const result = await client.query<{ id: string }>('select id from wallet where account_id = $1 for update', [accountId]);
  return result.rows[0]?.id ?? null;
}
