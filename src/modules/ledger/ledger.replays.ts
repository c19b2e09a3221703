import type { Sql } from '../../db/sql';
import { DomainError } from '../../shared/errors';
import type { PriceQuote, PricingService } from '../pricing/pricing.service';
import { replayOf } from './domain/checks';
import type { LedgerEntry, UsageDetails } from './domain/state';
import { describeUsage, usageDetails, type UsageInputData } from './ledger.input';
import { decodeEntry, ENTRY_JSON } from './store/rows';

/**
 * Retries that the current price book cannot price. A charge or reserve is priced before it is
 * queued, and its key is looked up only under the wallet lock; after PRICE_BOOK changes, the retry
 * of a request an earlier book priced would be refused as an unknown feature instead of replaying
 * what committed (docs/invariants.md #4). So a pricing refusal is carried to the service as an
 * UnpricedRequest, which replays the key when it committed and otherwise throws the refusal.
 */

/** A request the price book refused, with the key that may still replay it. Never leaves the ledger module. */
export class UnpricedRequest extends Error {
  constructor(
    readonly refusal: DomainError,
    readonly idempotencyKey: string,
  ) {
    super(refusal.message);
  }
}

/** A keyed usage request checked and priced: what a charge or a reserve records. */
export interface PricedUsage {
  amount: bigint;
  usage: UsageDetails;
  /** "Caption: 3 captions", as the ledger entry describes it. */
  described: string;
}

/**
 * Prices a keyed usage request (a charge or a reserve) and checks what it is for; the price
 * book's refusal becomes an UnpricedRequest carrying `idempotencyKey`.
 */
export function priceKeyed(pricing: PricingService, input: UsageInputData, idempotencyKey: string): PricedUsage {
  let quote: PriceQuote;
  try {
    quote = pricing.quote(input);
  } catch (error) {
    throw error instanceof DomainError ? new UnpricedRequest(error, idempotencyKey) : error;
  }
  return {
    amount: quote.amount,
    // The metadata is checked (size, depth) here, before the request hash walks it.
    usage: usageDetails(input, quote.feature.unit, quote.quantity, quote.provider),
    described: describeUsage(quote.feature.label, quote.quantity, quote.feature.unit, quote.feature.model),
  };
}

/** A lookup's result: its value, or the error to answer. */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** A retry the price book refused, and the hash of its request (computed only if its key was used). */
export interface UnpricedRetry {
  error: UnpricedRequest;
  requestHashOf: () => string;
}

/**
 * For each retry of one account: the entry its key recorded, if its request is the same (else
 * IDEMPOTENCY_CONFLICT), or without one the price book's refusal; one query for all their keys.
 * Committed entries never change, so this read needs no wallet lock. A key whose original is
 * still queued on another instance (a rolling PRICE_BOOK change) is not found yet: its retry gets
 * the refusal, and the next retry replays it.
 */
export async function replayUnpricedAll(sql: Sql, accountId: string, retries: readonly UnpricedRetry[]): Promise<Settled<LedgerEntry>[]> {
  const rows = await sql.query<{ entry: Record<string, unknown> }>(
    `select ${ENTRY_JSON} as entry from ledger_transaction t where t.account_id = ? and t.idempotency_key = any(?::text[])`,
    [accountId, [...new Set(retries.map((retry) => retry.error.idempotencyKey))]],
  );
  const byKey = new Map(rows.map((row) => decodeEntry(row.entry)).map((entry) => [entry.idempotencyKey!, entry]));
  return retries.map((retry): Settled<LedgerEntry> => {
    try {
      const entry = byKey.get(retry.error.idempotencyKey);
      if (!entry) throw retry.error.refusal;
      return { ok: true, value: replayOf(entry, retry.requestHashOf()) };
    } catch (error) {
      return { ok: false, error };
    }
  });
}

/** One request's replay (replayUnpricedAll); any error but an UnpricedRequest is thrown as it is. */
export async function replayUnpriced(sql: Sql, accountId: string, error: unknown, requestHashOf: () => string): Promise<LedgerEntry> {
  if (!(error instanceof UnpricedRequest)) throw error;
  const [replayed] = await replayUnpricedAll(sql, accountId, [{ error, requestHashOf }]);
  if (!replayed.ok) throw replayed.error;
  return replayed.value;
}
