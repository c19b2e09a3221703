import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakePaymentIntents } from './fake-stripe-intents';
import { postStripeEvent, stripeEvent } from './stripe-events';

/**
 * A small Stripe-compatible HTTP server for tests: the real `stripe` SDK is pointed at it
 * with host/port/protocol. It implements the endpoints billing uses, parses the SDK's
 * form-encoded bodies into nested objects, honours Idempotency-Key like Stripe (same key and
 * parameters: same response, no second effect; same key with other parameters: a 400
 * `idempotency_error`), and records every request so tests can assert what Stripe was asked to
 * do (e.g. the refund amount). `loseNextResponses` plays a request that reached Stripe whose
 * answer never came back (a timeout): it takes effect, and the client sees the connection close.
 *
 * With `hostPages(...)` it also plays Stripe's hosted pages for browser tests: a Checkout
 * session's `url` opens a page on this server with a Pay button, which sends a really signed
 * `checkout.session.completed` webhook to the API (as Stripe would) and then redirects to the
 * session's `success_url`. A setup-mode session's page has a "Save card" button instead, which
 * also sends `setup_intent.succeeded` for an off-session card (`pm_card_visa`) with the
 * session's `setup_intent_data.metadata`, as Stripe does. A subscription-mode session's Pay
 * button also sends the first invoice's `invoice.paid` (`billing_reason: subscription_create`, a
 * month from now, with the subscription's metadata). A billing portal session's `url` opens a
 * page linking back to its `return_url`.
 */
export interface RecordedRequest {
  method: string;
  path: string;
  body: FormBody;
  idempotencyKey: string | null;
}

/** `passFirst`: requests to the path that go through before this failure answers one. */
type Failure = { status: number; type: string; message: string; passFirst: number };

/** What a hosted Checkout page needs to complete a session. */
interface CheckoutRecord {
  id: string;
  mode: string;
  customer: string | null;
  client_reference_id: string | null;
  metadata: Record<string, string>;
  /** setup_intent_data.metadata (setup mode). */
  setupMetadata: Record<string, string>;
  /** subscription_data.metadata (subscription mode): the subscription's, which its invoices repeat. */
  subscriptionMetadata: Record<string, string>;
  success_url: string;
  cancel_url: string;
  amount_total: number;
  currency: string;
  description: string;
}

export interface HostedPages {
  /** The API's POST /webhooks/stripe. */
  webhookUrl: string;
  /** STRIPE_WEBHOOK_SECRET of the API: deliveries are signed with it. */
  webhookSecret: string;
}

/** A webhook the hosted Pay button sent, and how the API answered. */
export interface DeliveredWebhook {
  type: string;
  sessionId: string;
  status: number;
}

export class FakeStripe {
  readonly requests: RecordedRequest[] = [];
  private readonly server: http.Server;
  private readonly idempotent = new Map<string, { status: number; body: unknown; request: string }>();
  private readonly failures = new Map<string, Failure[]>();
  private readonly lost = new Map<string, number>();
  private seq = 0;
  private hosted: HostedPages | null = null;
  private readonly sessions = new Map<string, CheckoutRecord>();
  private heldEvents: { type: string; object: Record<string, unknown>; sessionId: string }[] | null = null;
  readonly webhooks: DeliveredWebhook[] = [];
  url = '';
  /** PaymentIntents and the webhooks Stripe sends about them (fake-stripe-intents.ts). */
  readonly intents = new FakePaymentIntents();

