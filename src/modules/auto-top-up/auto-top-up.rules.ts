import type { WalletSnapshot } from '../ledger/domain/state';

/**
 * When an automatic top-up starts. Decided by the auto top-up participant after every ledger
 * operation, under the wallet's row lock, so concurrent charges on any instance see the
 * decision of the one before them (docs/invariants.md "One top-up in flight").
 */

/** The enabled settings of an account with a saved card, as a batch loads them. */
export interface TopUpSettings {
  threshold: bigint;
  credits: bigint;
  amountMinor: bigint;
  currency: string;
  packId: string | null;
  monthlyMaximum: number;
  /** The month `startedThisMonth` counts ("YYYY-MM", account timezone). */
  monthKey: string;
  startedThisMonth: number;
  consecutiveFailures: number;
}

/** Top-ups already started in `month` (a counter of another month counts zero). */
export const startedIn = (settings: TopUpSettings, month: string): number => (settings.monthKey === month ? settings.startedThisMonth : 0);

/**
 * A top-up starts when an operation lowers the balance and leaves it below the threshold, and
 * none is in flight for the wallet, the monthly maximum is not reached, and fewer than
 * `maxFailures` top-ups have failed in a row since the settings were last saved. So one dip below
 * the threshold starts exactly one, however many charges take part in it; a top-up too small to
 * lift the balance over the threshold is followed by another at the next spend, up to the monthly
 * maximum.
 */
export function topUpDue(settings: TopUpSettings, inFlight: boolean, before: WalletSnapshot, after: WalletSnapshot, month: string, maxFailures: number): boolean {
  if (inFlight) return false;
  if (after.balance >= before.balance || after.balance >= settings.threshold) return false;
  if (settings.consecutiveFailures >= maxFailures) return false;
  return startedIn(settings, month) < settings.monthlyMaximum;
}

/** Counts a started top-up in the settings' month counter. */
export function countStarted(settings: TopUpSettings, month: string): void {
  settings.startedThisMonth = startedIn(settings, month) + 1;
  settings.monthKey = month;
}
