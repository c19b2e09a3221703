import { monthKey } from '../../../shared/time';
import { Staging, WalletBatch } from './batch';
import { expireDue } from './verbs/expire';
import type { BucketState, HoldRecord, LedgerEntry, WalletSnapshot } from './state';

/**
 * The wallet as of `now`: a new calendar month (account timezone) starts the month-to-date spend
 * from zero. The month never moves backwards here: a timezone change recomputes it under the
 * wallet lock (AccountsService.updateSettings).
 */
export function walletAsOf(wallet: WalletSnapshot, now: Date): WalletSnapshot {
  const clockMonth = monthKey(now, wallet.timezone);
  if (wallet.spentMonth >= clockMonth) return wallet;
  return { ...wallet, spentMonth: clockMonth, spentThisMonth: 0n };
}

/**
 * The working state of one wallet for one batch, from what the batch loaded under the lock.
 * Expired credits are never spendable: they are expired before any operation of the batch,
 * even if the periodic sweep has not reached this wallet yet.
 */
export function openWalletBatch(
  wallet: WalletSnapshot,
  buckets: BucketState[],
  holds: HoldRecord[],
  entriesWithKeys: LedgerEntry[],
  now: Date,
  /** `holds` include every PENDING hold of the wallet (WalletBatch.allPendingHoldsLoaded). */
  allPendingHoldsLoaded = true,
): WalletBatch {
  const current = walletAsOf(wallet, now);
  const spendMonthTurned = current.spentMonth !== wallet.spentMonth && wallet.spentThisMonth > 0n;
  const batch = new WalletBatch(current, buckets, holds, entriesWithKeys, now, spendMonthTurned, allPendingHoldsLoaded);
  if (buckets.some((bucket) => bucket.expiresAt !== null && bucket.expiresAt.getTime() <= now.getTime())) {
    const stage = new Staging(batch);
    expireDue(stage);
    stage.merge();
  }
  return batch;
}
