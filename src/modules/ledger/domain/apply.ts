import { DomainError } from '../../../shared/errors';
import { Staging, type WalletBatch } from './batch';
import type { LedgerOperation } from './operations';
import type { OperationOutcome, OperationResult, VerbOutcome } from './results';
import { capture } from './verbs/capture';
import { charge } from './verbs/charge';
import { debitBucket } from './verbs/debit-bucket';
import { expire } from './verbs/expire';
import { grant } from './verbs/grant';
import { release } from './verbs/release';
import { reserve } from './verbs/reserve';
import { review } from './verbs/review';

/** Applies one operation to a staging copy with the verb of its type. */
export function applyVerb(stage: Staging, operation: LedgerOperation): VerbOutcome {
  switch (operation.type) {
    case 'charge':
      return charge(stage, operation);
    case 'reserve':
      return reserve(stage, operation);
    case 'capture':
      return capture(stage, operation);
    case 'release':
      return release(stage, operation);
    case 'grant':
      return grant(stage, operation);
    case 'expire':
      return expire(stage);
    case 'debitBucket':
      return debitBucket(stage, operation);
    case 'review':
      return review(stage);
  }
}

/** Called after each operation that recorded entries, and after each review, with the batch already holding its changes. */
export type AppliedListener = (operation: LedgerOperation, result: OperationResult) => void;

/**
 * Applies a wallet's operations in order against its running state. Each succeeds or fails
 * alone: a DomainError becomes that operation's outcome and leaves the batch untouched; any
 * other error is a bug and fails the whole batch.
 */
export function applyOperations(batch: WalletBatch, operations: readonly LedgerOperation[], onApplied?: AppliedListener): OperationOutcome[] {
  const outcomes: OperationOutcome[] = [];
  for (const operation of operations) {
    const stage = new Staging(batch);
    const before = batch.wallet;
    let verbOutcome: VerbOutcome;
    try {
      verbOutcome = applyVerb(stage, operation);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      outcomes.push({ ok: false, error });
      continue;
    }
    stage.merge();
    // A merged wallet state is never changed afterwards (each operation stages its own copy),
    // so the result can hold it as it is.
    const result: OperationResult = { ...verbOutcome, entries: stage.entries, wallet: batch.wallet, before };
    if (stage.entries.length > 0 || operation.type === 'review') onApplied?.(operation, result);
    outcomes.push({ ok: true, result });
  }
  return outcomes;
}
