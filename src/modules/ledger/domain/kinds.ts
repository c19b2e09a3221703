/**
 * The ledger's vocabulary: where credits come from, why they moved, where a hold stands.
 * Plain enums with no persistence attached, so the pure rules can be tested without a
 * database; the entities and GraphQL types use these same values.
 */

/** Where the credits of a bucket came from. */
export enum CreditSource {
  SIGNUP_BONUS = 'SIGNUP_BONUS',
  PLAN_ALLOCATION = 'PLAN_ALLOCATION',
  PURCHASE = 'PURCHASE',
  ADMIN_GRANT = 'ADMIN_GRANT',
}

/** Why a ledger entry moved credits. Spend is negative, credits positive. */
export enum TransactionKind {
  SIGNUP_BONUS = 'SIGNUP_BONUS',
  PURCHASE = 'PURCHASE',
  PLAN_ALLOCATION = 'PLAN_ALLOCATION',
  PLAN_EXPIRY = 'PLAN_EXPIRY',
  ADMIN_GRANT = 'ADMIN_GRANT',
  ADJUSTMENT = 'ADJUSTMENT',
  USAGE = 'USAGE',
  HOLD = 'HOLD',
  CAPTURE = 'CAPTURE',
  RELEASE = 'RELEASE',
  REFUND = 'REFUND',
}

export enum HoldStatus {
  PENDING = 'PENDING',
  CAPTURED = 'CAPTURED',
  RELEASED = 'RELEASED',
  EXPIRED = 'EXPIRED',
}

/**
 * Spend is what the user paid for: charges and captured holds. HOLD and RELEASE only move
 * credits between `balance` and `held`. The one definition used by the engine, the budget cap,
 * usage reports, the rollup, the month-to-date recomputation and the spend index.
 */
export const SPEND_KINDS: readonly TransactionKind[] = [TransactionKind.USAGE, TransactionKind.CAPTURE];

/** `SPEND_KINDS` as an SQL list, for `kind in ${SPEND_KINDS_SQL}`: `('USAGE', 'CAPTURE')`. */
export const SPEND_KINDS_SQL = `(${SPEND_KINDS.map((kind) => `'${kind}'`).join(', ')})`;

export const isSpend = (kind: TransactionKind): boolean => SPEND_KINDS.includes(kind);

/** The ledger kind of a grant from each source. */
export const GRANT_KIND: Record<CreditSource, TransactionKind> = {
  [CreditSource.SIGNUP_BONUS]: TransactionKind.SIGNUP_BONUS,
  [CreditSource.PLAN_ALLOCATION]: TransactionKind.PLAN_ALLOCATION,
  [CreditSource.PURCHASE]: TransactionKind.PURCHASE,
  [CreditSource.ADMIN_GRANT]: TransactionKind.ADMIN_GRANT,
};
