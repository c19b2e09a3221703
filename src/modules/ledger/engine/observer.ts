import type { OperationOutcome } from '../domain/results';

/**
 * What one batch transaction did, reported to an observer (the app wires it to metrics), so the
 * ledger imports no metrics library and pays nothing when nobody observes.
 */
export interface BatchReport {
  /** `committed`; `nothing-written`: rolled back because every operation was refused or replayed; `failed`: an error (the scheduler's retries report their own batches). */
  outcome: 'committed' | 'nothing-written' | 'failed';
  /** Wallets locked and applied in this transaction (wallets deferred to a later one excluded). */
  wallets: number;
  /** Operations applied in this transaction: the batch size group commit achieved. */
  operations: number;
  /** From BEGIN (a pooled connection in hand) to COMMIT's answer, or to the rollback. */
  seconds: number;
  /** The COMMIT round trip alone (the WAL flush every operation in the batch shares); 0 unless committed. */
  commitSeconds: number;
  /** Every applied operation's outcome, per wallet (empty when failed: nothing is final yet). */
  outcomes: readonly (readonly OperationOutcome[])[];
}

/** Told after every batch transaction, on the engine's path: must be cheap and must not throw (errors are logged). */
export interface LedgerObserver {
  batchFinished(report: BatchReport): void;
}
