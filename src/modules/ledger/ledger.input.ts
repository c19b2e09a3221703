import { createHash, hash } from 'node:crypto';
import { badInput } from '../../shared/errors';
import { checkJson, checkText } from '../../shared/input-guard';
import { PricingModel } from '../pricing/price-book.presets';
import type { CreditSource } from './domain/kinds';
import type { UsageDetails } from './domain/state';

/**
 * Checks of what callers send, made before an operation is queued: bad input is refused here
 * as BAD_USER_INPUT and never reaches (or fails) a batch.
 */

export interface UsageInputData {
  feature: string;
  quantity?: number | null;
  providerCost?: bigint | null;
  synfluencerId?: string | null;
  platform?: string | null;
  automationId?: string | null;
  provider?: string | null;
  metadata?: Record<string, unknown> | null;
}

/** A charge: the usage and its idempotency key. */
export type ChargeInputData = UsageInputData & { idempotencyKey: string };

/** What a capture reports: the actual usage (nothing: the reserved estimate) and an optional key. */
export interface CaptureInputData {
  quantity?: number | null;
  providerCost?: bigint | null;
  idempotencyKey?: string | null;
}

/** Most charges one chargeUsageBatch call may carry. */
export const MAX_BATCH_ITEMS = 1000;

// ---------------------------------------------------------------- inputs of the credit verbs

/** Admin grants (and any grant by source). */
export interface GrantInput {
  source: CreditSource;
  amount: bigint;
  description: string;
  expiresAt?: Date | null;
  idempotencyKey?: string | null;
  metadata?: Record<string, unknown> | null;
}

/** A paid Stripe purchase (billing). */
export interface PurchaseGrant {
  credits: bigint;
  description: string;
  idempotencyKey: string;
  paymentIntentId: string | null;
  amountPaidMinor: string;
  currency: string;
  metadata: Record<string, unknown>;
}

/** A plan period's allocation (billing). */
export interface PlanAllocation {
  credits: bigint;
  expiresAt: Date;
  description: string;
  idempotencyKey: string;
  metadata: Record<string, unknown>;
}

/** Credits removed from a purchased bucket for a refund (billing). */
export interface RefundDebit {
  bucketId: string;
  /** At most this much: only credits neither spent nor held are removed. */
  credits: bigint;
  idempotencyKey: string;
  description: string;
  metadata: Record<string, unknown>;
}

/** Credits given back after Stripe refused a refund (billing). */
export interface RefundRestore {
  credits: bigint;
  idempotencyKey: string;
  description: string;
  paymentIntentId: string;
  amountPaidMinor: string;
  currency: string;
  metadata: Record<string, unknown>;
}

// ---------------------------------------------------------------- checks

export const MAX_HOLD_SECONDS = 86_400;
export const DEFAULT_HOLD_SECONDS = 900;
const MAX_KEY_LENGTH = 255;
const MAX_TEXT = 200;
const MAX_METADATA_JSON = 4096;
/** JSON.stringify writes a lone surrogate as a \\udXXX escape, which PostgreSQL's jsonb refuses. */
const LONE_SURROGATE = /\\ud[89ab][0-9a-f]{2}(?!\\ud[c-f][0-9a-f]{2})|(?<!\\ud[89ab][0-9a-f]{2})\\ud[c-f][0-9a-f]{2}/i;
/** Idempotency key prefixes used by the service itself (billing); clients may not use them. */
export const RESERVED_KEY_PREFIXES = ['stripe:', 'refund:', 'internal:'];

/** An optional short text field: null when empty. */
function shortText(name: string, value: string | null | undefined): string | null {
  if (value === null || value === undefined || value === '') return null;
  // The GraphQL input guard checks this too; MCP and other callers reach here without it.
  checkText(value, name, MAX_TEXT);
  return value;
}

/** Metadata's size, depth and text checked (before anything walks it, such as the request hash). */
export function assertMetadata(metadata: Record<string, unknown> | null | undefined): void {
  if (metadata === null || metadata === undefined) return;
  if (typeof metadata !== 'object' || Array.isArray(metadata)) throw badInput('metadata must be a JSON object');
  checkJson(metadata, 'metadata'); // depth, keys and storable text, for callers without the GraphQL guard
  const json = JSON.stringify(metadata);
  if (json.length > MAX_METADATA_JSON) throw badInput('metadata must be at most 4 KiB of JSON');
  // PostgreSQL's jsonb refuses \u0000: refuse it here as bad input rather than fail the batch.
  if (json.includes('\\u0000')) throw badInput('metadata must not contain NUL characters');
  // A lone UTF-16 surrogate is valid in a JS string but not in jsonb: bad input, not a failed batch.
  if (LONE_SURROGATE.test(json)) throw badInput('metadata must be valid Unicode text');
}

