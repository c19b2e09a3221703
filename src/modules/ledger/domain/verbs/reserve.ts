import { randomUUID } from 'node:crypto';
import { HoldStatus, TransactionKind } from '../kinds';
import type { Staging } from '../batch';
import type { ReserveOperation } from '../operations';
import type { HoldState } from '../state';
import { assertBalanceCovers, assertPositiveAmount, assertWithinCap, earlierEntry } from '../checks';
import { outcome, type VerbOutcome } from '../results';
import { usageFields } from './usage-fields';

/**
 * Moves the amount from balance to held: a new PENDING hold and a HOLD entry. The credits stay
 * in their buckets (balance + held == sum(remaining), docs/invariants.md #1) and count against
 * the cap while held (#6).
 */
export function reserve(stage: Staging, operation: ReserveOperation): VerbOutcome {
  const replayed = earlierEntry(stage, operation.idempotencyKey, operation.requestHash);
  if (replayed) return outcome({ replayed });
  assertPositiveAmount(operation.amount);
  const wallet = stage.wallet;
  assertBalanceCovers(wallet, operation.amount);
  assertWithinCap(wallet, operation.amount);
  wallet.balance -= operation.amount;
  wallet.held += operation.amount;
  const hold: HoldState = {
    id: randomUUID(),
    walletId: wallet.walletId,
    accountId: wallet.accountId,
    status: HoldStatus.PENDING,
    amount: operation.amount,
    captured: null,
    expiresAt: new Date(stage.now.getTime() + operation.expiresInMs),
    feature: operation.usage.feature,
    synfluencerId: operation.usage.synfluencerId,
    platform: operation.usage.platform,
    automationId: operation.usage.automationId,
    provider: operation.usage.provider,
    quantity: operation.usage.quantity,
    settledAt: null,
    createdAt: madeAt(stage),
    dirty: true,
    isNew: true,
  };
  stage.addHold(hold);
  stage.record(TransactionKind.HOLD, -operation.amount, {
    ...usageFields(operation.usage),
    description: operation.description,
    idempotencyKey: operation.idempotencyKey,
    requestHash: operation.requestHash,
    holdId: hold.id,
  });
  return outcome({ hold });
}

/**
 * When the hold is made, as `backs` (domain/batch.ts) compares it with bucket expiries: a hold
 * made once a bucket was due is paid from other credits (docs/invariants.md #8). In the very
 * millisecond a bucket falls due, or after a renewal earlier in this batch ended one (`endSource`
 * sets its expiry to the batch clock), the hold is stamped a millisecond later, so it is not taken
 * for one made before.
 */
function madeAt(stage: Staging): Date {
  const now = stage.now.getTime();
  return stage.liveBuckets().some((bucket) => bucket.expiresAt?.getTime() === now) ? new Date(now + 1) : stage.now;
}
