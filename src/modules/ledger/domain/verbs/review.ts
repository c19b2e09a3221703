import type { Staging } from '../batch';
import { outcome, type VerbOutcome } from '../results';

/**
 * Records nothing. When a new month zeroed the month-to-date spend the wallet stored, which no
 * ledger entry of this batch records, the wallet takes the next version so that subscribers
 * receive the new state (docs/invariants.md #5). A settings change the wallet shows took its
 * version in its own transaction (AccountsService.updateSettings).
 */
export function review(stage: Staging): VerbOutcome {
  if (stage.spendMonthTurned && !stage.versionMoved) stage.advanceVersion();
  return outcome();
}
