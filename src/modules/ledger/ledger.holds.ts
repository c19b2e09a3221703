import { badInput } from '../../shared/errors';
import { formatCredits } from '../../shared/money';
import type { FeaturePriceDef } from '../pricing/price-book.presets';
import { PricingModel } from '../pricing/price-book.presets';
import type { PricingService } from '../pricing/pricing.service';
import type { CaptureOperation, ReserveOperation } from './domain/operations';
import { priceKeyed } from './ledger.replays';
import type { HoldRecord } from './domain/state';
import { assertClientKey, assertMetadata, describeUsage, holdSeconds, requestHash, type CaptureInputData, type UsageInputData } from './ledger.input';

/**
 * Holds as the service prepares them: the reserve priced and checked before it is queued, and
 * the capture's terms (no I/O). Whether a hold is still PENDING is decided under the wallet lock
 * (docs/invariants.md #4); these only build the operation.
 */

export type ReserveInputData = UsageInputData & { idempotencyKey: string; expiresInSeconds?: number | null };

/** A reserve checked and priced at today's price book: the price it holds is the price agreed. */
export function reserveOperation(pricing: PricingService, input: ReserveInputData): ReserveOperation {
  const idempotencyKey = assertClientKey(input.idempotencyKey);
  const seconds = holdSeconds(input.expiresInSeconds);
  const priced = priceKeyed(pricing, input, idempotencyKey);
  return {
    type: 'reserve',
    amount: priced.amount,
    idempotencyKey,
    requestHash: reserveRequestHash(input),
    usage: priced.usage,
    expiresInMs: seconds * 1000,
    description: `Hold for ${priced.described}`,
  };
}

/** The hash a reserve's key is recorded with (its lifetime as checked); metadata checked first when that has not been done. */
export function reserveRequestHash(input: ReserveInputData, checkMetadata = false): string {
  if (checkMetadata) assertMetadata(input.metadata);
  return requestHash('reserve', { ...input, expiresInSeconds: holdSeconds(input.expiresInSeconds) });
}

/** What a capture records: the credits spent and the usage they are for. */
export type CaptureTerms = Pick<CaptureOperation, 'amount' | 'quantity' | 'unit' | 'description' | 'metadata'>;

const isGiven = (value: unknown): boolean => value !== null && value !== undefined;

/** Whether the capture reports actual usage (quantity or provider cost) instead of taking the estimate. */
export const reportsUsage = (actual: CaptureInputData): boolean => isGiven(actual.quantity) || isGiven(actual.providerCost);

/**
 * The capture of a hold whose feature the price book still has: the estimate when nothing is
 * reported, else the reported usage priced now (may be 0: the job cost nothing and the whole hold
 * goes back).
 */
export function pricedCaptureTerms(pricing: PricingService, feature: FeaturePriceDef, hold: HoldRecord, actual: CaptureInputData): CaptureTerms {
  const { quantity, providerCost } = actual;
  const reported = reportsUsage(actual);
  let amount = hold.amount;
  const actualQuantity: number | null = reported ? (quantity ?? null) : hold.quantity;
  if (reported) {
    const passThrough = feature.model === PricingModel.PASS_THROUGH;
    if (passThrough && !isGiven(providerCost)) throw badInput(`providerCost is required to capture a "${feature.feature}" hold`);
    const priced = quantity ?? (passThrough ? hold.quantity : null);
    amount = pricing.priceOf({ feature: hold.feature, provider: hold.provider, quantity: priced, providerCost }).amount;
  }
  return {
    amount,
    quantity: actualQuantity,
    unit: feature.unit,
    description: describeUsage(feature.label, actualQuantity ?? 1, feature.unit, feature.model),
    metadata: isGiven(providerCost) ? { providerCost: formatCredits(providerCost!) } : null,
  };
}

/**
 * The capture of a hold whose feature the current price book no longer has (PRICE_BOOK changed
 * while it was pending): the credits held, the price agreed when it was reserved, with the
 * reserve's unit. Reported usage cannot be priced, so it is refused and nothing changes.
 */
export function refuseUnpricedUsage(hold: HoldRecord, actual: CaptureInputData): void {
  if (!reportsUsage(actual)) return;
  throw badInput(
    `"${hold.feature}" is not in the current price book, so usage of it cannot be priced: capture this hold without quantity or providerCost to take the ${formatCredits(hold.amount)} credits held, or release it`,
  );
}

export function heldCaptureTerms(hold: HoldRecord, reservedUnit: string | null): CaptureTerms {
  return { amount: hold.amount, quantity: hold.quantity, unit: reservedUnit, description: `${hold.feature}, at the price held when it was reserved`, metadata: null };
}

/**
 * The capture operation: with a key, its retry replays the CAPTURE entry. The hash covers what the
 * client sent (`sentHoldId` as written), so stored hashes stay comparable.
 */
export function captureOperation(hold: HoldRecord, sentHoldId: string, actual: CaptureInputData, idempotencyKey: string | null, terms: CaptureTerms): CaptureOperation {
  const { quantity, providerCost } = actual;
  return {
    type: 'capture',
    holdId: hold.id,
    ...terms,
    idempotencyKey,
    requestHash: idempotencyKey === null ? null : requestHash('captureHold', { holdId: sentHoldId, quantity, providerCost }),
  };
}
