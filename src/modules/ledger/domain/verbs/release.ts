import { formatCredits } from '../../../../shared/money';
import { HoldStatus, TransactionKind } from '../kinds';
import type { Staging } from '../batch';
import type { ReleaseOperation } from '../operations';
import { outcome, type VerbOutcome } from '../results';
import { startSettling } from './settle-hold';

/** Returns everything a pending hold held to the balance: RELEASED, or EXPIRED once its time has passed. */
export function release(stage: Staging, operation: ReleaseOperation): VerbOutcome {
  const { hold, pastExpiry, holdFields } = startSettling(stage, operation.holdId);
  hold.status = operation.expired || pastExpiry ? HoldStatus.EXPIRED : HoldStatus.RELEASED;
  const returned = formatCredits(hold.amount);
  stage.record(TransactionKind.RELEASE, hold.amount, {
    ...holdFields,
    description: hold.status === HoldStatus.EXPIRED ? `Hold expired: ${returned} returned` : `Hold released: ${returned} returned`,
  });
  return outcome({ hold });
}
