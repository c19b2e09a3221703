import Stripe from 'stripe';
import type { Config } from '../../config';

/**
 * The Stripe SDK, or null when STRIPE_SECRET_KEY is not set (billing is then
 * BILLING_NOT_CONFIGURED and the rest of the service works). STRIPE_API_BASE points the SDK
 * at a Stripe-compatible server (tests, stripe-mock).
 */
export function createStripeClient(config: Config): Stripe | null {
  const key = config.stripe.secretKey;
  if (!key) return null;
  const opts: ConstructorParameters<typeof Stripe>[1] = { maxNetworkRetries: 2, timeout: 20_000 };
  if (config.stripe.apiBase) {
    const u = new URL(config.stripe.apiBase);
    const protocol = u.protocol === 'http:' ? 'http' : 'https';
    Object.assign(opts, { host: u.hostname, port: Number(u.port || (protocol === 'http' ? 80 : 443)), protocol });
  }
  return new Stripe(key, opts);
}

/** The id of a Stripe field that is an id or, when expanded, the object itself. */
export const idOf = (value: string | { id: string } | null | undefined): string | null =>
  value === null || value === undefined ? null : typeof value === 'string' ? value : value.id;

/** A Stripe answer that will not change on retry (bad request, card/permission errors); anything else may. */
export function isPermanentStripeError(err: unknown): boolean {
  const e = err as { type?: string; statusCode?: number };
  if (!e || typeof e !== 'object' || typeof e.type !== 'string' || !e.type.startsWith('Stripe')) return false;
  if (e.type === 'StripeConnectionError' || e.type === 'StripeAPIError' || e.type === 'StripeRateLimitError' || e.type === 'StripeIdempotencyError') return false;
  const status = e.statusCode ?? 0;
  return status >= 400 && status < 500 && status !== 409 && status !== 429;
}

export type { Stripe };
