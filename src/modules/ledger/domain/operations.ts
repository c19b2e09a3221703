import type { CreditSource, TransactionKind } from './kinds';
import type { UsageDetails } from './state';

/**
 * The operations a wallet's batch applies, one per ledger verb. Each is applied by the pure
 * function of the same name in domain/verbs/, under the wallet's row lock.
 */

/** Spend `amount` now. */
export interface ChargeOperation {
  type: 'charge';
  amount: bigint;
  idempotencyKey: string;
  requestHash: string;
  usage: UsageDetails;
  description: string;
}

/**
 * Move `amount` from balance to held for `expiresInMs`, counted from the batch's clock (the
 * database's), the clock its expiry is checked with.
 */
export interface ReserveOperation {
  type: 'reserve';
  amount: bigint;
  idempotencyKey: string;
  requestHash: string;
  usage: UsageDetails;
  expiresInMs: number;
  description: string;
}

/**
 * Settle a pending hold: return all it held, then spend the actual `amount` (which may be more,
 * or 0). With a key, a retry replays the original CAPTURE entry instead of HOLD_NOT_PENDING.
 */
export interface CaptureOperation {
  type: 'capture';
  holdId: string;
  amount: bigint;
  quantity: number | null;
  /** The feature's unit, recorded with the quantity as a charge records it ("second"). */
  unit: string | null;
  description: string;
  metadata: Record<string, unknown> | null;
  idempotencyKey?: string | null;
  requestHash?: string | null;
}

/**
 * Return everything a pending hold held; `expired` when its time ran out. With a key, a retry
 * replays the original RELEASE entry instead of HOLD_NOT_PENDING.
 */
export interface ReleaseOperation {
  type: 'release';
  holdId: string;
  expired: boolean;
  idempotencyKey?: string | null;
  requestHash?: string | null;
}

/** New credits as a new bucket. */
export interface GrantOperation {
  type: 'grant';
  source: CreditSource;
  amount: bigint;
  expiresAt: Date | null;
  idempotencyKey: string | null;
  requestHash: string | null;
  description: string;
  paymentIntentId?: string | null;
  amountPaidMinor?: string | null;
  currency?: string | null;
  metadata?: Record<string, unknown> | null;
  /** Expire what is left of buckets of this source first (plan renewal: no rollover). */
  replaceSource?: CreditSource;
  /**
   * Ledger kind when this grant is a correction rather than new credits (credits restored
   * after a refund Stripe refused are ADJUSTMENT); such a grant does not count as purchased.
   */
  kind?: TransactionKind;
}

/** Expire what is left of buckets past their time (never credits that back a hold). */
export interface ExpireOperation {
  type: 'expire';
}

/**
 * Record nothing, but let every participant look at the wallet again: after a setting the
 * ledger reads from the account changed (budget cap, burn alert threshold, timezone), or when a
 * new month began, an alert may be due that no ledger change will raise (docs/invariants.md,
 * "Alerts fire once per cycle").
 */
export interface ReviewOperation {
  type: 'review';
  /**
   * The settings change before it gave the wallet a new version (a change the wallet shows: its
   * budget cap, or the timezone its month is counted in): publish the wallet's state after the
   * review, as after a charge (docs/invariants.md #5).
   */
  publish: boolean;
  /**
   * Asked for by auto top-up: the balance may be below the threshold with no spend to cross it
   * (its settings or card were just saved, or a charge was refused for want of credits), so a
   * top-up may start on this review (auto-top-up.rules.ts).
   */
  topUpCheck?: boolean;
}

/** Remove up to `amount` unspent, unheld credits from one bucket (refunds). */
export interface DebitBucketOperation {
  type: 'debitBucket';
  bucketId: string;
  amount: bigint;
  kind: TransactionKind;
  description: string;
  idempotencyKey: string | null;
  metadata: Record<string, unknown> | null;
  /** Take what is available when less than `amount` is; otherwise INSUFFICIENT_CREDITS. */
  allowPartial: boolean;
}

export type LedgerOperation =
  | ChargeOperation
  | ReserveOperation
  | CaptureOperation
  | ReleaseOperation
  | GrantOperation
  | ExpireOperation
  | ReviewOperation
  | DebitBucketOperation;

/** The idempotency key an operation carries, if any (the batch loads the entries of these keys). */
export function idempotencyKeyOf(operation: LedgerOperation): string | null {
  return 'idempotencyKey' in operation ? (operation.idempotencyKey ?? null) : null;
}

/** The hold an operation settles, if any (the batch loads these holds). */
export function holdIdOf(operation: LedgerOperation): string | null {
  return operation.type === 'capture' || operation.type === 'release' ? operation.holdId : null;
}
