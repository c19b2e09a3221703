import { formatCredits } from '../../../../shared/money';
import { HoldStatus, TransactionKind } from '../kinds';
import type { Staging } from '../batch';
import type { ReleaseOperation } from '../operations';
import { earlierEntry } from '../checks';
import { outcome, type VerbOutcome } from '../results';
import { expireDue } from './expire';
import { startSettling } from './settle-hold';

/**
 * Returns everything a pending hold held to the balance: RELEASED, or EXPIRED once its time has
 * passed. The optional idempotency key sits on the RELEASE entry: a retry replays it, even after
 * the hold stopped being PENDING (docs/invariants.md #4). What it held of buckets that expired
 * meanwhile expires now (#8).
 */
export function release(stage: Staging, operation: ReleaseOperation): VerbOutcome {
  const replayed = earlierEntry(stage, operation.idempotencyKey ?? null, operation.requestHash ?? null);
  if (replayed) return outcome({ replayed });
  const { hold, pastExpiry, holdFields } = startSettling(stage, operation.holdId);
  hold.status = operation.expired || pastExpiry ? HoldStatus.EXPIRED : HoldStatus.RELEASED;
  const returned = formatCredits(hold.amount);
  stage.record(TransactionKind.RELEASE, hold.amount, {
    ...holdFields,
    description: hold.status === HoldStatus.EXPIRED ? `Hold expired: ${returned} returned` : `Hold released: ${returned} returned`,
    idempotencyKey: operation.idempotencyKey ?? null,
    requestHash: operation.requestHash ?? null,
  });
  expireDue(stage);
  return outcome({ hold });
}
