import type { Sql } from '../../db/sql';
import { DomainError } from '../../shared/errors';
import type { PriceQuote, PricingService } from '../pricing/pricing.service';
import { replayOf } from './domain/checks';
import type { LedgerEntry } from './domain/state';
import type { UsageInputData } from './ledger.input';
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

/** The price of a keyed request; the price book's refusal becomes an UnpricedRequest. */
export function quoteKeyed(pricing: PricingService, input: UsageInputData, idempotencyKey: string): PriceQuote {
  try {
    return pricing.quote(input);
  } catch (error) {
    throw error instanceof DomainError ? new UnpricedRequest(error, idempotencyKey) : error;
  }
}

/**
 * The entry an UnpricedRequest's key recorded, if its request is the same (else
 * IDEMPOTENCY_CONFLICT); without one, the price book's refusal. Any other error is thrown as it
 * is. Committed entries never change, so this read needs no wallet lock.
 */
export async function replayUnpriced(sql: Sql, accountId: string, error: unknown, requestHashOf: () => string): Promise<LedgerEntry> {
  if (!(error instanceof UnpricedRequest)) throw error;
  const rows = await sql.query<{ entry: Record<string, unknown> }>(
    `select ${ENTRY_JSON} as entry from ledger_transaction t where t.account_id = ? and t.idempotency_key = ?`,
    [accountId, error.idempotencyKey],
  );
  if (rows.length === 0) throw error.refusal;
  return replayOf(decodeEntry(rows[0].entry), requestHashOf());
}
