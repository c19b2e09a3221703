import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import { errorCode, startTestApp, type TestApp } from './helpers/app';
import { withSql } from './helpers/db';
import { isValidTimeZone } from '../src/shared/time';
import { timeZones } from '../web/src/lib/time';

/*
 * What the API gained for the dashboard, tested without a browser: the static hosting of the
 * built app at /app/, the admin look-up by email, Account.plan with its next refill, and the
 * checkout session id in PURCHASE_COMPLETED messages.
 */

const WHSEC = 'whsec_dashboard_api';
const sdk = new Stripe('sk_test_unused_here');
const rid = () => randomBytes(6).toString('hex');
const nowSec = () => Math.floor(Date.now() / 1000);

let webDir: string;
let t: TestApp; // synfluencer, a fake build in webDir
let influgen: TestApp; // influgen, webhooks verified with WHSEC
let unbuilt: TestApp; // WEB_DIR without a build

beforeAll(async () => {
  webDir = fs.mkdtempSync(path.join(os.tmpdir(), 'credits-web-'));
  fs.mkdirSync(path.join(webDir, 'assets'));
  fs.writeFileSync(path.join(webDir, 'index.html'), '<!doctype html><title>dashboard</title><script type="module" src="/app/assets/index-abc123.js"></script>');
  fs.writeFileSync(path.join(webDir, 'assets', 'index-abc123.js'), 'console.log("hi")');
  [t, influgen, unbuilt] = await Promise.all([
    startTestApp({ WEB_DIR: webDir }),
    startTestApp({ PRICE_BOOK: 'influgen', STRIPE_SECRET_KEY: 'sk_test_fake', STRIPE_WEBHOOK_SECRET: WHSEC, STRIPE_API_BASE: 'http://127.0.0.1:9' }),
    startTestApp({ WEB_DIR: path.join(webDir, 'nothing-here') }),
  ]);
});
afterAll(async () => {
  await Promise.all([t?.stop(), influgen?.stop(), unbuilt?.stop()]);
  fs.rmSync(webDir, { recursive: true, force: true });
});

const base = (app: TestApp) => app.url.replace(/\/graphql$/, '');

