import { DomainError, ErrorCode } from '../../../../shared/errors';
import { formatCredits } from '../../../../shared/money';
import { HoldStatus, TransactionKind } from '../kinds';
import type { Staging } from '../batch';
import type { CaptureOperation } from '../operations';
import { assertBalanceCovers, assertWithinCap, earlierEntry, spend } from '../checks';
import { outcome, type VerbOutcome } from '../results';
import { expireDue } from './expire';
import { startSettling } from './settle-hold';

/**
 * Charges the actual amount of a pending hold: a RELEASE of everything held, then a CAPTURE of
 * the actual amount, which may be more than was held (checked against balance and cap like a
 * charge) or 0 (the job cost nothing: everything held goes back, and the CAPTURE entry of 0
 * records the hold's outcome). So `balance == sum(amount)` holds entry by entry and CAPTURE
 * entries are exactly the spend (docs/invariants.md #1, #6). The optional idempotency key sits
 * on the CAPTURE entry: a retry replays it, even after the hold stopped being PENDING (#4).
 * The capture may spend the credits its hold kept of buckets that expired meanwhile; what it
 * leaves of them expires now (#8).
 */
export function capture(stage: Staging, operation: CaptureOperation): VerbOutcome {
  const replayed = earlierEntry(stage, operation.idempotencyKey ?? null, operation.requestHash ?? null);
  if (replayed) return outcome({ replayed });
  const { hold, pastExpiry, holdFields } = startSettling(stage, operation.holdId);
  if (pastExpiry) throw new DomainError(ErrorCode.HOLD_NOT_PENDING, 'Hold expired before it was captured', { status: HoldStatus.EXPIRED });
  assertBalanceCovers(stage.wallet, operation.amount);
  assertWithinCap(stage.wallet, operation.amount);
  stage.record(TransactionKind.RELEASE, hold.amount, { ...holdFields, description: `Hold settled: ${formatCredits(hold.amount)} held returned before capture` });
  const draws = spend(stage, operation.amount, hold);
  hold.status = HoldStatus.CAPTURED;
  hold.captured = operation.amount;
  stage.record(TransactionKind.CAPTURE, -operation.amount, {
    ...holdFields,
    quantity: operation.quantity ?? hold.quantity,
    unit: operation.unit,
    description: operation.description,
    draws,
    metadata: operation.metadata,
    idempotencyKey: operation.idempotencyKey ?? null,
    requestHash: operation.requestHash ?? null,
  });
  expireDue(stage);
  return outcome({ hold });
}
