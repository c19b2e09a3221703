import { applyOperations } from '../../src/modules/ledger/domain/apply';
import type { WalletBatch } from '../../src/modules/ledger/domain/batch';
import { CreditSource, TransactionKind } from '../../src/modules/ledger/domain/kinds';
import { openWalletBatch } from '../../src/modules/ledger/domain/open';
import type { ChargeOperation, LedgerOperation, ReserveOperation } from '../../src/modules/ledger/domain/operations';
import type { OperationOutcome, OperationResult } from '../../src/modules/ledger/domain/results';
import type { BucketState, HoldRecord, LedgerEntry, UsageDetails, WalletSnapshot } from '../../src/modules/ledger/domain/state';

/** Builders for the pure ledger rules: a wallet and its buckets in memory, no database. */

export const C = 1_000_000n; // one credit in micro-credits
export const NOW = new Date('2026-06-10T12:00:00.000Z');
export const WALLET_ID = '00000000-0000-4000-8000-000000000001';
export const ACCOUNT_ID = '00000000-0000-4000-8000-000000000002';

export const DAY_MS = 86_400_000;
export const days = (n: number, from: Date = NOW) => new Date(from.getTime() + n * DAY_MS);

export function wallet(fields: Partial<WalletSnapshot> = {}): WalletSnapshot {
  return {
    walletId: WALLET_ID,
    accountId: ACCOUNT_ID,
    balance: 0n,
    held: 0n,
    lifetimeSpend: 0n,
    lifetimePurchased: 0n,
    spentMonth: '2026-06',
    spentThisMonth: 0n,
    version: 0n,
    monthlyBudgetCap: null,
    timezone: 'UTC',
    lowCreditReference: 0n,
    ...fields,
  };
}

let bucketNumber = 0;
export function bucket(remaining: bigint, fields: Partial<BucketState> = {}): BucketState {
  bucketNumber++;
  return {
    id: `00000000-0000-4000-8000-${String(bucketNumber).padStart(12, '0')}`,
    walletId: WALLET_ID,
    source: CreditSource.PURCHASE,
    granted: remaining,
    remaining,
    expiresAt: null,
    createdAt: days(-30),
    paymentIntentId: null,
    amountPaidMinor: null,
    currency: null,
    refunded: 0n,
    dirty: false,
    isNew: false,
    ...fields,
  };
}

/** A batch opened at `now` on a wallet whose balance is exactly the sum of its buckets (minus `held`). */
export function batchOf(buckets: BucketState[], fields: Partial<WalletSnapshot> = {}, now = NOW, holds: HoldRecord[] = [], entries: LedgerEntry[] = []): WalletBatch {
  const total = buckets.reduce((sum, b) => sum + b.remaining, 0n);
  const held = fields.held ?? 0n;
  return openWalletBatch(wallet({ balance: total - held, lowCreditReference: total - held, ...fields }), buckets, holds, entries, now);
}

export const usage: UsageDetails = { feature: 'caption', synfluencerId: null, platform: null, automationId: null, provider: null, quantity: 1, unit: 'caption', metadata: null };

let keyNumber = 0;
export const charge = (amount: bigint, idempotencyKey = `k${++keyNumber}`): ChargeOperation => ({
  type: 'charge',
  amount,
  idempotencyKey,
  requestHash: `hash:${amount}`,
  usage,
  description: 'charge',
});

export const reserve = (amount: bigint, expiresInMs = DAY_MS, idempotencyKey = `k${++keyNumber}`): ReserveOperation => ({
  type: 'reserve',
  amount,
  idempotencyKey,
  requestHash: `hash:${amount}`,
  usage,
  expiresInMs,
  description: 'hold',
});

/** Applies operations in order; each outcome is returned as the result or the error code. */
export function apply(batch: WalletBatch, ...operations: LedgerOperation[]): (OperationResult | string)[] {
  return applyOperations(batch, operations).map(outcomeOf);
}

export const outcomeOf = (outcome: OperationOutcome): OperationResult | string => (outcome.ok ? outcome.result : (outcome.error as { code: string }).code);

export function ok(result: OperationResult | string): OperationResult {
  if (typeof result === 'string') throw new Error(`expected success, got ${result}`);
  return result;
}

export const kinds = (batch: WalletBatch): TransactionKind[] => batch.entries.map((entry) => entry.kind);
export const remainingOf = (batch: WalletBatch) => [...batch.buckets.values()].map((b) => b.remaining);
export const sumRemaining = (batch: WalletBatch) => [...batch.buckets.values()].reduce((sum, b) => sum + b.remaining, 0n);
