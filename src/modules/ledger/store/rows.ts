import { bigintOf, dateOf, nullableBigint, nullableDate, textOrNull, type Row } from '../../../shared/row-values';
import type { CreditSource, HoldStatus, TransactionKind } from '../domain/kinds';
import type { BucketDraw, BucketRecord, HoldRecord, LedgerEntry, WalletSnapshot } from '../domain/state';

/**
 * The only place ledger rows become objects: one SQL fragment and one decoder per table. Bigint
 * columns travel as text (JSON and pg's defaults would lose precision or give strings anyway).
 */

// ---------------------------------------------------------------- wallet

/** The wallet row `w`'s own columns. Reading them is all the locking statement may do (see store/wallet-lock.ts). */
export const WALLET_COLUMNS = `w.id, w.account_id, w.balance::text as balance, w.held::text as held, w.lifetime_spend::text as lifetime_spend,
  w.lifetime_purchased::text as lifetime_purchased, w.spent_month, w.spent_this_month::text as spent_this_month, w.version::text as version,
  w.low_credit_reference::text as low_credit_reference`;

/** The account `a` columns a wallet snapshot carries (its cap and timezone). */
export const WALLET_ACCOUNT_COLUMNS = `a.monthly_budget_cap::text as monthly_budget_cap, a.timezone`;

/** A row of WALLET_COLUMNS and WALLET_ACCOUNT_COLUMNS. */
export function decodeWallet(row: Row): WalletSnapshot {
  return {
    walletId: row.id as string,
    accountId: row.account_id as string,
    balance: bigintOf(row.balance),
    held: bigintOf(row.held),
    lifetimeSpend: bigintOf(row.lifetime_spend),
    lifetimePurchased: bigintOf(row.lifetime_purchased),
    spentMonth: row.spent_month as string,
    spentThisMonth: bigintOf(row.spent_this_month),
    version: bigintOf(row.version),
    monthlyBudgetCap: nullableBigint(row.monthly_budget_cap),
    timezone: row.timezone as string,
    lowCreditReference: bigintOf(row.low_credit_reference),
  };
}

// ---------------------------------------------------------------- credit_bucket

/** A credit_bucket row `b` as JSON. */
export const BUCKET_JSON = `json_build_object('id', b.id, 'wallet_id', b.wallet_id, 'source', b.source, 'granted', b.granted::text,
  'remaining', b.remaining::text, 'expires_at', b.expires_at, 'created_at', b.created_at, 'refunded', b.refunded::text,
  'payment_intent_id', b.payment_intent_id, 'amount_paid_minor', b.amount_paid_minor::text, 'currency', b.currency)`;

export function decodeBucket(json: Row): BucketRecord {
  return {
    id: json.id as string,
    walletId: json.wallet_id as string,
    source: json.source as CreditSource,
    granted: bigintOf(json.granted),
    remaining: bigintOf(json.remaining),
    expiresAt: nullableDate(json.expires_at),
    createdAt: dateOf(json.created_at),
    paymentIntentId: textOrNull(json.payment_intent_id),
    amountPaidMinor: textOrNull(json.amount_paid_minor),
    currency: textOrNull(json.currency),
    refunded: bigintOf(json.refunded),
  };
}

// ---------------------------------------------------------------- ledger_transaction

/** A ledger_transaction row `t` as JSON (with `seq`, the cursor key of history pages). */
export const ENTRY_JSON = `(to_jsonb(t) || jsonb_build_object('amount', t.amount::text, 'balance_after', t.balance_after::text, 'wallet_version', t.wallet_version::text, 'seq', t.seq::text))`;

export function decodeEntry(json: Row): LedgerEntry {
  return {
    id: json.id as string,
    walletId: json.wallet_id as string,
    accountId: json.account_id as string,
    kind: json.kind as TransactionKind,
    amount: bigintOf(json.amount),
    balanceAfter: bigintOf(json.balance_after),
    walletVersion: bigintOf(json.wallet_version),
    description: json.description as string,
    synfluencerId: textOrNull(json.synfluencer_id),
    feature: textOrNull(json.feature),
    platform: textOrNull(json.platform),
    automationId: textOrNull(json.automation_id),
    provider: textOrNull(json.provider),
    quantity: (json.quantity as number | null | undefined) ?? null,
    unit: textOrNull(json.unit),
    idempotencyKey: textOrNull(json.idempotency_key),
    requestHash: textOrNull(json.request_hash),
    holdId: textOrNull(json.hold_id),
    draws: (json.draws as BucketDraw[] | null | undefined) ?? null,
    metadata: (json.metadata as Record<string, unknown> | null | undefined) ?? null,
    createdAt: dateOf(json.created_at),
  };
}

// ---------------------------------------------------------------- hold

/** A hold row `h` as JSON. */
export const HOLD_JSON = `(to_jsonb(h) || jsonb_build_object('amount', h.amount::text, 'captured', h.captured::text))`;

export function decodeHold(json: Row): HoldRecord {
  return {
    id: json.id as string,
    walletId: json.wallet_id as string,
    accountId: json.account_id as string,
    status: json.status as HoldStatus,
    amount: bigintOf(json.amount),
    captured: nullableBigint(json.captured),
    expiresAt: dateOf(json.expires_at),
    feature: json.feature as string,
    synfluencerId: textOrNull(json.synfluencer_id),
    platform: textOrNull(json.platform),
    automationId: textOrNull(json.automation_id),
    provider: textOrNull(json.provider),
    quantity: (json.quantity as number | null | undefined) ?? null,
    settledAt: nullableDate(json.settled_at),
    createdAt: dateOf(json.created_at),
  };
}
