import Stripe from 'stripe';

/**
 * PaymentIntents for the fake Stripe (fake-stripe.ts), as auto top-up uses them: create with
 * `confirm: true, off_session: true` and read back. The outcome is scripted by the payment
 * method, like Stripe's test cards: `pm_card_chargeDeclined` is declined (402 card_error
 * `card_declined`), `pm_card_authenticationRequired` needs authentication (402 card_error
 * `authentication_required`), anything else succeeds. Like Stripe, it then sends a really signed
 * `payment_intent.succeeded` or `payment_intent.payment_failed` webhook to the API (once
 * `sendWebhooksTo` is set); `holdWebhooks` keeps them until `releaseWebhooks`.
 */
export interface SentWebhook {
  id: string;
  type: string;
  payload: string;
  status: number | null;
}

export const DECLINED_CARD = 'pm_card_chargeDeclined';
export const AUTHENTICATION_CARD = 'pm_card_authenticationRequired';

/** A PaymentIntent as the fake keeps it (the fields the API reads). */
interface Intent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_received: number;
  currency: string;
  customer: string | null;
  payment_method: string | null;
  off_session: boolean;
  confirm: boolean;
  metadata: Record<string, unknown>;
  description: string | null;
  setup_future_usage: string | null;
  status: string;
  last_payment_error: { type: string; code: string; message: string } | null;
  /** Its charge, as `expand: ['latest_charge']` returns it; set by a test to show refunds made in the dashboard. */
  latest_charge?: Record<string, unknown> | null;
}

export class FakePaymentIntents {
  readonly created = new Map<string, Intent>();
  readonly sent: SentWebhook[] = [];
  private target: { url: string; secret: string } | null = null;
  private held: { id: string; type: string; object: Intent }[] | null = null;
  private seq = 0;

  /** The API's POST /webhooks/stripe and its STRIPE_WEBHOOK_SECRET. */
  sendWebhooksTo(url: string, secret: string): void {
    this.target = { url, secret };
  }

  holdWebhooks(): void {
    this.held ??= [];
  }

  /** Sends what was held (in order) and stops holding. */
  async releaseWebhooks(): Promise<void> {
    const held = this.held ?? [];
    this.held = null;
    for (const event of held) await this.send(event.id, event.type, event.object);
  }

  /**
   * A PaymentIntent as Stripe's hosted Checkout leaves it once the customer has paid: succeeded,
   * with the session's `payment_intent_data.metadata`. Checkout announces the payment with its own
   * `checkout.session.completed`, so none is sent here.
   */
  paidThroughCheckout(amount: number, metadata: Record<string, string>): string {
    const id = `pi_test_${++this.seq}_${Date.now()}`;
    this.created.set(id, {
      id,
      object: 'payment_intent',
      amount,
      amount_received: amount,
      currency: 'usd',
      customer: null,
      payment_method: 'pm_card_visa',
      off_session: false,
      confirm: true,
      metadata,
      description: null,
      setup_future_usage: 'off_session',
      status: 'succeeded',
      last_payment_error: null,
    });
    return id;
  }

  /** A request this part of the fake answers, or null. */
  route(method: string, path: string, body: Record<string, unknown>): [number, unknown] | null {
    if (method === 'POST' && path === '/v1/payment_intents') return this.create(body);
    const read = /^\/v1\/payment_intents\/([\w-]+)$/.exec(path);
    if (method === 'GET' && read) {
      const intent = this.created.get(read[1]);
      return intent ? [200, intent] : [404, { error: { type: 'invalid_request_error', message: `No such payment_intent: '${read[1]}'` } }];
    }
    return null;
  }

  private create(body: Record<string, unknown>): [number, unknown] {
    if (!/^\d+$/.test(String(body.amount)) || !body.currency) return [400, { error: { type: 'invalid_request_error', message: 'amount and currency are required' } }];
    const id = `pi_test_${++this.seq}_${Date.now()}`;
    const failure = body.payment_method === DECLINED_CARD ? 'card_declined' : body.payment_method === AUTHENTICATION_CARD ? 'authentication_required' : null;
    const intent: Intent = {
      id,
      object: 'payment_intent',
      amount: Number(body.amount),
      amount_received: failure ? 0 : Number(body.amount),
      currency: String(body.currency),
      customer: (body.customer as string | undefined) ?? null,
      payment_method: (body.payment_method as string | undefined) ?? null,
      off_session: body.off_session === 'true',
      confirm: body.confirm === 'true',
      metadata: (body.metadata as Record<string, unknown> | undefined) ?? {},
      description: (body.description as string | undefined) ?? null,
      setup_future_usage: null,
      status: failure ? 'requires_payment_method' : 'succeeded',
      last_payment_error: failure ? { type: 'card_error', code: failure, message: failure === 'card_declined' ? 'Your card was declined.' : 'This payment requires authentication.' } : null,
    };
    this.created.set(id, intent);
    void this.emit(failure ? 'payment_intent.payment_failed' : 'payment_intent.succeeded', intent);
    if (!failure) return [200, intent];
    return [
      402,
      {
        error: {
          type: 'card_error',
          code: failure,
          decline_code: failure === 'card_declined' ? 'generic_decline' : undefined,
          message: intent.last_payment_error!.message,
          payment_intent: intent,
        },
      },
    ];
  }

  /** A signed event about `object`, sent after the API's request was answered. */
  async emit(type: string, object: Intent): Promise<string> {
    const id = `evt_test_pi_${++this.seq}_${Date.now()}`;
    if (this.held) this.held.push({ id, type, object });
    else setTimeout(() => void this.send(id, type, object), 10);
    return id;
  }

  private async send(id: string, type: string, object: Intent): Promise<void> {
    if (!this.target) return;
    const payload = JSON.stringify({ id, object: 'event', api_version: '2026-10-28.endive', created: Math.floor(Date.now() / 1000), livemode: false, type, data: { object } });
    const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: this.target.secret });
    const sent: SentWebhook = { id, type, payload, status: null };
    this.sent.push(sent);
    try {
      const response = await fetch(this.target.url, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': signature }, body: payload });
      sent.status = response.status;
    } catch {
      sent.status = 0;
    }
  }

  /** Sends a webhook again exactly as before (a duplicate delivery). */
  async resend(sent: SentWebhook): Promise<number> {
    const signature = Stripe.webhooks.generateTestHeaderString({ payload: sent.payload, secret: this.target!.secret });
    const response = await fetch(this.target!.url, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': signature }, body: sent.payload });
    return response.status;
  }
}
