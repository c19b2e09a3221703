import { DomainError, ErrorCode } from '../../shared/errors';
import type { Logger } from '../../shared/logger';
import type { BatchChargeOutcome, BatchItem } from './ledger.charges';

type RefusalListener = (accountId: string) => void;

const isInsufficientCredits = (error: unknown): boolean => error instanceof DomainError && error.code === ErrorCode.INSUFFICIENT_CREDITS;

/**
 * Spends refused with INSUFFICIENT_CREDITS, told to whoever listens (auto top-up reviews such a
 * wallet: no spend can cross its threshold any more). On the request's path: listeners must be
 * cheap; one that throws is logged and the others are still told.
 */
export class CreditRefusals {
  private readonly listeners: RefusalListener[] = [];

  constructor(private readonly log: Logger) {}

  listen(listener: RefusalListener): void {
    this.listeners.push(listener);
  }

  /** A verb's error: told when it is INSUFFICIENT_CREDITS. */
  noteError(accountId: string, error: unknown): void {
    if (isInsufficientCredits(error)) this.tell(accountId);
  }

  /** A batch's outcomes (in the order of `items`): each account refused for credits is told once. */
  noteBatch(items: readonly BatchItem[], outcomes: readonly BatchChargeOutcome[]): void {
    const refused = new Set<string>();
    outcomes.forEach((outcome, index) => {
      if (!outcome.ok && isInsufficientCredits(outcome.error)) refused.add(items[index].accountId!);
    });
    for (const accountId of refused) this.tell(accountId);
  }

  private tell(accountId: string): void {
    for (const listener of this.listeners) {
      try {
        listener(accountId);
      } catch (err) {
        this.log.error({ err }, 'refusal listener failed');
      }
    }
  }
}
