import type { CreditSource, HoldStatus, TransactionKind } from './kinds';

/**
 * The state the ledger works on, as plain values (bigint micro-credits). Rows become these
 * objects only in store/rows.ts.
 */

/** A wallet's full state at one moment (after an operation, or as committed). */
export interface WalletSnapshot {
  walletId: string;
  accountId: string;
  /** Spendable credits. */
  balance: bigint;
  /** Credits reserved by pending holds; still inside their buckets (docs/invariants.md #1). */
  held: bigint;
  lifetimeSpend: bigint;
  lifetimePurchased: bigint;
  /** The calendar month ("YYYY-MM", account timezone) that `spentThisMonth` counts. */
  spentMonth: string;
  spentThisMonth: bigint;
  /** Strictly increases with each committed change (docs/invariants.md #5). */
  version: bigint;
  /** From the account: null = no cap (docs/invariants.md #6). */
  monthlyBudgetCap: bigint | null;
  /** From the account: the IANA zone its months are counted in. */
  timezone: string;
  /** The balance right after the most recent credit: the 100 % of low-credit alerts. */
  lowCreditReference: bigint;
}

/** Which bucket a movement drew from or returned to, and how much. */
export interface BucketDraw {
  bucketId: string;
  /** Micro-credits as a decimal string (JSON has no bigint). */
  amount: string;
}

/** One ledger_transaction row: an immutable movement of credits (docs/invariants.md #3). */
export interface LedgerEntry {
  id: string;
  walletId: string;
  accountId: string;
  kind: TransactionKind;
  /** Signed micro-credits: spend is negative. */
  amount: bigint;
  balanceAfter: bigint;
  walletVersion: bigint;
  description: string;
  synfluencerId: string | null;
  feature: string | null;
  platform: string | null;
  automationId: string | null;
  provider: string | null;
  quantity: number | null;
  unit: string | null;
  idempotencyKey: string | null;
  /** SHA-256 of the canonical request: tells a retry from a conflicting reuse of a key. */
  requestHash: string | null;
  holdId: string | null;
  draws: BucketDraw[] | null;
  metadata: Record<string, unknown> | null;
  createdAt: Date;
}

/** One hold row: credits moved from balance to held for a job priced when it ends. */
export interface HoldRecord {
  id: string;
  walletId: string;
  accountId: string;
  status: HoldStatus;
  amount: bigint;
  captured: bigint | null;
  expiresAt: Date;
  feature: string;
  synfluencerId: string | null;
  platform: string | null;
  automationId: string | null;
  provider: string | null;
  quantity: number | null;
  settledAt: Date | null;
  createdAt: Date;
}

/** One credit_bucket row: a grant of credits and what is left of it. */
export interface BucketRecord {
  id: string;
  walletId: string;
  source: CreditSource;
  granted: bigint;
  remaining: bigint;
  expiresAt: Date | null;
  createdAt: Date;
  /** Stripe payment intent that paid for a PURCHASE bucket (refunds go back to it). */
  paymentIntentId: string | null;
  /** Price paid in the smallest currency unit (cents), for proportional refunds. */
  amountPaidMinor: string | null;
  currency: string | null;
  /** Credits removed from this bucket by refunds. */
  refunded: bigint;
}

/** A bucket as a batch reads and changes it. */
export interface BucketState extends BucketRecord {
  /** Changed in this batch: written back. */
  dirty: boolean;
  /** Created in this batch: inserted. */
  isNew: boolean;
}

/** A hold as a batch reads and changes it. */
export interface HoldState extends HoldRecord {
  dirty: boolean;
  isNew: boolean;
}

/** What a charge or hold was for: copied onto its ledger entry (and hold). */
export interface UsageDetails {
  feature: string;
  synfluencerId: string | null;
  platform: string | null;
  automationId: string | null;
  provider: string | null;
  quantity: number | null;
  unit: string | null;
  metadata: Record<string, unknown> | null;
}
