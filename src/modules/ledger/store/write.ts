import type { WalletBatch } from '../domain/batch';
import type { BucketState, HoldState } from '../domain/state';
import { jsonText, SqlParams } from './params';

/**
 * The ONE statement that writes a batch: every CTE below and the wallet update run as one
 * statement, so a batch costs one round trip between load and COMMIT whatever it contains.
 * Each CTE takes one array parameter per column (unnest), so the text is the same for every
 * batch and runs as a named prepared statement.
 */

/** A wallet-row column written with the wallets, one value per batch in `batches` order. */
export interface ExtraWalletColumn {
  name: string;
  sqlType: string;
  values: unknown[];
}

export interface WriteStatement {
  text: string;
  values: unknown[];
}

export function buildWriteStatement(batches: readonly WalletBatch[], extraColumns: readonly ExtraWalletColumn[], extraCtes: (params: SqlParams) => string[]): WriteStatement {
  const params = new SqlParams();
  const buckets = batches.flatMap((batch) => [...batch.buckets.values()]);
  const holds = batches.flatMap((batch) => [...batch.holds.values()]);
  const ctes = [
    ...extraCtes(params),
    newBucketsCte(params, buckets.filter((bucket) => bucket.isNew)),
    updatedBucketsCte(params, buckets.filter((bucket) => bucket.dirty && !bucket.isNew)),
    newEntriesCte(params, batches),
    newHoldsCte(params, holds.filter((hold) => hold.isNew)),
    updatedHoldsCte(params, holds.filter((hold) => hold.dirty && !hold.isNew)),
  ];
  return { text: `with ${ctes.join(',\n')}\n${walletUpdate(params, batches, extraColumns)}`, values: params.values };
}

function newBucketsCte(params: SqlParams, buckets: BucketState[]): string {
  const column = params.columnsOf(buckets);
  return `new_buckets as (
    insert into credit_bucket (id, wallet_id, source, granted, remaining, expires_at, created_at, payment_intent_id, amount_paid_minor, currency, refunded)
    select * from unnest(${column((bucket) => bucket.id, 'uuid[]')}, ${column((bucket) => bucket.walletId, 'uuid[]')}, ${column((bucket) => bucket.source, 'text[]')},
      ${column((bucket) => bucket.granted, 'bigint[]')},
      -- A bucket granted in this batch may already have been drawn by a later operation of it:
      -- it is inserted with its running remaining, not its granted amount (docs/invariants.md #1).
      ${column((bucket) => bucket.remaining, 'bigint[]')}, ${column((bucket) => bucket.expiresAt, 'timestamptz[]')}, ${column((bucket) => bucket.createdAt, 'timestamptz[]')},
      ${column((bucket) => bucket.paymentIntentId, 'text[]')}, ${column((bucket) => bucket.amountPaidMinor, 'bigint[]')}, ${column((bucket) => bucket.currency, 'text[]')},
      ${column((bucket) => bucket.refunded, 'bigint[]')})
    returning 1)`;
}

function updatedBucketsCte(params: SqlParams, buckets: BucketState[]): string {
  const column = params.columnsOf(buckets);
  return `updated_buckets as (
    update credit_bucket b set remaining = u.remaining, refunded = u.refunded, expires_at = u.expires_at
      from unnest(${column((bucket) => bucket.id, 'uuid[]')}, ${column((bucket) => bucket.remaining, 'bigint[]')}, ${column((bucket) => bucket.refunded, 'bigint[]')},
                  -- A plan renewal ends the buckets it replaces (domain/verbs/expire.ts endSource).
                  ${column((bucket) => bucket.expiresAt, 'timestamptz[]')})
           as u(id, remaining, refunded, expires_at)
     where b.id = u.id returning 1)`;
}

/** Ledger entries are only ever inserted (docs/invariants.md #3). */
function newEntriesCte(params: SqlParams, batches: readonly WalletBatch[]): string {
  const entries = batches.flatMap((batch) => batch.entries);
  const column = params.columnsOf(entries);
  return `new_entries as (
    insert into ledger_transaction (id, wallet_id, account_id, kind, amount, balance_after, wallet_version, description,
      synfluencer_id, feature, platform, automation_id, provider, quantity, unit, idempotency_key, request_hash, hold_id, draws, metadata, created_at)
    select u.id, u.wallet_id, u.account_id, u.kind, u.amount, u.balance_after, u.wallet_version, u.description, u.synfluencer_id, u.feature, u.platform,
           u.automation_id, u.provider, u.quantity, u.unit, u.idempotency_key, u.request_hash, u.hold_id, u.draws::jsonb, u.metadata::jsonb, u.created_at
      from unnest(${column((entry) => entry.id, 'uuid[]')}, ${column((entry) => entry.walletId, 'uuid[]')}, ${column((entry) => entry.accountId, 'uuid[]')},
                  ${column((entry) => entry.kind, 'text[]')}, ${column((entry) => entry.amount, 'bigint[]')},
                  ${column((entry) => entry.balanceAfter, 'bigint[]')}, ${column((entry) => entry.walletVersion, 'bigint[]')},
                  ${column((entry) => entry.description, 'text[]')}, ${column((entry) => entry.synfluencerId, 'uuid[]')}, ${column((entry) => entry.feature, 'text[]')},
                  ${column((entry) => entry.platform, 'text[]')}, ${column((entry) => entry.automationId, 'text[]')}, ${column((entry) => entry.provider, 'text[]')},
                  ${column((entry) => entry.quantity, 'float8[]')}, ${column((entry) => entry.unit, 'text[]')}, ${column((entry) => entry.idempotencyKey, 'text[]')},
                  ${column((entry) => entry.requestHash, 'text[]')}, ${column((entry) => entry.holdId, 'uuid[]')}, ${column((entry) => jsonText(entry.draws), 'text[]')},
                  ${column((entry) => jsonText(entry.metadata), 'text[]')}, ${column((entry) => entry.createdAt, 'timestamptz[]')})
           as u(id, wallet_id, account_id, kind, amount, balance_after, wallet_version, description, synfluencer_id, feature, platform, automation_id,
                provider, quantity, unit, idempotency_key, request_hash, hold_id, draws, metadata, created_at)
    returning 1)`;
}