describe('the dashboard at /app/', () => {
  test('index.html for the app and its client-side routes, revalidated on every load, with a CSP', async () => {
    for (const route of ['/app/', '/app/messages', '/app/account?checkout=success&session_id=cs_1']) {
      const res = await fetch(base(t) + route);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(await res.text()).toContain('<title>dashboard</title>');
    }
  });

  test('hashed assets are cached for a year; a missing asset is a 404, not index.html', async () => {
    const asset = await fetch(`${base(t)}/app/assets/index-abc123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const missing = await fetch(`${base(t)}/app/assets/index-old999.js`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('NOT_FOUND'); // the JSON error of every route
  });

  test('/app redirects to /app/ keeping the query', async () => {
    const res = await fetch(`${base(t)}/app?checkout=cancel`, { redirect: 'manual' });
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe('/app/?checkout=cancel');
  });

  test('without a build, /app/ says how to make one', async () => {
    const res = await fetch(`${base(unbuilt)}/app/`);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('npm run build');
  });
});

describe('accountByEmail (admin)', () => {
  const Q = 'query($email: String!) { accountByEmail(email: $email) { id email wallet { balance } } }';

  test('an admin finds an account by email, case-insensitively, with its wallet', async () => {
    const admin = await t.admin();
    const user = await t.signUp();
    const r = await t.ok<{ accountByEmail: { id: string; email: string; wallet: { balance: string } } }, { email: string }>(Q, { email: ` ${user.email.toUpperCase()} ` }, admin.token);
    expect(r.accountByEmail).toEqual({ id: user.accountId, email: user.email, wallet: { balance: '5' } });
  });

  test('an unknown email is NOT_FOUND; a user who is not an admin is FORBIDDEN', async () => {
    const admin = await t.admin();
    const user = await t.signUp();
    expect(errorCode(await t.gql(Q, { email: 'nobody@test.dev' }, admin.token))).toBe('NOT_FOUND');
    expect(errorCode(await t.gql(Q, { email: admin.email }, user.token))).toBe('FORBIDDEN');
  });
});

describe('Account.plan and purchase messages', () => {
  async function deliver(type: string, object: object): Promise<void> {
    const payload = JSON.stringify({ id: `evt_${rid()}`, object: 'event', api_version: '2026-10-28.endive', created: nowSec(), livemode: false, type, data: { object } });
    const res = await fetch(`${base(influgen)}/webhooks/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': sdk.webhooks.generateTestHeaderString({ payload, secret: WHSEC }) },
      body: payload,
    });
    expect(res.status).toBe(200);
  }

  test('null without a plan; the plan and the end of its paid period (the next refill) once subscribed', async () => {
    const Q = '{ me { plan { plan { id name monthlyCredits price } renewsAt } } }';
    const user = await influgen.signUp();
    expect((await influgen.ok<{ me: { plan: unknown } }, object>(Q, {}, user.token)).me.plan).toBeNull();

    const sub = `sub_${rid()}`;
    const meta = { accountId: user.accountId, planId: 'growth' };
    await deliver('customer.subscription.created', { id: sub, object: 'subscription', customer: null, status: 'active', metadata: meta, items: { object: 'list', data: [] } });
    const start = nowSec();
    const end = start + 30 * 86_400;
    await deliver('invoice.paid', {
      id: `in_${rid()}`,
      object: 'invoice',
      customer: null,
      billing_reason: 'subscription_create',
      parent: { type: 'subscription_details', subscription_details: { subscription: sub, metadata: meta } },
      lines: { object: 'list', data: [{ id: `il_${rid()}`, object: 'line_item', period: { start, end } }] },
      period_start: start,
      period_end: start,
    });
    const plan = (await influgen.ok<{ me: { plan: { plan: object; renewsAt: string } } }, object>(Q, {}, user.token)).me.plan;
    expect(plan.plan).toEqual({ id: 'growth', name: 'Growth', monthlyCredits: '200', price: '29.00' });
    expect(plan.renewsAt).toBe(new Date(end * 1000).toISOString());
  });

  test('PURCHASE_COMPLETED carries the checkout session id, so the page Stripe returns to can recognise its purchase', async () => {
    const user = await influgen.signUp();
    const session = `cs_test_${rid()}`;
    await deliver('checkout.session.completed', {
      id: session,
      object: 'checkout.session',
      mode: 'payment',
      status: 'complete',
      payment_status: 'paid',
      client_reference_id: user.accountId,
      customer: null,
      metadata: { accountId: user.accountId, packId: 'pack_100', credits: '100' },
      payment_intent: `pi_${rid()}`,
      amount_total: 900,
      currency: 'usd',
    });
    const r = await influgen.ok<{ messages: { edges: { node: { kind: string; data: Record<string, unknown> } }[] } }, object>('{ messages(first: 5) { edges { node { kind data } } } }', {}, user.token);
    const purchase = r.messages.edges.map((e) => e.node).find((m) => m.kind === 'PURCHASE_COMPLETED');
    expect(purchase?.data).toEqual(expect.objectContaining({ checkoutSessionId: session, credits: '100' }));
    // The bucket says what was paid for it, so the refund question can name the money a refund pays back.
    const buckets = await influgen.ok<{ me: { wallet: { buckets: { source: string; granted: string; amountPaid: string | null; currency: string | null }[] } } }, object>(
      '{ me { wallet { buckets { source granted amountPaid currency } } } }',
      {},
      user.token,
    );
    expect(buckets.me.wallet.buckets).toEqual([
      { source: 'SIGNUP_BONUS', granted: '50', amountPaid: null, currency: null },
      { source: 'PURCHASE', granted: '100', amountPaid: '9.00', currency: 'usd' },
    ]);
  });
});

describe('the time zones the dashboard offers', () => {
  test('are current IANA names, every one of which the server accepts (Intl and this PostgreSQL both know it)', async () => {
    const offered = timeZones(); // Node's ICU lists the zones Chromium's does
    expect(offered).toEqual(expect.arrayContaining(['UTC', 'Asia/Kolkata', 'Europe/Kyiv', 'America/Nuuk', 'Pacific/Kanton']));
    expect(offered.filter((z) => ['Asia/Calcutta', 'Europe/Kiev', 'America/Godthab', 'Pacific/Enderbury'].includes(z))).toEqual([]);
    const known = new Set(await withSql(t.dbUrl, async (c) => (await c.query<{ name: string }>('select name from pg_timezone_names')).rows.map((r) => r.name)));
    expect(offered.filter((z) => !isValidTimeZone(z) || !known.has(z))).toEqual([]);
    // Saved as chosen: the same name comes back.
    const user = await t.signUp();
    for (const timezone of ['Asia/Kolkata', 'Europe/Kyiv']) {
      const r = await t.ok<{ updateSettings: { timezone: string } }, { timezone: string }>('mutation($timezone: String!) { updateSettings(input: { timezone: $timezone }) { timezone } }', { timezone }, user.token);
      expect(r.updateSettings.timezone).toBe(timezone);
    }
  });
});

describe("the dashboard's typed documents (web/codegen.ts)", () => {
  test('web/src/gql is what `npm run codegen:web` generates from the schema and web/src/operations', () => {
    const root = path.resolve(__dirname, '..');
    const r = spawnSync(path.join(root, 'node_modules/.bin/graphql-codegen'), ['--config', 'web/codegen.ts', '--check'], { cwd: root, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    expect(`${r.stdout}${r.stderr}`).not.toContain('stale files');
    expect(r.status).toBe(0);
  });
});