  constructor() {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = (req.url ?? '/').split('?')[0];
        if (this.hosted && (path.startsWith('/checkout/') || path.startsWith('/portal/'))) {
          this.hostedPage(req.method ?? 'GET', req.url ?? path, res).catch((err: Error) => {
            res.writeHead(500, { 'content-type': 'text/plain' });
            res.end(err.message);
          });
          return;
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        const body = parseForm(raw);
        const key = (req.headers['idempotency-key'] as string | undefined) ?? null;
        this.requests.push({ method: req.method ?? 'GET', path, body, idempotencyKey: key });
        const send = (status: number, payload: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${++this.seq}` });
          res.end(JSON.stringify(payload));
        };
        const queued = this.failures.get(path);
        const failure = queued?.[0] && queued[0].passFirst === 0 ? queued.shift() : undefined;
        if (queued?.[0] && !failure) queued[0].passFirst--;
        if (failure) {
          send(failure.status, { error: { type: failure.type, message: failure.message } });
          return;
        }
        const cacheKey = key ? `${path}:${key}` : null;
        const prev = cacheKey ? this.idempotent.get(cacheKey) : undefined;
        if (prev && prev.request !== raw) {
          const message = `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`;
          send(400, { error: { type: 'idempotency_error', message } });
          return;
        }
        const [status, payload] = prev ? [prev.status, prev.body] : this.route(req.method ?? 'GET', path, body);
        if (cacheKey && !prev) this.idempotent.set(cacheKey, { status, body: payload, request: raw });
        const lost = this.lost.get(path) ?? 0;
        if (lost > 0) {
          this.lost.set(path, lost - 1);
          req.socket.destroy();
          return;
        }
        send(status, payload);
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** The next request to `path` fails with this status (Stripe error body), once per call. */
  failNext(path: string, status: number, type = status >= 500 ? 'api_error' : 'invalid_request_error', message = 'injected failure'): void {
    this.failAfter(path, 0, status, type, message);
  }

  /** Like failNext, after `passFirst` more requests to `path` went through (with loseNextResponses: a retry of a lost request refused). */
  failAfter(path: string, passFirst: number, status: number, type = status >= 500 ? 'api_error' : 'invalid_request_error', message = 'injected failure'): void {
    if (!this.failures.has(path)) this.failures.set(path, []);
    this.failures.get(path)!.push({ status, type, message, passFirst });
  }

  /** The next `count` requests to `path` take effect, but their connection closes unanswered. */
  loseNextResponses(path: string, count: number): void {
    this.lost.set(path, (this.lost.get(path) ?? 0) + count);
  }

  /** Serve hosted Checkout and portal pages (session urls point here) that talk to this API. */
  hostPages(pages: HostedPages): void {
    this.hosted = pages;
  }

  to(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  private route(method: string, path: string, body: FormBody): [number, unknown] {
    const n = ++this.seq;
    const intent = this.intents.route(method, path, body);
    if (intent) return intent;
    if (method !== 'POST') return [404, { error: { type: 'invalid_request_error', message: `Unrecognized request URL (${method}: ${path})` } }];
    switch (path) {
      case '/v1/customers':
        return [200, { id: `cus_test_${n}`, object: 'customer', email: body.email ?? null, metadata: body.metadata ?? {} }];
      case '/v1/checkout/sessions': {
        const id = `cs_test_${n}`;
        const line = body.line_items?.[0] ?? {};
        this.sessions.set(id, {
          id,
          mode: body.mode,
          customer: body.customer ?? null,
          client_reference_id: body.client_reference_id ?? null,
          metadata: body.metadata ?? {},
          setupMetadata: body.setup_intent_data?.metadata ?? {},
          subscriptionMetadata: body.subscription_data?.metadata ?? {},
          success_url: body.success_url ?? '',
          cancel_url: body.cancel_url ?? '',
          amount_total: Number(line.price_data?.unit_amount ?? 0) * Number(line.quantity ?? 1),
          currency: line.price_data?.currency ?? 'usd',
          description: line.price_data?.product_data?.name ?? line.price ?? 'Purchase',
        });
        return [
          200,
          {
            id,
            object: 'checkout.session',
            mode: body.mode,
            customer: body.customer,
            client_reference_id: body.client_reference_id ?? null,
            metadata: body.metadata ?? {},
            status: 'open',
            payment_status: 'unpaid',
            url: this.hosted ? `${this.url}/checkout/${id}` : `https://checkout.stripe.test/c/pay/${id}`,
          },
        ];
      }
      case '/v1/refunds':
        if (!body.payment_intent || !/^\d+$/.test(String(body.amount))) return [400, { error: { type: 'invalid_request_error', message: 'payment_intent and amount required' } }];
        return [200, { id: `re_test_${n}`, object: 'refund', amount: Number(body.amount), payment_intent: body.payment_intent, status: 'succeeded', metadata: body.metadata ?? {} }];
      case '/v1/billing_portal/sessions':
        return [
          200,
          {
            id: `bps_test_${n}`,
            object: 'billing_portal.session',
            customer: body.customer,
            return_url: body.return_url ?? null,
            url: this.hosted ? `${this.url}/portal/bps_test_${n}?return_url=${encodeURIComponent(body.return_url ?? '')}` : `https://billing.stripe.test/p/session/bps_test_${n}`,
          },
        ];
      default:
        return [404, { error: { type: 'invalid_request_error', message: `Unrecognized request URL (POST: ${path})` } }];
    }
  }

  // ---------------------------------------------------------------- hosted pages (browser tests)

  private async hostedPage(method: string, url: string, res: http.ServerResponse): Promise<void> {
    const { pathname: path, searchParams } = new URL(url, 'http://fake-stripe');
    const html = (status: number, title: string, body: string) => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><main><h1>${title}</h1>${body}</main></body></html>`);
    };
    if (path.startsWith('/portal/')) {
      const back = searchParams.get('return_url') ?? '';
      html(200, 'Billing portal (test)', `<p>Invoices and payment methods would be here.</p><p><a href="${escapeHtml(back)}">Return to the dashboard</a></p>`);
      return;
    }
    const [, , id, action] = path.split('/');
    const session = this.sessions.get(id);
    if (!session) return html(404, 'Unknown checkout session', '');
    if (method === 'GET' && session.mode === 'setup') {
      return html(
        200,
        'Save a card (test)',
        `<p>A card for later payments, saved with Stripe.</p>
         <form method="post" action="/checkout/${id}/pay"><button type="submit">Save card</button></form>
         <p><a href="${escapeHtml(session.cancel_url)}">Cancel</a></p>`,
      );
    }
    if (method === 'GET') {
      const price = `${(session.amount_total / 100).toFixed(2)} ${session.currency.toUpperCase()}`;
      return html(
        200,
        'Checkout (test)',
        `<p>${escapeHtml(session.description)}: ${price}</p>
         <form method="post" action="/checkout/${id}/pay"><button type="submit">Pay ${price}</button></form>
         <p><a href="${escapeHtml(session.cancel_url)}">Cancel</a></p>`,
      );
    }
    if (method === 'POST' && action === 'pay') {
      await this.deliverCompleted(session);
      res.writeHead(303, { location: session.success_url.replace('{CHECKOUT_SESSION_ID}', session.id) });
      res.end();
      return;
    }
    html(405, 'Method not allowed', '');
  }

  /** A paid checkout.session.completed (and, for setup mode, the setup_intent.succeeded), signed like Stripe signs them. */
  private async deliverCompleted(session: CheckoutRecord): Promise<void> {
    if (session.mode === 'setup') {
      const setupIntent = {
        id: `seti_test_${++this.seq}`,
        object: 'setup_intent',
        status: 'succeeded',
        usage: 'off_session',
        customer: session.customer,
        payment_method: 'pm_card_visa',
        metadata: session.setupMetadata,
      };
      await this.sendEvent('setup_intent.succeeded', setupIntent, session.id);
    }
    const subscription = session.mode === 'subscription' ? `sub_test_${++this.seq}` : null;
    const object = {
      id: session.id,
      object: 'checkout.session',
      mode: session.mode,
      status: 'complete',
      payment_status: session.mode === 'setup' ? 'no_payment_required' : 'paid',
      customer: session.customer,
      client_reference_id: session.client_reference_id,
      metadata: session.metadata,
      payment_intent: session.mode === 'payment' ? `pi_test_${++this.seq}` : null,
      subscription,
      amount_total: session.amount_total,
      currency: session.currency,
    };
    await this.sendEvent('checkout.session.completed', object, session.id);
    if (subscription) await this.sendEvent('invoice.paid', this.firstInvoice(session, subscription), session.id);
  }

  /** The paid first invoice of a subscription a Checkout session created: its first month, from now. */
  private firstInvoice(session: CheckoutRecord, subscription: string): Record<string, unknown> {
    const start = Math.floor(Date.now() / 1000);
    const end = start + 30 * 86_400;
    return {
      id: `in_test_${++this.seq}`,
      object: 'invoice',
      customer: session.customer,
      billing_reason: 'subscription_create',
      parent: { type: 'subscription_details', subscription_details: { subscription, metadata: session.subscriptionMetadata } },
      lines: { object: 'list', data: [{ id: `il_test_${++this.seq}`, object: 'line_item', period: { start, end } }] },
      amount_paid: session.amount_total,
      currency: session.currency,
      period_start: start,
      period_end: start,
    };
  }

  /** Hosted pages' webhooks wait (the customer is back before Stripe's webhook, as can happen) until `releaseHostedWebhooks`. */
  holdHostedWebhooks(): void {
    this.heldEvents ??= [];
  }

  /** Sends what was held, in order, and stops holding. */
  async releaseHostedWebhooks(): Promise<void> {
    const held = this.heldEvents ?? [];
    this.heldEvents = null;
    for (const event of held) await this.sendEvent(event.type, event.object, event.sessionId);
  }

  /** One event, signed with the API's webhook secret and POSTed to it; records the answer. */
  private async sendEvent(type: string, object: Record<string, unknown>, sessionId: string): Promise<void> {
    if (this.heldEvents) {
      this.heldEvents.push({ type, object, sessionId });
      return;
    }
    const { webhookUrl, webhookSecret } = this.hosted!;
    const answer = await postStripeEvent(webhookUrl, stripeEvent(type, object, { id: `evt_test_${++this.seq}` }), webhookSecret);
    this.webhooks.push({ type, sessionId, status: answer.status });
  }
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A decoded form body as the Stripe SDK sends it: strings nested in objects and arrays, whatever
 * the endpoint. Read loosely, as a server reads wire data; each route checks what it needs.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped wire data (see above)
export type FormBody = Record<string, any>;

/** `a[b][0][c]=1&d=2` -> { a: { b: [ { c: '1' } ] }, d: '2' } */
export function parseForm(text: string): FormBody {
  const root: FormBody = {};
  if (!text) return root;
  for (const pair of text.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const rawKey = decodeURIComponent((eq < 0 ? pair : pair.slice(0, eq)).replace(/\+/g, ' '));
    const value = eq < 0 ? '' : decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, ' '));
    const parts = rawKey.split(/\[|\]\[|\]/).filter((p) => p !== '');
    let node: FormBody = root;
    parts.forEach((p, i) => {
      if (i === parts.length - 1) node[p] = value;
      else node = node[p] ??= {};
    });
  }
  return arrayify(root) as FormBody;
}

/** Objects whose keys are all indexes become arrays, in index order. */
function arrayify(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  const entries = value as Record<string, unknown>;
  const keys = Object.keys(entries);
  if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) return keys.sort((a, b) => Number(a) - Number(b)).map((k) => arrayify(entries[k]));
  return Object.fromEntries(keys.map((k) => [k, arrayify(entries[k])]));
}
