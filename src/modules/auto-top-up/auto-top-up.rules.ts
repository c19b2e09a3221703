import type { LedgerOperation } from '../ledger/domain/operations';
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
  /** No top-up starts before this (ms since the epoch, database clock) after a failure; null when none waits. */
  retryAfterMs: number | null;
}

/** When the rule is asked, and the account-independent limit it applies. */
export interface TopUpMoment {
  /** The database clock the batch read (its `now`). */
  now: Date;
  /** The month of `now` in the account's timezone ("YYYY-MM"). */
  month: string;
  /** AUTO_TOP_UP_MAX_FAILURES. */
  maxFailures: number;
}

/** Top-ups already started in `month` (a counter of another month counts zero). */
export const startedIn = (settings: TopUpSettings, month: string): number => (settings.monthKey === month ? settings.startedThisMonth : 0);

/**
 * The operations that spend: a charge, a reservation (its credits leave the available balance for
 * a job) and a capture that takes more than its hold held. A refund's debit, an expiry and a plan
 * renewal replacing a larger allocation also lower the balance, but the customer did not spend:
 * charging their card again then (a refund followed at once by a top-up) is never wanted.
 */
const SPENDS: ReadonlySet<LedgerOperation['type']> = new Set(['charge', 'reserve', 'capture']);

/** One applied ledger operation as the rule sees it: what it was, and the wallet before and after. */
export interface BalanceChange {
  operation: LedgerOperation['type'];
  /** A review auto top-up asked for (ReviewOperation.topUpCheck). */
  topUpCheck: boolean;
  before: WalletSnapshot;
  after: WalletSnapshot;
}

/**
 * A top-up starts when a spend lowers the available balance and leaves it below the threshold,
 * and none is in flight for the wallet, the monthly maximum is not reached, fewer than
 * `maxFailures` top-ups have failed in a row since the settings were last saved, and the spacing
 * after the last failure has passed (`retryAfterMs`: a declined card is not tried again at every
 * charge of a pipeline that keeps spending). So one dip below the threshold starts exactly one,
 * however many charges take part in it; a top-up too small to lift the balance over the threshold
 * is followed by another at the next spend, up to the monthly maximum.
 *
 * A balance already below the threshold may have no spend left to cross it: every charge is
 * refused. So a review auto top-up asks for (after its settings or card are saved, or after a
 * charge refused for want of credits) starts one too, on the same conditions, whenever the
 * balance is below the threshold.
 */
export function topUpDue(settings: TopUpSettings, inFlight: boolean, change: BalanceChange, moment: TopUpMoment): boolean {
  if (inFlight || change.after.balance >= settings.threshold) return false;
  if (!(change.topUpCheck || (SPENDS.has(change.operation) && change.after.balance < change.before.balance))) return false;
  if (settings.consecutiveFailures >= moment.maxFailures || waitingAfterFailure(settings, moment.now)) return false;
  return startedIn(settings, moment.month) < settings.monthlyMaximum;
}

/** True while the spacing after a failed top-up lasts: `now` is before `retryAfterMs`. */
export const waitingAfterFailure = (settings: TopUpSettings, now: Date): boolean => settings.retryAfterMs !== null && now.getTime() < settings.retryAfterMs;

/** True once the spacing after a failed top-up has ended (and until a batch clears it). */
export const retryLapsed = (settings: TopUpSettings, now: Date): boolean => settings.retryAfterMs !== null && now.getTime() >= settings.retryAfterMs;

/** Counts a started top-up in the settings' month counter. */
export function countStarted(settings: TopUpSettings, month: string): void {
  settings.startedThisMonth = startedIn(settings, month) + 1;
  settings.monthKey = month;
}
