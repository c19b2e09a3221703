import { DomainError, ErrorCode } from '../../../../shared/errors';
import type { Staging } from '../batch';
import type { DebitBucketOperation } from '../operations';
import { insufficientCredits } from '../checks';
import { outcome, type VerbOutcome } from '../results';

/**
 * Removes credits from one bucket (refunds): only credits that are neither spent nor held, so
 * at most min(bucket.remaining, balance), and none of a due bucket (what is left of it is held,
 * docs/invariants.md #8). With `allowPartial` it takes what is there, and records nothing when
 * that is nothing: the key stays unused, so a later retry can still take credits freed since.
 */
export function debitBucket(stage: Staging, operation: DebitBucketOperation): VerbOutcome {
  if (operation.idempotencyKey) {
    const existing = stage.entryWithKey(operation.idempotencyKey);
    if (existing) {
      // Only a movement of the same kind from the same bucket is a replay of this debit (docs/invariants.md #4).
      if (existing.kind !== operation.kind || !existing.draws?.some((draw) => draw.bucketId === operation.bucketId)) {
        throw new DomainError(ErrorCode.IDEMPOTENCY_CONFLICT, `Idempotency key "${operation.idempotencyKey}" was already used for a different movement`);
      }
      return outcome({ replayed: existing, bucketId: operation.bucketId });
    }
  }
  const bucket = stage.bucket(operation.bucketId);
  if (!bucket) throw new DomainError(ErrorCode.NOT_FOUND, 'Credit bucket not found');
  const free = stage.isDue(bucket) ? 0n : bucket.remaining;
  const available = free < stage.wallet.balance ? free : stage.wallet.balance;
  let amount = operation.amount;
  if (amount > available) {
    if (!operation.allowPartial) throw insufficientCredits(amount, available);
    amount = available;
  }
  if (amount === 0n) return outcome({ bucketId: bucket.id });
  bucket.remaining -= amount;
  bucket.refunded += amount;
  bucket.dirty = true;
  stage.wallet.balance -= amount;
  stage.record(operation.kind, -amount, {
    description: operation.description,
    idempotencyKey: operation.idempotencyKey,
    draws: [{ bucketId: bucket.id, amount: amount.toString() }],
    metadata: operation.metadata,
  });
  return outcome({ bucketId: bucket.id });
}
