import { DomainError, ErrorCode } from '../../../shared/errors';
import { formatCredits } from '../../../shared/money';
import type { Staging } from './batch';
import type { HoldState, LedgerEntry, WalletSnapshot } from './state';

/** INSUFFICIENT_CREDITS: `needed` is more than the `available` balance. */
export function insufficientCredits(needed: bigint, available: bigint): DomainError {
  return new DomainError(ErrorCode.INSUFFICIENT_CREDITS, `Insufficient credits: ${formatCredits(needed)} needed, ${formatCredits(available)} available`, {
    required: formatCredits(needed),
    available: formatCredits(available),
  });
}

/**
 * A charge or hold must move at least one micro-credit: a usage that prices to zero is refused
 * (BAD_USER_INPUT), never written as an empty ledger row that bumps the version of a wallet whose
 * credits did not move (docs/decisions.md, "Zero-priced usage"). Captures may be 0.
 */
export function assertPositiveAmount(amount: bigint): void {
  if (amount <= 0n) throw new DomainError(ErrorCode.BAD_USER_INPUT, 'The usage prices to 0 credits: nothing to charge or hold (the smallest amount is 0.000001 credits)');
}

/** Spend of `amount` needs that much spendable balance (docs/invariants.md #2). */
export function assertBalanceCovers(wallet: WalletSnapshot, amount: bigint): void {
  if (amount > wallet.balance) throw insufficientCredits(amount, wallet.balance);
}

/** Month-to-date spend plus what is held plus `amount` never passes the cap (docs/invariants.md #6). */
export function assertWithinCap(wallet: WalletSnapshot, amount: bigint): void {
  const cap = wallet.monthlyBudgetCap;
  if (cap === null || wallet.spentThisMonth + wallet.held + amount <= cap) return;
  throw new DomainError(
    ErrorCode.BUDGET_CAP_EXCEEDED,
    `Monthly budget cap of ${formatCredits(cap)} would be exceeded (${formatCredits(wallet.spentThisMonth)} spent, ${formatCredits(wallet.held)} held, ${formatCredits(amount)} requested)`,
    { cap: formatCredits(cap), spentThisMonth: formatCredits(wallet.spentThisMonth), held: formatCredits(wallet.held) },
  );
}

/**
 * The entry an earlier request with this idempotency key recorded, if any; a key reused with a
 * different request is IDEMPOTENCY_CONFLICT (docs/invariants.md #4).
 */
export function earlierEntry(stage: Staging, key: string | null, requestHash: string | null): LedgerEntry | null {
  if (!key) return null;
  const existing = stage.entryWithKey(key);
  return existing ? replayOf(existing, requestHash) : null;
}

/** The entry a retry replays: the request must be the one its key was first used with (#4). */
export function replayOf(existing: LedgerEntry, requestHash: string | null): LedgerEntry {
  if (existing.requestHash !== requestHash) {
    throw new DomainError(ErrorCode.IDEMPOTENCY_CONFLICT, `Idempotency key "${existing.idempotencyKey}" was already used with a different request`);
  }
  return existing;
}

/** Spends `amount` from buckets in draw order (a capture: `backing` its hold); the caller has checked balance and cap. */
export function spend(stage: Staging, amount: bigint, backing: HoldState | null = null) {
  const draws = stage.draw(amount, backing);
  stage.wallet.balance -= amount;
  stage.wallet.spentThisMonth += amount;
  stage.wallet.lifetimeSpend += amount;
  return draws;
}
