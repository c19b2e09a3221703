import { randomUUID } from 'node:crypto';
import { CreditSource, GRANT_KIND } from '../kinds';
import type { Staging } from '../batch';
import type { GrantOperation } from '../operations';
import type { BucketState } from '../state';
import { earlierEntry } from '../checks';
import { outcome, type VerbOutcome } from '../results';
import { endSource, expireDue } from './expire';

/**
 * New credits as a new bucket, one entry of the source's kind (or the operation's correction
 * kind). With `replaceSource`, that source's buckets end now and what is left of them expires
 * first (a plan renewal does not roll over); what pending holds need of them expires when those
 * holds are settled. A credit starts a new low-credit cycle: the reference becomes
 * the balance after it.
 */
export function grant(stage: Staging, operation: GrantOperation): VerbOutcome {
  const replayed = earlierEntry(stage, operation.idempotencyKey, operation.requestHash);
  if (replayed) return outcome({ replayed });
  if (operation.replaceSource) {
    endSource(stage, operation.replaceSource);
    expireDue(stage);
  }
  const bucket = newBucket(stage, operation);
  stage.addBucket(bucket);
  const wallet = stage.wallet;
  wallet.balance += operation.amount;
  if (operation.source === CreditSource.PURCHASE && !operation.kind) wallet.lifetimePurchased += operation.amount;
  stage.record(operation.kind ?? GRANT_KIND[operation.source], operation.amount, {
    description: operation.description,
    idempotencyKey: operation.idempotencyKey,
    requestHash: operation.requestHash,
    draws: [{ bucketId: bucket.id, amount: operation.amount.toString() }],
    metadata: operation.metadata ?? null,
  });
  // Granted already past its expiry (the batch's clock is the database's, later than the caller's
  // check): it expires at once, never spendable (docs/invariants.md #8).
  if (stage.isDue(bucket)) expireDue(stage);
  wallet.lowCreditReference = wallet.balance;
  return outcome({ bucketId: bucket.id });
}

function newBucket(stage: Staging, operation: GrantOperation): BucketState {
  return {
    id: randomUUID(),
    walletId: stage.wallet.walletId,
    source: operation.source,
    granted: operation.amount,
    remaining: operation.amount,
    expiresAt: operation.expiresAt,
    createdAt: stage.now,
    paymentIntentId: operation.paymentIntentId ?? null,
    amountPaidMinor: operation.amountPaidMinor ?? null,
    currency: operation.currency ?? null,
    refunded: 0n,
    dirty: true,
    isNew: true,
  };
}