/** What a charge or hold is for, checked. The synfluencer's ownership is checked by the caller. */
export function usageDetails(input: UsageInputData, unit: string, quantity: number | null, provider: string | null): UsageDetails {
  assertMetadata(input.metadata);
  return {
    feature: input.feature,
    synfluencerId: input.synfluencerId ?? null,
    platform: shortText('platform', input.platform),
    automationId: shortText('automationId', input.automationId),
    provider: shortText('provider', provider),
    quantity,
    unit,
    metadata: input.metadata ?? null,
  };
}

export function assertKey(key: string): string {
  if (typeof key !== 'string' || key.trim() === '' || key.length > MAX_KEY_LENGTH) {
    throw badInput(`idempotencyKey must be 1 to ${MAX_KEY_LENGTH} characters`);
  }
  // PostgreSQL's text refuses U+0000; said as such (it read as a length problem).
  if (key.includes('\u0000')) throw badInput('idempotencyKey must not contain NUL characters (U+0000)');
  // A lone surrogate would be stored as U+FFFD: a retry would no longer find its own key.
  checkText(key, 'idempotencyKey', MAX_KEY_LENGTH);
  return key;
}

/**
 * Keys that clients send. A key applies once per account across every verb
 * (docs/invariants.md #4), so the prefixes the service uses for its own movements (Stripe
 * events, refunds) are reserved: a client could otherwise burn the key of a payment it has not
 * been credited for.
 */
export function assertClientKey(key: string): string {
  assertKey(key);
  if (RESERVED_KEY_PREFIXES.some((prefix) => key.startsWith(prefix))) {
    throw badInput(`idempotencyKey must not start with ${RESERVED_KEY_PREFIXES.map((prefix) => `"${prefix}"`).join(', ')} (reserved)`);
  }
  return key;
}

/** An optional client key (captureHold, releaseHold): null when absent, checked like any client key when given. */
export function optionalClientKey(key: string | null | undefined): string | null {
  return key === null || key === undefined ? null : assertClientKey(key);
}

/** The hold lifetime a reserve asks for, checked. */
export function holdSeconds(requested: number | null | undefined): number {
  const seconds = requested ?? DEFAULT_HOLD_SECONDS;
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_HOLD_SECONDS) {
    throw badInput(`expiresInSeconds must be between 1 and ${MAX_HOLD_SECONDS}`);
  }
  return seconds;
}

/** The ledger entry's description of a usage charge. */
export function describeUsage(label: string, quantity: number, unit: string, model: PricingModel): string {
  if (model === PricingModel.PASS_THROUGH) return label;
  return `${label}: ${quantity} ${unit}${quantity === 1 ? '' : 's'}`;
}

/** A stable hash of a request, so a retry with the same key is told apart from a different request. */
export function requestHash(verb: string, input: object): string {
  // The account is resolved before (an API key's own, or the one an admin names) and keys are
  // per account: naming it or leaving it out is the same request (docs/invariants.md #4).
  return sha256Hex(canonicalJson({ verb, ...input, idempotencyKey: undefined, accountId: undefined }));
}

/** One-shot hashing (crypto.hash, Node 20.12+) where available: several times cheaper than a Hash object per request. */
const sha256Hex: (text: string) => string =
  typeof hash === 'function' ? (text) => hash('sha256', text, 'hex') : (text) => createHash('sha256').update(text).digest('hex');

/**
 * JSON with object keys sorted and null or undefined fields left out, so equal requests hash
 * equally whatever their field order. Stored hashes depend on this exact text: never change it.
 */
function canonicalJson(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'bigint') return JSON.stringify(value.toString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (typeof value === 'object') {
    const fields = value as Record<string, unknown>;
    let text = '';
    for (const key of Object.keys(fields).sort()) {
      const field = fields[key];
      if (field === undefined || field === null) continue;
      text += `${text === '' ? '' : ','}${JSON.stringify(key)}:${canonicalJson(field)}`;
    }
    return `{${text}}`;
  }
  return JSON.stringify(value);
}