function newHoldsCte(params: SqlParams, holds: HoldState[]): string {
  const column = params.columnsOf(holds);
  return `new_holds as (
    insert into hold (id, wallet_id, account_id, status, amount, expires_at, feature, synfluencer_id, platform, automation_id, provider, quantity, created_at)
    select u.id, u.wallet_id, u.account_id, 'PENDING', u.amount, u.expires_at, u.feature, u.synfluencer_id, u.platform, u.automation_id, u.provider, u.quantity, u.created_at
      from unnest(${column((hold) => hold.id, 'uuid[]')}, ${column((hold) => hold.walletId, 'uuid[]')}, ${column((hold) => hold.accountId, 'uuid[]')},
                  ${column((hold) => hold.amount, 'bigint[]')}, ${column((hold) => hold.expiresAt, 'timestamptz[]')},
                  ${column((hold) => hold.feature, 'text[]')}, ${column((hold) => hold.synfluencerId, 'uuid[]')},
                  ${column((hold) => hold.platform, 'text[]')}, ${column((hold) => hold.automationId, 'text[]')},
                  ${column((hold) => hold.provider, 'text[]')}, ${column((hold) => hold.quantity, 'float8[]')},
                  ${column((hold) => hold.createdAt, 'timestamptz[]')})
           as u(id, wallet_id, account_id, amount, expires_at, feature, synfluencer_id, platform, automation_id, provider, quantity, created_at)
    returning 1)`;
}

function updatedHoldsCte(params: SqlParams, holds: HoldState[]): string {
  const column = params.columnsOf(holds);
  return `updated_holds as (
    update hold h set status = u.status, captured = u.captured, settled_at = u.settled_at
      from unnest(${column((hold) => hold.id, 'uuid[]')}, ${column((hold) => hold.status, 'text[]')},
                  ${column((hold) => hold.captured, 'bigint[]')},
                  ${column((hold) => hold.settledAt, 'timestamptz[]')}) as u(id, status, captured, settled_at)
     where h.id = u.id returning 1)`;
}

/** The wallets' new state, with the columns participants own (alert markers). */
function walletUpdate(params: SqlParams, batches: readonly WalletBatch[], extraColumns: readonly ExtraWalletColumn[]): string {
  const wallets = batches.map((batch) => batch.wallet);
  const column = params.columnsOf(wallets);
  const extraNames = extraColumns.map((extra) => extra.name);
  return `update wallet w set balance = u.balance, held = u.held, lifetime_spend = u.lifetime_spend, lifetime_purchased = u.lifetime_purchased,
         spent_month = u.spent_month, spent_this_month = u.spent_this_month, version = u.version, low_credit_reference = u.low_credit_reference,
         ${extraNames.map((name) => `${name} = u.${name}, `).join('')}updated_at = now()
    from unnest(${column((wallet) => wallet.walletId, 'uuid[]')}, ${column((wallet) => wallet.balance, 'bigint[]')},
                ${column((wallet) => wallet.held, 'bigint[]')}, ${column((wallet) => wallet.lifetimeSpend, 'bigint[]')},
                ${column((wallet) => wallet.lifetimePurchased, 'bigint[]')}, ${column((wallet) => wallet.spentMonth, 'text[]')},
                ${column((wallet) => wallet.spentThisMonth, 'bigint[]')}, ${column((wallet) => wallet.version, 'bigint[]')},
                ${column((wallet) => wallet.lowCreditReference, 'bigint[]')}${extraColumns.map((extra) => `, ${params.add(extra.values, `${extra.sqlType}[]`)}`).join('')})
         as u(id, balance, held, lifetime_spend, lifetime_purchased, spent_month, spent_this_month, version, low_credit_reference${extraNames.map((name) => `, ${name}`).join('')})
   where w.id = u.id`;
}
