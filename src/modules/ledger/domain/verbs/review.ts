import type { Staging } from '../batch';
import type { ReviewOperation } from '../operations';
import { outcome, type VerbOutcome } from '../results';

/**
 * Records nothing. When the state the wallet shows moved without a ledger entry (a budget cap or
 * timezone changed, or a new month zeroed the month-to-date spend), the wallet takes the next
 * version so that subscribers receive it: every change a client can see has a version of its own
 * (docs/invariants.md #5). Once per batch: an entry or an earlier review already carries the state.
 */
export function review(stage: Staging, operation: ReviewOperation): VerbOutcome {
  const shownStateMoved = operation.shownSettingChanged || stage.spendMonthTurned;
  if (shownStateMoved && !stage.versionMoved) stage.advanceVersion();
  return outcome();
}
