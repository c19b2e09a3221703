import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakePaymentIntents } from './fake-stripe-intents';

/**
 * A small Stripe-compatible HTTP server for tests: the real `stripe` SDK is pointed at it
 * with host/port/protocol. It implements the endpoints billing uses, parses the SDK's
 * form-encoded bodies into nested objects, honours Idempotency-Key like Stripe (same key:
 * same response, no second effect), and records every request so tests can assert what
 * Stripe was asked to do (e.g. the refund amount).
 */
export interface RecordedRequest {
  method: string;
  path: string;
  body: Record<string, unknown>;
  idempotencyKey: string | null;
}

type Failure = { status: number; type: string; message: string };

export class FakeStripe {
  readonly requests: RecordedRequest[] = [];
  private readonly server: http.Server;
  private readonly idempotent = new Map<string, { status: number; body: unknown }>();
  private readonly failures = new Map<string, Failure[]>();
  private seq = 0;
  url = '';
  /** PaymentIntents and the webhooks Stripe sends about them (fake-stripe-intents.ts). */
  readonly intents = new FakePaymentIntents();

  constructor() {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = (req.url ?? '/').split('?')[0];
        const body = parseForm(Buffer.concat(chunks).toString('utf8'));
        const key = (req.headers['idempotency-key'] as string | undefined) ?? null;
        this.requests.push({ method: req.method ?? 'GET', path, body, idempotencyKey: key });
        const send = (status: number, payload: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${++this.seq}` });
          res.end(JSON.stringify(payload));
        };
        const failure = this.failures.get(path)?.shift();
        if (failure) {
          send(failure.status, { error: { type: failure.type, message: failure.message } });
          return;
        }
        const cacheKey = key ? `${path}:${key}` : null;
        if (cacheKey && this.idempotent.has(cacheKey)) {
          const prev = this.idempotent.get(cacheKey)!;
          send(prev.status, prev.body);
          return;
        }
        const [status, payload] = this.route(req.method ?? 'GET', path, body);
        if (cacheKey) this.idempotent.set(cacheKey, { status, body: payload });
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
    if (!this.failures.has(path)) this.failures.set(path, []);
    this.failures.get(path)!.push({ status, type, message });
  }

  to(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  private route(method: string, path: string, body: Record<string, any>): [number, unknown] {
    const n = ++this.seq;
    const intent = this.intents.route(method, path, body);
    if (intent) return intent;
    if (method !== 'POST') return [404, { error: { type: 'invalid_request_error', message: `Unrecognized request URL (${method}: ${path})` } }];
    switch (path) {
      case '/v1/customers':
        return [200, { id: `cus_test_${n}`, object: 'customer', email: body.email ?? null, metadata: body.metadata ?? {} }];
      case '/v1/checkout/sessions':
        return [
          200,
          {
            id: `cs_test_${n}`,
            object: 'checkout.session',
            mode: body.mode,
            customer: body.customer,
            client_reference_id: body.client_reference_id ?? null,
            metadata: body.metadata ?? {},
            status: 'open',
            payment_status: 'unpaid',
            url: `https://checkout.stripe.test/c/pay/cs_test_${n}`,
          },
        ];
      case '/v1/refunds':
        if (!body.payment_intent || !/^\d+$/.test(String(body.amount))) return [400, { error: { type: 'invalid_request_error', message: 'payment_intent and amount required' } }];
        return [200, { id: `re_test_${n}`, object: 'refund', amount: Number(body.amount), payment_intent: body.payment_intent, status: 'succeeded', metadata: body.metadata ?? {} }];
      case '/v1/billing_portal/sessions':
        return [200, { id: `bps_test_${n}`, object: 'billing_portal.session', customer: body.customer, return_url: body.return_url ?? null, url: `https://billing.stripe.test/p/session/bps_test_${n}` }];
      default:
        return [404, { error: { type: 'invalid_request_error', message: `Unrecognized request URL (POST: ${path})` } }];
    }
  }
}

/** `a[b][0][c]=1&d=2` -> { a: { b: [ { c: '1' } ] }, d: '2' } */
export function parseForm(text: string): Record<string, any> {
  const root: Record<string, any> = {};
  if (!text) return root;
  for (const pair of text.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const rawKey = decodeURIComponent((eq < 0 ? pair : pair.slice(0, eq)).replace(/\+/g, ' '));
    const value = eq < 0 ? '' : decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, ' '));
    const parts = rawKey.split(/\[|\]\[|\]/).filter((p) => p !== '');
    let node: any = root;
    parts.forEach((p, i) => {
      if (i === parts.length - 1) node[p] = value;
      else node = node[p] ??= {};
    });
  }
  return arrayify(root);
}

function arrayify(v: any): any {
  if (v === null || typeof v !== 'object') return v;
  const keys = Object.keys(v);
  const out: any = keys.length > 0 && keys.every((k) => /^\d+$/.test(k)) ? keys.sort((a, b) => Number(a) - Number(b)).map((k) => arrayify(v[k])) : {};
  if (!Array.isArray(out)) for (const k of keys) out[k] = arrayify(v[k]);
  return out;
}
