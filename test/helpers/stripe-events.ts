import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';

/**
 * Stripe events as Stripe sends them, signed with the real SDK's test header and POSTed to an
 * app's `/webhooks/stripe` (billing, auto top-up and outbound-webhook tests).
 */

const rid = () => randomBytes(6).toString('hex');

/** An event wrapping `object`; `created` in seconds (default now), `id` fresh unless given (a redelivery reuses it). */
export function stripeEvent<T extends object>(type: string, object: T, o: { created?: number; id?: string } = {}) {
  return { id: o.id ?? `evt_${rid()}`, object: 'event', api_version: '2026-10-28.endive', created: o.created ?? Math.floor(Date.now() / 1000), livemode: false, type, data: { object } };
}

/** Signs `event` with `secret` (at `timestamp`, default now; `tamper` changes the body after signing) and POSTs it to `url`. */
export async function postStripeEvent(url: string, event: object, secret: string, o: { timestamp?: number; tamper?: (payload: string) => string } = {}) {
  const payload = JSON.stringify(event);
  const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: o.timestamp });
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': signature }, body: o.tamper ? o.tamper(payload) : payload });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** A paid invoice of a plan subscription for the period [start, end] (seconds), the shape billing.webhook reads. */
export function planInvoice(accountId: string, o: { sub: string; planId: string; start: number; end: number; id?: string }) {
  return {
    id: o.id ?? `in_${rid()}`,
    object: 'invoice',
    customer: null,
    billing_reason: 'subscription_cycle',
    parent: { type: 'subscription_details', subscription_details: { subscription: o.sub, metadata: { accountId, planId: o.planId } } },
    lines: { object: 'list', data: [{ id: `il_${rid()}`, object: 'line_item', period: { start: o.start, end: o.end } }] },
    period_start: o.start - 30 * 86_400,
    period_end: o.start,
  };
}

/** A setup-mode Checkout's SetupIntent that saved `paymentMethod` for the account's auto top-up (`setup_intent.succeeded`). */
export function autoTopUpCardSaved(accountId: string, paymentMethod: string) {
  return {
    id: `seti_${randomBytes(6).toString('hex')}`,
    object: 'setup_intent',
    status: 'succeeded',
    usage: 'off_session',
    customer: `cus_${accountId.slice(0, 8)}`,
    payment_method: paymentMethod,
    metadata: { accountId, purpose: 'auto_top_up' },
  };
}

/** A Stripe dispute (chargeback) of `amount` in the smallest unit on the payment intent `pi`. */
export function paymentDispute(pi: string, amount: number, id = `dp_${randomBytes(6).toString('hex')}`) {
  return { id, object: 'dispute', amount, currency: 'usd', charge: `ch_${randomBytes(6).toString('hex')}`, payment_intent: pi, reason: 'fraudulent', status: 'needs_response', metadata: {} };
}
