import type { OperationResult } from '../ledger/domain/results';
import type { AlertDecision } from './alert.rules';

/**
 * The alerts the alerts participant decided for each operation of the batch being applied,
 * keyed by the operation's result object (the same object every participant's `afterOperation`
 * receives). A participant registered after alerts (outbound webhooks) reads what alerts decided
 * for the same operation under the same wallet lock, instead of deciding alerts a second time.
 * Entries vanish with their batch (a WeakMap).
 */
export class AlertDecisions {
  private readonly byResult = new WeakMap<OperationResult, AlertDecision>();

  record(result: OperationResult, decision: AlertDecision): void {
    this.byResult.set(result, decision);
  }

  /** What alerts decided for this operation; undefined when it decided no message, or alerts is not registered before the caller. */
  of(result: OperationResult): AlertDecision | undefined {
    return this.byResult.get(result);
  }
}
