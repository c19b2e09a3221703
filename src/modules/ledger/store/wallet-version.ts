import type { PoolClient } from 'pg';

/**
 * A change the wallet shows that no ledger entry makes (its budget cap; its timezone, which moves
 * the month-to-date spend and so the status): the next version, in the caller's transaction under
 * `lockWalletOfAccount`. The change and its version commit together, so the realtime poll delivers
 * it even if nothing after the commit runs (docs/invariants.md #5).
 */
export async function advanceWalletVersion(client: PoolClient, walletId: string): Promise<void> {
  await client.query('update wallet set version = version + 1 where id = $1', [walletId]);
}
