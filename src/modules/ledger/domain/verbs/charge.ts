import { TransactionKind } from '../kinds';
import type { Staging } from '../batch';
import type { ChargeOperation } from '../operations';
import { assertBalanceCovers, assertPositiveAmount, assertWithinCap, earlierEntry, spend } from '../checks';
import { outcome, type VerbOutcome } from '../results';
import { usageFields } from './usage-fields';

/** Spends the amount now: one USAGE entry drawing from buckets in draw order. */
export function charge(stage: Staging, operation: ChargeOperation): VerbOutcome {
  const replayed = earlierEntry(stage, operation.idempotencyKey, operation.requestHash);
  if (replayed) return outcome({ replayed });
  assertPositiveAmount(operation.amount);
  assertBalanceCovers(stage.wallet, operation.amount);
  assertWithinCap(stage.wallet, operation.amount);
  const draws = spend(stage, operation.amount);
  stage.record(TransactionKind.USAGE, -operation.amount, {
    ...usageFields(operation.usage),
    description: operation.description,
    idempotencyKey: operation.idempotencyKey,
    requestHash: operation.requestHash,
    draws,
  });
  return outcome();
}
