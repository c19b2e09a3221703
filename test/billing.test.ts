import { randomBytes } from 'node:crypto';
import { startTestApp, errorCode, type TestApp, type TestUser } from './helpers/app';
import { withSql } from './helpers/db';
import { FakeStripe } from './helpers/fake-stripe';
import { paymentDispute as dispute, planInvoice, postStripeEvent, stripeEvent } from './helpers/stripe-events';
import {
  BillingPortalDocument,
  BillingPortalQueryDocument,
  BillingSettingsDocument,
  CatalogDocument,
  MeDocument,
  MessagesDocument,
  PurchaseCreditsDocument,
  ReleaseHoldDocument,
  RequestRefundDocument,
  ReserveCreditsDocument,
  SetSelfServiceBillingDocument,
  SubscribeToPlanDocument,
  TransactionsDocument,
} from './generated/graphql';

const WHSEC = 'whsec_test_secret_for_billing_tests';
const DAY = 86_400;
const rid = () => randomBytes(6).toString('hex');
const nowSec = () => Math.floor(Date.now() / 1000);

let fake: FakeStripe;
let t: TestApp; // influgen, Stripe configured
let plain: TestApp; // synfluencer preset, no Stripe key
let webhookUrl: string;

beforeAll(async () => {
  fake = await new FakeStripe().start();
  [t, plain] = await Promise.all([
    startTestApp({
      PRICE_BOOK: 'influgen',
      STRIPE_SECRET_KEY: 'sk_test_fake',
      STRIPE_WEBHOOK_SECRET: WHSEC,
      STRIPE_API_BASE: fake.url,
      PLAN_PRICES: 'growth=3100',
      STRIPE_PRICE_IDS: 'pack_250=price_pack_250,agency=price_agency',
      BILLING_SUCCESS_URL: 'https://app.test/billing/ok?session_id={CHECKOUT_SESSION_ID}',
      BILLING_CANCEL_URL: 'https://app.test/billing/cancel',
    }),
    startTestApp({ STRIPE_WEBHOOK_SECRET: WHSEC }),
  ]);
  webhookUrl = t.url.replace(/\/graphql$/, '/webhooks/stripe');
});
afterAll(async () => {
  await Promise.all([t?.stop(), plain?.stop()]);
  await fake?.stop();
});

// ---------------------------------------------------------------- helpers

async function post(event: object, opts: { secret?: string; timestamp?: number; tamper?: (payload: string) => string; url?: string } = {}) {
  return postStripeEvent(opts.url ?? webhookUrl, event, opts.secret ?? WHSEC, opts);
}

function paidCheckout(accountId: string, o: { packId?: string; credits?: string; pi?: string; amount?: number; paid?: boolean; session?: string } = {}) {
  return {
    id: o.session ?? `cs_test_${rid()}`,
    object: 'checkout.session',
    mode: 'payment',
    status: 'complete',
    payment_status: o.paid === false ? 'unpaid' : 'paid',
    client_reference_id: accountId,
    customer: null,
    metadata: { accountId, packId: o.packId ?? 'pack_100', credits: o.credits ?? '100' },
    payment_intent: o.pi ?? `pi_${rid()}`,
    amount_total: o.amount ?? 900,
    currency: 'usd',
  };
}

async function me(u: TestUser, app = t) {
  return (await app.ok(MeDocument, {}, u.token)).me;
}

async function planOf(accountId: string): Promise<string | null> {
  return withSql(t.dbUrl, async (c) => (await c.query('select plan_id from account where id = $1', [accountId])).rows[0].plan_id);
}

/** docs/invariants.md #1 and #2, straight from the tables: balance + held = sum(remaining) and balance = sum(ledger). */
async function ledgerOk(u: TestUser) {
  const r = await withSql(t.dbUrl, (c) =>
    c.query(
      `select w.balance::text, w.held::text,
              (select coalesce(sum(remaining), 0) from credit_bucket b where b.wallet_id = w.id)::text as buckets,
              (select coalesce(min(remaining), 0) from credit_bucket b where b.wallet_id = w.id)::text as min_bucket,
              (select coalesce(sum(amount), 0) from ledger_transaction x where x.wallet_id = w.id)::text as ledger
         from wallet w where w.account_id = $1`,
      [u.accountId],
    ),
  );
  const w = r.rows[0];
  expect(BigInt(w.balance) + BigInt(w.held)).toBe(BigInt(w.buckets));
  expect(w.ledger).toBe(w.balance);
  expect(BigInt(w.min_bucket) >= 0n && BigInt(w.balance) >= 0n).toBe(true);
}

async function buy(u: TestUser, o: Parameters<typeof paidCheckout>[1] = {}) {
  const r = await post(stripeEvent('checkout.session.completed', paidCheckout(u.accountId, o)));
  expect(r.status).toBe(200);
}

async function setSelfService(enabled: boolean, app = t) {
  const admin = await app.admin();
  return (await app.ok(SetSelfServiceBillingDocument, { enabled }, admin.token)).setSelfServiceBilling;
}

// ---------------------------------------------------------------- catalog

describe('catalog', () => {
  it('influgen: packs that stack and plans with configurable prices', async () => {
    const c = await t.ok(CatalogDocument, {});
    expect(c.creditPacks).toEqual([
      { id: 'pack_100', name: '100 credits', price: '9.00', currency: 'usd', credits: '100' },
      { id: 'pack_250', name: '250 credits', price: '20.00', currency: 'usd', credits: '250' },
      { id: 'pack_500', name: '500 credits', price: '35.00', currency: 'usd', credits: '500' },
      { id: 'pack_1000', name: '1000 credits', price: '60.00', currency: 'usd', credits: '1000' },
    ]);
    expect(c.plans).toEqual([
      { id: 'starter', name: 'Starter', monthlyCredits: '50', price: '9.00', currency: 'usd' },
      { id: 'growth', name: 'Growth', monthlyCredits: '200', price: '31.00', currency: 'usd' }, // PLAN_PRICES override
      { id: 'agency', name: 'Agency', monthlyCredits: '500', price: '59.00', currency: 'usd' },
    ]);
  });

  it('synfluencer: $10/$25/$50/$100 packs for the same credits, no plans', async () => {
    const c = await plain.ok(CatalogDocument, {});
    expect(c.creditPacks.map((p) => [p.id, p.price, p.credits])).toEqual([
      ['pack_10', '10.00', '10'],
      ['pack_25', '25.00', '25'],
      ['pack_50', '50.00', '50'],
      ['pack_100', '100.00', '100'],
    ]);
    expect(c.plans).toEqual([]);
  });
});

// ---------------------------------------------------------------- gate

describe('self-service gate', () => {
  it('without a Stripe key: BILLING_NOT_CONFIGURED even when enabled, and the rest of the service works', async () => {
    const u = await plain.signUp();
    expect((await plain.ok(BillingSettingsDocument, {}, u.token)).billingSettings).toEqual({ selfServiceEnabled: false, topUpAvailable: false, portalAvailable: false });
    expect(await setSelfService(true, plain)).toEqual({ selfServiceEnabled: true, topUpAvailable: false, portalAvailable: false });
    expect(errorCode(await plain.gql(PurchaseCreditsDocument, { packId: 'pack_10' }, u.token))).toBe('BILLING_NOT_CONFIGURED');
    expect(errorCode(await plain.gql(BillingPortalDocument, {}, u.token))).toBe('BILLING_NOT_CONFIGURED');
    expect(errorCode(await plain.gql(SubscribeToPlanDocument, { planId: 'starter' }, u.token))).toBe('BILLING_NOT_CONFIGURED');
    const bonus = (await me(u, plain)).wallet.buckets[0];
    expect(errorCode(await plain.gql(RequestRefundDocument, { bucketId: bonus.id }, u.token))).toBe('BILLING_NOT_CONFIGURED');
    // Charging still works.
    const charged = await plain.chargeOk(u, { feature: 'talking_head', quantity: 30, idempotencyKey: 'k1' });
    expect(charged.chargeUsage.wallet.balance).toBe('2');
  });

  it('without a Stripe key, verified webhooks still credit purchases (synfluencer packs)', async () => {
    const u = await plain.signUp();
    const url = plain.url.replace(/\/graphql$/, '/webhooks/stripe');
    const r = await post(stripeEvent('checkout.session.completed', paidCheckout(u.accountId, { packId: 'pack_25', credits: '25', amount: 2500 })), { url });
    expect(r.status).toBe(200);
    const w = (await me(u, plain)).wallet;
    expect([w.balance, w.lifetimePurchased]).toEqual(['30', '25']);
  });

  it('off by default: purchase, subscribe and portal are BILLING_DISABLED; only admins switch it, audited', async () => {
    const u = await t.signUp();
    const mark = fake.requests.length;
    expect((await t.ok(BillingSettingsDocument, {}, u.token)).billingSettings).toEqual({ selfServiceEnabled: false, topUpAvailable: false, portalAvailable: false });
    expect(errorCode(await t.gql(PurchaseCreditsDocument, { packId: 'pack_100' }, u.token))).toBe('BILLING_DISABLED');
    expect(errorCode(await t.gql(SubscribeToPlanDocument, { planId: 'starter' }, u.token))).toBe('BILLING_DISABLED');
    expect(errorCode(await t.gql(BillingPortalDocument, {}, u.token))).toBe('BILLING_DISABLED');
    expect(errorCode(await t.gql(BillingPortalQueryDocument, {}, u.token))).toBe('BILLING_DISABLED');
    expect(errorCode(await t.gql(SetSelfServiceBillingDocument, { enabled: true }, u.token))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(SetSelfServiceBillingDocument, { enabled: true }))).toBe('UNAUTHENTICATED');
    expect(fake.requests.slice(mark)).toEqual([]); // nothing reached Stripe

    const admin = await t.admin();
    expect(await setSelfService(true)).toEqual({ selfServiceEnabled: true, topUpAvailable: true, portalAvailable: true });
    expect((await t.ok(BillingSettingsDocument, {}, u.token)).billingSettings.topUpAvailable).toBe(true);
    await setSelfService(false);
    expect(errorCode(await t.gql(PurchaseCreditsDocument, { packId: 'pack_100' }, u.token))).toBe('BILLING_DISABLED');
    await setSelfService(true);

    const audit = await withSql(t.dbUrl, (c) => c.query(`select actor_id, old_value, new_value from app_setting_audit where key = 'billing.selfServiceEnabled' order by created_at, id`));
    expect(audit.rows.slice(-3)).toEqual([
      { actor_id: admin.accountId, old_value: false, new_value: true },
      { actor_id: admin.accountId, old_value: true, new_value: false },
      { actor_id: admin.accountId, old_value: false, new_value: true },
    ]);
  });
});

// ---------------------------------------------------------------- checkout and portal

describe('checkout', () => {
  beforeAll(() => setSelfService(true));

  it('creates a payment Checkout Session for the account customer (created once) with inline price data', async () => {
    const u = await t.signUp();
    const before = fake.requests.length;
    const s = (await t.ok(PurchaseCreditsDocument, { packId: 'pack_100' }, u.token)).purchaseCredits;
    expect(s.url).toMatch(/^https:\/\/checkout\.stripe\.test\/c\/pay\/cs_test_/);
    const reqs = fake.requests.slice(before);
    expect(reqs.map((r) => r.path)).toEqual(['/v1/customers', '/v1/checkout/sessions']);
    expect(reqs[0].body).toMatchObject({ email: u.email, metadata: { accountId: u.accountId } });
    const cs = reqs[1].body;
    expect(cs).toMatchObject({
      mode: 'payment',
      client_reference_id: u.accountId,
      metadata: { accountId: u.accountId, packId: 'pack_100', credits: '100' },
      payment_intent_data: { metadata: { accountId: u.accountId, packId: 'pack_100' } },
      line_items: [{ quantity: '1', price_data: { currency: 'usd', unit_amount: '900', product_data: { name: '100 credits' } } }],
      success_url: 'https://app.test/billing/ok?session_id={CHECKOUT_SESSION_ID}',
      cancel_url: 'https://app.test/billing/cancel',
    });
    const stored = await withSql(t.dbUrl, async (c) => (await c.query('select stripe_customer_id from account where id = $1', [u.accountId])).rows[0].stripe_customer_id);
    expect(cs.customer).toBe(stored);

    // Second checkout: same customer, no new customer at Stripe; a configured price id is used as is.
    const mark = fake.requests.length;
    await t.ok(PurchaseCreditsDocument, { packId: 'pack_250' }, u.token);
    const again = fake.requests.slice(mark);
    expect(again.map((r) => r.path)).toEqual(['/v1/checkout/sessions']);
    expect(again[0].body.customer).toBe(stored);
    expect(again[0].body.line_items).toEqual([{ price: 'price_pack_250', quantity: '1' }]);

    expect(errorCode(await t.gql(PurchaseCreditsDocument, { packId: 'pack_7' }, u.token))).toBe('NOT_FOUND');
  });

  it('creates a subscription Checkout Session for a plan; the portal opens for the same customer', async () => {
    const u = await t.signUp();
    const mark = fake.requests.length;
    await t.ok(SubscribeToPlanDocument, { planId: 'growth' }, u.token);
    const cs = fake.to('/v1/checkout/sessions').at(-1)!.body;
    expect(cs).toMatchObject({
      mode: 'subscription',
      metadata: { accountId: u.accountId, planId: 'growth' },
      subscription_data: { metadata: { accountId: u.accountId, planId: 'growth' } },
      line_items: [{ price_data: { currency: 'usd', unit_amount: '3100', recurring: { interval: 'month' }, product_data: { name: 'Growth' } } }],
    });
    expect(errorCode(await t.gql(SubscribeToPlanDocument, { planId: 'platinum' }, u.token))).toBe('NOT_FOUND');
    const portal = (await t.ok(BillingPortalDocument, {}, u.token)).billingPortal;
    expect(portal.url).toMatch(/^https:\/\/billing\.stripe\.test\//);
    const p = fake.to('/v1/billing_portal/sessions').at(-1)!.body;
    expect(p.customer).toBe(cs.customer);
    expect(fake.requests.slice(mark).filter((r) => r.path === '/v1/customers')).toHaveLength(1);
  });
});

// ---------------------------------------------------------------- webhook: purchases

describe('webhook: pack purchase', () => {
  it('credits the wallet once when the same paid event is delivered five times concurrently', async () => {
    const u = await t.signUp();
    const pi = `pi_${rid()}`;
    const ev = stripeEvent('checkout.session.completed', paidCheckout(u.accountId, { pi }));
    const results = await Promise.all(Array.from({ length: 5 }, () => post(ev)));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    // And once more later.
    expect((await post(ev)).body.outcome).toBe('DUPLICATE');
    // The async-payment event for the same session is the same purchase: still once.
    expect((await post(stripeEvent('checkout.session.async_payment_succeeded', paidCheckout(u.accountId, { pi, session: (ev.data.object as { id: string }).id })))).status).toBe(200);

    const w = (await me(u)).wallet;
    expect(w.balance).toBe('150'); // 50 sign-up + 100 purchased
    expect(w.lifetimePurchased).toBe('100');
    const purchase = w.buckets.filter((b) => b.source === 'PURCHASE');
    expect(purchase).toEqual([expect.objectContaining({ granted: '100', remaining: '100', expiresAt: null })]);
    const rows = await withSql(t.dbUrl, (c) =>
      c.query(`select b.payment_intent_id, b.amount_paid_minor::text, b.currency from credit_bucket b join wallet w on w.id = b.wallet_id where w.account_id = $1 and b.source = 'PURCHASE'`, [u.accountId]),
    );
    expect(rows.rows).toEqual([{ payment_intent_id: pi, amount_paid_minor: '900', currency: 'usd' }]);
    const txs = (await t.ok(TransactionsDocument, { filter: { kinds: ['PURCHASE'] } }, u.token)).transactions.edges;
    expect(txs).toHaveLength(1);
    expect(txs[0].node.amount).toBe('100');
    const recorded = await withSql(t.dbUrl, (c) => c.query('select outcome from stripe_event where id = $1', [ev.id]));
    expect(recorded.rows).toEqual([{ outcome: 'APPLIED' }]);
    await ledgerOk(u);
  });

  it('grants nothing for an unpaid session and acknowledges unknown event types', async () => {
    const u = await t.signUp();
    expect((await post(stripeEvent('checkout.session.completed', paidCheckout(u.accountId, { paid: false })))).status).toBe(200);
    const unknown = await post(stripeEvent('customer.tax_id.created', { id: 'txi_1', object: 'tax_id' }));
    expect(unknown).toEqual({ status: 200, body: { received: true, outcome: 'IGNORED' } });
    expect((await me(u)).wallet.balance).toBe('50');
  });

  it('rejects a tampered body, a wrong secret and a stale timestamp with 400 and changes nothing', async () => {
    const u = await t.signUp();
    const ev = stripeEvent('checkout.session.completed', paidCheckout(u.accountId));
    const tampered = await post(ev, { tamper: (p) => p.replace('"credits":"100"', '"credits":"100000"') });
    const wrongSecret = await post(ev, { secret: 'whsec_someone_else' });
    const stale = await post(ev, { timestamp: nowSec() - 301 });
    const noHeader = await fetch(webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ev) });
    expect([tampered.status, wrongSecret.status, stale.status, noHeader.status]).toEqual([400, 400, 400, 400]);
    // In the API's one error shape, like every other route.
    expect(tampered.body).toEqual({ errors: [{ message: 'Invalid signature', extensions: { code: 'BAD_USER_INPUT' } }] });
    expect(await noHeader.json()).toEqual({ errors: [{ message: 'Missing body or Stripe-Signature header', extensions: { code: 'BAD_USER_INPUT' } }] });
    expect((await me(u)).wallet.balance).toBe('50');
    const rows = await withSql(t.dbUrl, (c) => c.query('select 1 from stripe_event where id = $1', [ev.id]));
    expect(rows.rowCount).toBe(0);
    // Within the tolerance it is accepted: the rejections were about the signature, not the event.
    expect((await post(ev, { timestamp: nowSec() - 250 })).status).toBe(200);
    expect((await me(u)).wallet.balance).toBe('150');
  });
});

describe('notifications', () => {
  let messagesNotifier: typeof t.app.services.notifier;
  beforeAll(async () => {
    messagesNotifier = t.app.services.notifier; // the Messages one: given back after each test here
    await setSelfService(true);
  });
  afterEach(() => {
    t.app.services.notifier = messagesNotifier;
  });

  it('sends PURCHASE_COMPLETED, PLAN_RENEWED and REFUND_COMPLETED once each through the notifier hook (a repeat only with the same effect key)', async () => {
    const calls: unknown[][] = [];
    const keys = new Set<unknown>();
    // Keeps one call per effect key, as the messages module does (billing.notifier.ts).
    t.app.services.notifier = { notify: async (...args: unknown[]) => void (args[5] === undefined || !keys.has(args[5]) ? (keys.add(args[5]), calls.push(args)) : undefined) };
    const u = await t.signUp();
    const pi = `pi_${rid()}`;
    const ev = stripeEvent('checkout.session.completed', paidCheckout(u.accountId, { pi }));
    await Promise.all(Array.from({ length: 5 }, () => post(ev)));
    const start = nowSec();
    const inv = stripeEvent('invoice.paid', planInvoice(u.accountId, { sub: `sub_${rid()}`, planId: 'starter', start, end: start + 30 * DAY }));
    await Promise.all([post(inv), post(inv)]);
    const bucket = (await me(u)).wallet.buckets.find((b) => b.source === 'PURCHASE')!;
    await t.ok(RequestRefundDocument, { bucketId: bucket.id }, u.token);
    expect(calls.map((c) => [c[0], c[1]])).toEqual([
      [u.accountId, 'PURCHASE_COMPLETED'],
      [u.accountId, 'PLAN_RENEWED'],
      [u.accountId, 'REFUND_COMPLETED'],
    ]);
    expect(calls[0][4]).toMatchObject({ packId: 'pack_100', credits: '100', amount: '9.00', currency: 'usd', paymentIntentId: pi });
    expect(calls[1][4]).toMatchObject({ planId: 'starter', credits: '50' });
    expect(calls[2][4]).toMatchObject({ credits: '100', amount: '9.00' });
  });

  it("a purchase or plan period whose credits committed just before a crash is announced by Stripe's retry, once", async () => {
    const u = await t.signUp();
    const kinds = async () =>
      withSql(t.dbUrl, async (c) => (await c.query(`select kind from message where account_id = $1 and kind in ('PURCHASE_COMPLETED', 'PLAN_RENEWED') order by seq`, [u.accountId])).rows.map((r) => r.kind));
    // As if the process died after the ledger committed, before the message and the event's record.
    const crashAfterCredits = (eventId: string) =>
      withSql(t.dbUrl, async (c) => {
        await c.query('delete from stripe_event where id = $1', [eventId]);
        await c.query(`delete from message where account_id = $1 and kind in ('PURCHASE_COMPLETED', 'PLAN_RENEWED')`, [u.accountId]);
      });
    const purchase = stripeEvent('checkout.session.completed', paidCheckout(u.accountId));
    expect((await post(purchase)).status).toBe(200);
    await crashAfterCredits(purchase.id);
    await Promise.all([post(purchase), post(purchase), post(purchase)]); // Stripe's retry, delivered three times at once
    expect(await kinds()).toEqual(['PURCHASE_COMPLETED']);
    expect((await me(u)).wallet.balance).toBe('150'); // credited once

    const start = nowSec();
    const invoice = stripeEvent('invoice.paid', planInvoice(u.accountId, { sub: `sub_${rid()}`, planId: 'starter', start, end: start + 30 * DAY }));
    expect((await post(invoice)).status).toBe(200);
    await crashAfterCredits(invoice.id);
    expect((await post(invoice)).status).toBe(200);
    expect((await post(invoice)).body.outcome).toBe('DUPLICATE');
    expect(await kinds()).toEqual(['PLAN_RENEWED']);
    expect((await me(u)).wallet.balance).toBe('200');
    await ledgerOk(u);
  });

  it('a failing notifier does not fail the purchase', async () => {
    t.app.services.notifier = { notify: async () => Promise.reject(new Error('messages down')) };
    const u = await t.signUp();
    expect((await post(stripeEvent('checkout.session.completed', paidCheckout(u.accountId)))).status).toBe(200);
    expect((await me(u)).wallet.balance).toBe('150');
  });
});

// ---------------------------------------------------------------- webhook: plans

describe('webhook: plans', () => {
  beforeAll(() => setSelfService(true));
  it('renewal replaces the allocation without rollover, leaves purchased credits alone; spending draws the allocation first', async () => {
    const u = await t.signUp();
    const sub = `sub_${rid()}`;
    const start1 = nowSec() - DAY;
    const end1 = start1 + 30 * DAY;
    await post(stripeEvent('invoice.paid', planInvoice(u.accountId, { sub, planId: 'growth', start: start1, end: end1 })));
    expect(await planOf(u.accountId)).toBe('growth');
    expect(errorCode(await t.gql(SubscribeToPlanDocument, { planId: 'agency' }, u.token))).toBe('BAD_USER_INPUT'); // change it in the portal
    await buy(u); // 100 purchased
    let w = (await me(u)).wallet;
    expect(w.balance).toBe('350'); // 50 bonus + 200 plan + 100 purchased
    const alloc1 = w.buckets.find((b) => b.source === 'PLAN_ALLOCATION')!;
    expect(alloc1).toMatchObject({ granted: '200', remaining: '200', expiresAt: new Date(end1 * 1000).toISOString() });

    // 10 videos at 8 credits: drawn from the plan allocation, not from bonus or purchased credits.
    await t.chargeOk(u, { feature: 'video', quantity: 10, idempotencyKey: `v-${rid()}` });
    w = (await me(u)).wallet;
    const bySource = () => Object.fromEntries(w.buckets.map((b) => [b.source + (b.source === 'PLAN_ALLOCATION' ? `:${b.expiresAt}` : ''), b.remaining]));
    expect(bySource()).toEqual({ SIGNUP_BONUS: '50', [`PLAN_ALLOCATION:${alloc1.expiresAt}`]: '120', PURCHASE: '100' });

    // Renewal: the 120 left expire, 200 new; purchased and bonus untouched.
    const end2 = end1 + 30 * DAY;
    const renewal = stripeEvent('invoice.paid', planInvoice(u.accountId, { sub, planId: 'growth', start: end1, end: end2 }));
    await Promise.all([post(renewal), post(renewal)]);
    w = (await me(u)).wallet;
    expect(w.balance).toBe('350'); // 50 + 200 + 100, no rollover of the 120
    // The replaced allocation ended when the renewal replaced it (docs/invariants.md #8).
    const ended = w.buckets.find((b) => b.id === alloc1.id)!;
    expect(ended.remaining).toBe('0');
    expect(Date.parse(ended.expiresAt!)).toBeLessThanOrEqual(Date.now());
    expect(bySource()).toEqual({ SIGNUP_BONUS: '50', [`PLAN_ALLOCATION:${ended.expiresAt}`]: '0', [`PLAN_ALLOCATION:${new Date(end2 * 1000).toISOString()}`]: '200', PURCHASE: '100' });
    const expiry = (await t.ok(TransactionsDocument, { filter: { kinds: ['PLAN_EXPIRY', 'PLAN_ALLOCATION'] } }, u.token)).transactions.edges.map((e) => [e.node.kind, e.node.amount]);
    expect(expiry).toEqual([
      ['PLAN_ALLOCATION', '200'],
      ['PLAN_EXPIRY', '-120'],
      ['PLAN_ALLOCATION', '200'],
    ]);

    // A late delivery of an older period's invoice (another invoice id) changes nothing.
    const late = await post(stripeEvent('invoice.paid', planInvoice(u.accountId, { sub, planId: 'growth', start: start1 + DAY, end: end1 + DAY })));
    expect(late.body.outcome).toBe('STALE');
    expect((await me(u)).wallet.balance).toBe('350');

    // More spending than the allocation: allocation first, then bonus, purchased last.
    await t.chargeOk(u, { feature: 'video', quantity: 30, idempotencyKey: `v-${rid()}` }); // 240
    w = (await me(u)).wallet;
    expect(w.balance).toBe('110');
    expect(w.buckets.filter((b) => b.source !== 'PLAN_ALLOCATION').map((b) => [b.source, b.remaining])).toEqual([
      ['SIGNUP_BONUS', '10'],
      ['PURCHASE', '100'],
    ]);
    await ledgerOk(u);
  });

  it("a period's credits are allocated once: another invoice of the period grants nothing, an upgrade's only what the bigger plan adds", async () => {
    const u = await t.signUp();
    const sub = `sub_${rid()}`;
    const start = nowSec() - DAY;
    const end = start + 30 * DAY;
    const first = planInvoice(u.accountId, { sub, planId: 'growth', start, end });
    expect((await post(stripeEvent('invoice.paid', { ...first, billing_reason: 'subscription_create' }))).body.outcome).toBe('APPLIED');
    await t.chargeOk(u, { feature: 'video', quantity: 5, idempotencyKey: `v-${rid()}` }); // 40 of the 200
    expect((await me(u)).wallet.balance).toBe('210');

    // A $0 or manual invoice of the same period and plan (it used to refill the whole month).
    const extra = { ...planInvoice(u.accountId, { sub, planId: 'growth', start: start + DAY, end }), billing_reason: 'subscription_update', amount_paid: 0 };
    expect((await post(stripeEvent('invoice.paid', extra))).body.outcome).toBe('IGNORED');
    const downgrade = { ...planInvoice(u.accountId, { sub, planId: 'starter', start: start + DAY, end }), billing_reason: 'subscription_update' };
    expect((await post(stripeEvent('invoice.paid', downgrade))).body.outcome).toBe('IGNORED');
    expect((await me(u)).wallet.balance).toBe('210');

    // An upgrade's proration invoice: Agency's 500 for the period, 300 more than Growth's 200; nothing spent is given back.
    const upgrade = { ...planInvoice(u.accountId, { sub, planId: 'agency', start: start + 2 * DAY, end }), billing_reason: 'subscription_update' };
    expect((await post(stripeEvent('invoice.paid', upgrade))).body.outcome).toBe('APPLIED');
    expect((await post(stripeEvent('invoice.paid', upgrade))).body.outcome).toBe('APPLIED'); // the same invoice again (a new event): replayed
    const w = (await me(u)).wallet;
    expect(w.balance).toBe('510'); // 50 bonus + 160 left + 300
    expect(w.buckets.filter((b) => b.source === 'PLAN_ALLOCATION').map((b) => [b.granted, b.remaining, b.expiresAt])).toEqual([
      ['200', '160', new Date(end * 1000).toISOString()],
      ['300', '300', new Date(end * 1000).toISOString()],
    ]);
    const kinds = (await t.ok(TransactionsDocument, { filter: { kinds: ['PLAN_EXPIRY', 'PLAN_ALLOCATION'] } }, u.token)).transactions.edges.map((e) => [e.node.kind, e.node.amount]);
    expect(kinds).toEqual([
      ['PLAN_ALLOCATION', '300'],
      ['PLAN_ALLOCATION', '200'],
    ]);
    await ledgerOk(u);
  });

  it('two invoices of one period arriving at once allocate it once', async () => {
    const u = await t.signUp();
    const sub = `sub_${rid()}`;
    const start = nowSec() - DAY;
    const end = start + 30 * DAY;
    const invoices = [planInvoice(u.accountId, { sub, planId: 'growth', start, end }), { ...planInvoice(u.accountId, { sub, planId: 'growth', start, end }), billing_reason: 'manual' }];
    const answers = await Promise.all(invoices.map((invoice) => post(stripeEvent('invoice.paid', invoice))));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    const w = (await me(u)).wallet;
    expect([w.balance, w.buckets.filter((b) => b.source === 'PLAN_ALLOCATION').map((b) => b.granted)]).toEqual(['250', ['200']]);
    // Each invoice again (Stripe resends): each finds its own allocation or none, and grants nothing more.
    for (const invoice of invoices) expect((await post(stripeEvent('invoice.paid', invoice))).status).toBe(200);
    expect((await me(u)).wallet.balance).toBe('250');
    await ledgerOk(u);
  });

  it('subscription updates and cancellation change the plan; an older event never overrides a newer one, and nothing reopens a cancelled subscription', async () => {
    const u = await t.signUp();
    const sub = `sub_${rid()}`;
    const s = (status: string, planId: string) => ({ id: sub, object: 'subscription', customer: null, status, metadata: { accountId: u.accountId, planId }, items: { object: 'list', data: [] } });
    const t0 = nowSec();
    await post(stripeEvent('customer.subscription.created', s('active', 'starter'), { created: t0 }));
    expect(await planOf(u.accountId)).toBe('starter');
    await post(stripeEvent('customer.subscription.updated', s('active', 'agency'), { created: t0 + 10 }));
    expect(await planOf(u.accountId)).toBe('agency');
    await post(stripeEvent('customer.subscription.deleted', s('canceled', 'agency'), { created: t0 + 20 }));
    expect(await planOf(u.accountId)).toBeNull();
    // An update created before the cancellation, delivered after it.
    const late = await post(stripeEvent('customer.subscription.updated', s('active', 'growth'), { created: t0 + 15 }));
    expect(late.body.outcome).toBe('STALE');
    expect(await planOf(u.accountId)).toBeNull();
    // One sent in the same second as the cancellation: a cancelled subscription is never reopened.
    const sameSecond = await post(stripeEvent('customer.subscription.updated', s('active', 'growth'), { created: t0 + 20 }));
    expect(sameSecond.body.outcome).toBe('STALE');
    expect(await planOf(u.accountId)).toBeNull();
    expect((await t.ok(SubscribeToPlanDocument, { planId: 'growth' }, u.token)).subscribeToPlan.url).toMatch(/^https:\/\//); // not "already has a plan"
  });

  it('an old invoice paid after the subscription was cancelled grants nothing and does not bring the plan back; subscribing again works', async () => {
    const u = await t.signUp();
    const sub = `sub_${rid()}`;
    const s = (status: string) => ({ id: sub, object: 'subscription', customer: null, status, metadata: { accountId: u.accountId, planId: 'starter' }, items: { object: 'list', data: [] } });
    const t0 = nowSec();
    await post(stripeEvent('customer.subscription.created', s('active'), { created: t0 }));
    await post(stripeEvent('customer.subscription.deleted', s('canceled'), { created: t0 + 10 }));
    expect(await planOf(u.accountId)).toBeNull();
    // An invoice for a period already over, paid later (the hosted invoice page after dunning).
    const old = planInvoice(u.accountId, { sub, planId: 'starter', start: t0 - 40 * DAY, end: t0 - 10 * DAY });
    expect((await post(stripeEvent('invoice.paid', old, { created: t0 + 20 }))).body.outcome).toBe('STALE');
    expect(await planOf(u.accountId)).toBeNull();
    expect((await me(u)).wallet.buckets.filter((b) => b.source === 'PLAN_ALLOCATION')).toEqual([]);
    expect((await t.ok(SubscribeToPlanDocument, { planId: 'starter' }, u.token)).subscribeToPlan.url).toMatch(/^https:\/\//);
  });

  it('a plan changed in the billing portal is recognised by its price, though the subscription still carries the planId of its Checkout', async () => {
    const u = await t.signUp();
    const sub = `sub_${rid()}`;
    // The portal changes the subscription's price; the metadata our Checkout wrote stays.
    const s = (price: string) => ({ id: sub, object: 'subscription', customer: null, status: 'active', metadata: { accountId: u.accountId, planId: 'starter' }, items: { object: 'list', data: [{ id: `si_${rid()}`, price: { id: price } }] } });
    const t0 = nowSec();
    await post(stripeEvent('customer.subscription.created', s(`price_${rid()}`), { created: t0 })); // Starter, sold with inline price_data
    expect(await planOf(u.accountId)).toBe('starter');
    await post(stripeEvent('customer.subscription.updated', s('price_agency'), { created: t0 + 10 })); // upgraded in the portal
    expect(await planOf(u.accountId)).toBe('agency');
    const start = nowSec();
    const renewal = planInvoice(u.accountId, { sub, planId: 'starter', start, end: start + 30 * DAY });
    renewal.lines.data[0] = { ...renewal.lines.data[0], pricing: { price_details: { price: 'price_agency' } } } as (typeof renewal.lines.data)[0];
    expect((await post(stripeEvent('invoice.paid', renewal))).body.outcome).toBe('APPLIED');
    const allocation = (await me(u)).wallet.buckets.filter((b) => b.source === 'PLAN_ALLOCATION').map((b) => b.granted);
    expect(allocation).toEqual(['500']); // Agency's credits, for Agency's price
  });
});

// ---------------------------------------------------------------- refunds

describe('refunds', () => {
  beforeAll(() => setSelfService(true));

  async function purchased(u: TestUser, pi = `pi_${rid()}`) {
    await buy(u, { pi });
    const bucket = (await me(u)).wallet.buckets.find((b) => b.source === 'PURCHASE')!;
    return { pi, bucket };
  }

  it('refunds only the unused part after partial spending; Stripe receives the proportional amount', async () => {
    const u = await t.signUp();
    const { pi, bucket } = await purchased(u); // 100 credits for $9.00
    // 80 spent: 50 bonus first, then 30 purchased. 8 more held.
    await t.chargeOk(u, { feature: 'video', quantity: 10, idempotencyKey: `v-${rid()}` });
    const hold = (await t.ok(ReserveCreditsDocument, { input: { feature: 'video', quantity: 1, idempotencyKey: `h-${rid()}` } }, u.token)).reserveCredits;
    let w = (await me(u)).wallet;
    expect([w.balance, w.held]).toEqual(['62', '8']);

    const mark = fake.requests.length;
    const r = (await t.ok(RequestRefundDocument, { bucketId: bucket.id }, u.token)).requestRefund;
    expect(r).toMatchObject({ bucketId: bucket.id, amount: '62', status: 'SUCCEEDED', refundedAmount: '5.58', refundedAmountMinor: 558, currency: 'usd' });
    const sent = fake.requests.slice(mark).filter((x) => x.path === '/v1/refunds');
    expect(sent).toHaveLength(1);
    expect(sent[0].body).toMatchObject({ payment_intent: pi, amount: '558' }); // 900 * 62 / 100
    expect(sent[0].idempotencyKey).toBe(`refund:${r.id}`);

    w = (await me(u)).wallet;
    expect([w.balance, w.held]).toEqual(['0', '8']); // the held 8 are not refunded
    expect(w.buckets.find((b) => b.id === bucket.id)!.remaining).toBe('8');
    const refundTx = (await t.ok(TransactionsDocument, { filter: { kinds: ['REFUND'] } }, u.token)).transactions.edges.map((e) => e.node.amount);
    expect(refundTx).toEqual(['-62']);

    // A second request: nothing refundable now (the rest is held).
    expect(errorCode(await t.gql(RequestRefundDocument, { bucketId: bucket.id }, u.token))).toBe('BAD_USER_INPUT');
    // Stripe's own charge.refunded for our refund removes nothing more.
    await post(stripeEvent('charge.refunded', { id: `ch_${rid()}`, object: 'charge', payment_intent: pi, amount: 900, amount_refunded: 558, currency: 'usd', customer: null, metadata: {} }));
    expect((await me(u)).wallet.held).toBe('8');
    expect(fake.requests.slice(mark).filter((x) => x.path === '/v1/refunds')).toHaveLength(1);

    // Once the hold is released, those 8 are refundable: 72 cents, 630 in total = 900 * 70 / 100.
    await t.ok(ReleaseHoldDocument, { id: hold.id }, u.token);
    const r2 = (await t.ok(RequestRefundDocument, { bucketId: bucket.id }, u.token)).requestRefund;
    expect([r2.amount, r2.refundedAmountMinor]).toEqual(['8', 72]);
    expect((await me(u)).wallet.balance).toBe('0');
    await ledgerOk(u);
  });

  it("other accounts' buckets are NOT_FOUND; buckets not bought through Stripe are BAD_USER_INPUT", async () => {
    const a = await t.signUp();
    const b = await t.signUp();
    const { bucket } = await purchased(a);
    expect(errorCode(await t.gql(RequestRefundDocument, { bucketId: bucket.id }, b.token))).toBe('NOT_FOUND');
    expect(errorCode(await t.gql(RequestRefundDocument, { bucketId: 'not-a-uuid' }, b.token))).toBe('NOT_FOUND');
    const bonus = (await me(a)).wallet.buckets.find((x) => x.source === 'SIGNUP_BONUS')!;
    expect(errorCode(await t.gql(RequestRefundDocument, { bucketId: bonus.id }, a.token))).toBe('BAD_USER_INPUT');
    expect((await me(a)).wallet.balance).toBe('150');
  });

  it('a Stripe outage leaves the refund PENDING with the credits removed; the retry pays exactly once', async () => {
    const u = await t.signUp();
    const { pi, bucket } = await purchased(u);
    fake.failNext('/v1/refunds', 500);
    fake.failNext('/v1/refunds', 500);
    fake.failNext('/v1/refunds', 500); // the SDK retries twice itself
    const first = (await t.ok(RequestRefundDocument, { bucketId: bucket.id }, u.token)).requestRefund;
    expect(first).toMatchObject({ status: 'PENDING', amount: '100', refundedAmountMinor: 900 });
    expect((await me(u)).wallet.balance).toBe('50'); // credits already removed: never both money and credits
    // Asking again resumes the same refund (same key), it does not start a second one.
    const second = (await t.ok(RequestRefundDocument, { bucketId: bucket.id }, u.token)).requestRefund;
    expect(second).toMatchObject({ id: first.id, status: 'SUCCEEDED', amount: '100', refundedAmountMinor: 900 });
    const calls = fake.to('/v1/refunds').filter((x) => x.body.payment_intent === pi);
    expect(new Set(calls.map((c) => c.idempotencyKey))).toEqual(new Set([`refund:${first.id}`]));
    expect(calls.every((c) => c.body.amount === '900')).toBe(true);
    expect((await me(u)).wallet.balance).toBe('50');
    expect((await t.ok(TransactionsDocument, { filter: { kinds: ['REFUND'] } }, u.token)).transactions.edges).toHaveLength(1);
    await ledgerOk(u);
  });

  it('two concurrent requests for the same bucket refund it once', async () => {
    const u = await t.signUp();
    const { pi, bucket } = await purchased(u);
    const [a, b] = await Promise.all([t.gql(RequestRefundDocument, { bucketId: bucket.id }, u.token), t.gql(RequestRefundDocument, { bucketId: bucket.id }, u.token)]);
    const ok = [a, b].filter((r) => !r.errors).map((r) => r.data!.requestRefund);
    const failed = [a, b].filter((r) => r.errors).map(errorCode);
    // Either both see the one refund (the loser gets it while PENDING), or the later one finds nothing left.
    expect(new Set(ok.map((r) => r.id)).size).toBe(1);
    expect(failed.every((c) => c === 'BAD_USER_INPUT')).toBe(true);
    const paid = fake.to('/v1/refunds').filter((x) => x.body.payment_intent === pi);
    expect(new Set(paid.map((x) => x.idempotencyKey)).size).toBe(1);
    expect(paid[0].body.amount).toBe('900');
    expect((await me(u)).wallet.balance).toBe('50');
    const rows = await withSql(t.dbUrl, (c) => c.query(`select sum(-amount)::text as removed from ledger_transaction where account_id = $1 and kind = 'REFUND'`, [u.accountId]));
    expect(rows.rows[0].removed).toBe('100000000');
    await ledgerOk(u);
  });

  it('the sweep retries a PENDING refund in the background until Stripe confirms it', async () => {
    const u = await t.signUp();
    const { pi, bucket } = await purchased(u);
    for (let i = 0; i < 3; i++) fake.failNext('/v1/refunds', 503);
    const first = (await t.ok(RequestRefundDocument, { bucketId: bucket.id }, u.token)).requestRefund;
    expect(first.status).toBe('PENDING');
    // Pretend the request was abandoned long ago; the sweep (every 200 ms in tests) picks it up.
    await withSql(t.dbUrl, (c) => c.query(`update billing_refund set updated_at = now() - interval '1 hour' where id = $1`, [first.id]));
    let status = 'PENDING';
    for (let i = 0; i < 50 && status === 'PENDING'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = await withSql(t.dbUrl, async (c) => (await c.query('select status from billing_refund where id = $1', [first.id])).rows[0].status);
    }
    expect(status).toBe('SUCCEEDED');
    const paid = fake.to('/v1/refunds').filter((x) => x.body.payment_intent === pi);
    expect(paid.every((x) => x.idempotencyKey === `refund:${first.id}` && x.body.amount === '900')).toBe(true);
    expect((await me(u)).wallet.balance).toBe('50');
    await ledgerOk(u);
  });

  it('a refund Stripe refuses for good is FAILED and the credits come back as an ADJUSTMENT', async () => {
    const u = await t.signUp();
    const { bucket } = await purchased(u);
    fake.failNext('/v1/refunds', 400, 'invalid_request_error', 'Charge has already been refunded.');
    const r = (await t.ok(RequestRefundDocument, { bucketId: bucket.id }, u.token)).requestRefund;
    expect(r.status).toBe('FAILED');
    const w = (await me(u)).wallet;
    expect(w.balance).toBe('150');
    expect(w.lifetimePurchased).toBe('100');
    const kinds = (await t.ok(TransactionsDocument, { filter: { kinds: ['REFUND', 'ADJUSTMENT'] } }, u.token)).transactions.edges.map((e) => [e.node.kind, e.node.amount]);
    expect(kinds).toEqual([
      ['ADJUSTMENT', '100'],
      ['REFUND', '-100'],
    ]);
    await ledgerOk(u);
  });

  const messagesOf = async (u: TestUser, kind: string) =>
    (await t.ok(MessagesDocument, { first: 50 }, u.token)).messages.edges.map((e) => e.node).filter((m) => m.kind === kind);

  it('REFUND_COMPLETED commits with the refund it announces: a message that cannot be written leaves the refund PENDING, and its retry announces it once', async () => {
    const u = await t.signUp();
    const { pi, bucket } = await purchased(u);
    // The message table refuses this account's REFUND_COMPLETED, as a process stopping right
    // after Stripe paid the refund would leave it unwritten.
    const refuse = `refuse_refund_message_${rid()}`;
    await withSql(t.dbUrl, async (c) => {
      await c.query(`create function ${refuse}() returns trigger language plpgsql as $$
        begin if new.account_id = '${u.accountId}' and new.kind = 'REFUND_COMPLETED' then raise exception 'messages down'; end if; return new; end $$`);
      await c.query(`create trigger ${refuse} before insert on message for each row execute function ${refuse}()`);
    });
    let first;
    try {
      first = (await t.ok(RequestRefundDocument, { bucketId: bucket.id }, u.token)).requestRefund;
    } finally {
      await withSql(t.dbUrl, async (c) => {
        await c.query(`drop trigger ${refuse} on message`);
        await c.query(`drop function ${refuse}()`);
      });
    }
    expect(first.status).toBe('PENDING'); // not SUCCEEDED without its message
    expect(await messagesOf(u, 'REFUND_COMPLETED')).toEqual([]);
    const second = (await t.ok(RequestRefundDocument, { bucketId: bucket.id }, u.token)).requestRefund; // resumes it, same key
    expect(second).toMatchObject({ id: first.id, status: 'SUCCEEDED', refundedAmountMinor: 900 });
    const messages = await messagesOf(u, 'REFUND_COMPLETED');
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ body: '9.00 USD is on its way back for 100 unused credits.', data: { refundId: first.id, credits: '100', amount: '9.00', currency: 'usd' } });
    expect(errorCode(await t.gql(RequestRefundDocument, { bucketId: bucket.id }, u.token))).toBe('BAD_USER_INPUT'); // nothing left
    expect(await messagesOf(u, 'REFUND_COMPLETED')).toHaveLength(1);
    // Stripe was asked once: the retry found Stripe's refund id saved and only completed it.
    expect(fake.to('/v1/refunds').filter((x) => x.body.payment_intent === pi).map((x) => x.idempotencyKey)).toEqual([`refund:${first.id}`]);
    expect((await me(u)).wallet.balance).toBe('50');
    await ledgerOk(u);
  });

  it("a refund made in Stripe's dashboard is announced once, also when its credits were removed just before a crash", async () => {
    const u = await t.signUp();
    const { pi } = await purchased(u); // 100 credits for $9.00
    const refunded = stripeEvent('charge.refunded', { id: `ch_${rid()}`, object: 'charge', payment_intent: pi, amount: 900, amount_refunded: 180, currency: 'usd', customer: null, metadata: {} }); // 20 credits
    expect((await post(refunded)).body.outcome).toBe('APPLIED');
    expect(await messagesOf(u, 'REFUND_COMPLETED')).toHaveLength(1);
    // As if the process died after the debit committed, before the message and the event's record.
    await withSql(t.dbUrl, async (c) => {
      await c.query('delete from stripe_event where id = $1', [refunded.id]);
      await c.query(`delete from message where account_id = $1 and kind = 'REFUND_COMPLETED'`, [u.accountId]);
    });
    const retries = await Promise.all([post(refunded), post(refunded), post(refunded)]); // Stripe's retry, delivered three times at once
    expect(retries.every((r) => r.status === 200 || r.status === 500)).toBe(true); // 500: the payment's lock was taken, Stripe retries
    expect((await post(refunded)).status).toBe(200);
    const messages = await messagesOf(u, 'REFUND_COMPLETED');
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ body: 'A refund of your purchase removed 20 credits.', data: { paymentIntentId: pi, credits: '20' } });
    expect((await me(u)).wallet.balance).toBe('130'); // removed once
    await ledgerOk(u);
  });

  it('a dispute removes the unused credits of its payment once (those already spent stay spent); the payment standing after all gives them back once', async () => {
    const u = await t.signUp();
    const { pi, bucket } = await purchased(u); // 100 credits for $9.00; balance 150
    await t.chargeOk(u, { feature: 'video', quantity: 10, idempotencyKey: `v-${rid()}` }); // 80: the 50 of the bonus, then 30 purchased
    expect((await me(u)).wallet.balance).toBe('70');

    const d = dispute(pi, 900);
    const withdrawn = stripeEvent('charge.dispute.funds_withdrawn', d);
    const answers = await Promise.all([post(withdrawn), post(withdrawn)]); // the same event twice, concurrently
    // One applies it; the other finds it applied (200) or the payment's lock taken (500, retried by Stripe).
    expect(answers.map((a) => a.status).sort()).toEqual(expect.arrayContaining([200]));
    expect(answers.every((a) => a.status === 200 || a.status === 500)).toBe(true);
    await post(withdrawn); // Stripe's retry of a 500, or a redelivery: nothing more
    await post(stripeEvent('charge.dispute.funds_withdrawn', d)); // the same dispute as a new event
    let w = (await me(u)).wallet;
    expect(w.balance).toBe('0'); // the 70 left of the purchase
    expect(w.buckets.find((b) => b.id === bucket.id)!.remaining).toBe('0');
    const debits = (await t.ok(TransactionsDocument, { filter: { kinds: ['REFUND'] } }, u.token)).transactions.edges.map((e) => [e.node.amount, e.node.description]);
    expect(debits).toEqual([['-70', 'Payment disputed with the bank: 9.00 USD']]);
    const [disputed] = await messagesOf(u, 'PAYMENT_DISPUTED');
    expect(disputed.body).toBe('A payment of 9.00 USD was disputed with your bank: 70 credits bought with it were removed; 30 more had already been used.');
    expect(disputed.data).toMatchObject({ paymentIntentId: pi, disputeId: d.id, credits: '70', alreadyUsed: '30', autoTopUpTurnedOff: false });
    expect(await messagesOf(u, 'PAYMENT_DISPUTED')).toHaveLength(1);
    expect(errorCode(await t.gql(RequestRefundDocument, { bucketId: bucket.id }, u.token))).toBe('BAD_USER_INPUT'); // nothing left to refund
    await ledgerOk(u);

    const reinstated = stripeEvent('charge.dispute.funds_reinstated', { ...d, status: 'won' });
    await Promise.all([post(reinstated), post(reinstated)]);
    await post(reinstated);
    await post(stripeEvent('charge.dispute.funds_reinstated', { ...d, status: 'won' }));
    w = (await me(u)).wallet;
    expect(w.balance).toBe('70');
    const restored = (await t.ok(TransactionsDocument, { filter: { kinds: ['ADJUSTMENT'] } }, u.token)).transactions.edges.map((e) => e.node.amount);
    expect(restored).toEqual(['70']);
    const [back] = await messagesOf(u, 'DISPUTED_CREDITS_RESTORED');
    expect(back.data).toMatchObject({ disputeId: d.id, credits: '70' });
    expect(await messagesOf(u, 'DISPUTED_CREDITS_RESTORED')).toHaveLength(1);
    await ledgerOk(u);
  });

  it('a dispute of part of a payment removes that share of its credits, less what a refund already removed', async () => {
    const u = await t.signUp();
    const { pi } = await purchased(u); // 100 credits for $9.00
    await post(stripeEvent('charge.refunded', { id: `ch_${rid()}`, object: 'charge', payment_intent: pi, amount: 900, amount_refunded: 180, currency: 'usd', customer: null, metadata: {} })); // 20 credits
    expect((await me(u)).wallet.balance).toBe('130');
    await post(stripeEvent('charge.dispute.funds_withdrawn', dispute(pi, 450))); // half the payment: 50 credits
    expect((await me(u)).wallet.balance).toBe('80');
    const second = dispute(pi, 900);
    await post(stripeEvent('charge.dispute.funds_withdrawn', second)); // a second dispute of all of it: only the 30 not yet removed
    expect((await me(u)).wallet.balance).toBe('50'); // the bonus
    const [last] = (await messagesOf(u, 'PAYMENT_DISPUTED')).filter((m) => (m.data as { disputeId: string }).disputeId === second.id);
    expect(last.data).toMatchObject({ credits: '30', alreadyUsed: '0' }); // the refund's 20 and the first dispute's 50 were gone already, not "used"
    await ledgerOk(u);
  });

  it('a reinstatement that comes before its withdrawal waits for it (500, Stripe sends it again); a withdrawal repeated after the reinstatement removes nothing', async () => {
    const u = await t.signUp();
    const { pi } = await purchased(u);
    const d = dispute(pi, 900);
    const reinstated = stripeEvent('charge.dispute.funds_reinstated', { ...d, status: 'won' });
    expect((await post(reinstated)).status).toBe(500);
    expect((await me(u)).wallet.balance).toBe('150');
    const withdrawn = stripeEvent('charge.dispute.funds_withdrawn', d);
    expect((await post(withdrawn)).body.outcome).toBe('APPLIED');
    expect((await me(u)).wallet.balance).toBe('50');
    expect((await post(reinstated)).body.outcome).toBe('APPLIED'); // Stripe's retry
    expect((await me(u)).wallet.balance).toBe('150');
    expect((await post(stripeEvent('charge.dispute.funds_withdrawn', d))).body.outcome).toBe('STALE'); // the withdrawal again, as a new event
    expect((await post(stripeEvent('charge.dispute.funds_reinstated', { ...d, status: 'won' }))).body.outcome).toBe('STALE');
    expect((await me(u)).wallet.balance).toBe('150');
    expect(await messagesOf(u, 'PAYMENT_DISPUTED')).toHaveLength(1);
    expect(await messagesOf(u, 'DISPUTED_CREDITS_RESTORED')).toHaveLength(1);
    await ledgerOk(u);
  });

  it("a dispute whose announcement failed is announced by Stripe's retry of the same event, and its credits are removed once", async () => {
    const u = await t.signUp();
    const { pi } = await purchased(u); // 100 credits for $9.00; balance 150
    const withdrawn = stripeEvent('charge.dispute.funds_withdrawn', dispute(pi, 900));
    const autoTopUpOn = async () => (await withSql(t.dbUrl, (c) => c.query('select enabled from auto_top_up where account_id = $1', [u.accountId]))).rows[0].enabled;
    // Auto top-up is on, and the first time it cannot be turned off (as a database failure would leave it).
    await withSql(t.dbUrl, (c) =>
      c.query(`insert into auto_top_up (account_id, enabled) values ('${u.accountId}', true);
               create function keep_top_up_on() returns trigger language plpgsql as $$ begin raise exception 'refused for the test'; end $$;
               create trigger keep_top_up_on before update on auto_top_up for each row when (old.enabled and not new.enabled) execute function keep_top_up_on();`),
    );
    try {
      expect((await post(withdrawn)).status).toBe(500);
    } finally {
      await withSql(t.dbUrl, (c) => c.query('drop trigger keep_top_up_on on auto_top_up; drop function keep_top_up_on();'));
    }
    expect((await me(u)).wallet.balance).toBe('50'); // the removal itself committed
    expect(await autoTopUpOn()).toBe(true);
    const retried = await post(withdrawn); // Stripe's retry: the same event id
    expect(retried).toMatchObject({ status: 200, body: { outcome: 'APPLIED' } });
    expect(await autoTopUpOn()).toBe(false);
    const announced = await messagesOf(u, 'PAYMENT_DISPUTED');
    expect(announced.map((m) => m.data)).toEqual([expect.objectContaining({ credits: '100', autoTopUpTurnedOff: true })]);
    expect((await me(u)).wallet.balance).toBe('50');
    expect((await post(withdrawn)).body.outcome).toBe('DUPLICATE');
    await ledgerOk(u);
  });

  it('a refund still pending when its payment is disputed, then refused by Stripe, keeps for the dispute the credits the dispute is owed; a reinstatement gives them back', async () => {
    const u = await t.signUp();
    const { pi, bucket } = await purchased(u);
    for (let i = 0; i < 3; i++) fake.failNext('/v1/refunds', 500); // the SDK retries twice itself
    const pending = (await t.ok(RequestRefundDocument, { bucketId: bucket.id }, u.token)).requestRefund;
    expect(pending.status).toBe('PENDING');
    expect((await me(u)).wallet.balance).toBe('50'); // the refund removed the 100 first
    const d = dispute(pi, 900);
    await post(stripeEvent('charge.dispute.funds_withdrawn', d));
    const [disputed] = await messagesOf(u, 'PAYMENT_DISPUTED');
    expect(disputed.data).toMatchObject({ credits: '0', inPendingRefund: '100', alreadyUsed: '0' });
    expect(disputed.body).toBe('A payment of 9.00 USD was disputed with your bank: the 100 credits bought with it are in your refund still being processed.');
    fake.failNext('/v1/refunds', 400, 'charge_disputed', 'Charge has been disputed.');
    const refused = (await t.ok(RequestRefundDocument, { bucketId: bucket.id }, u.token)).requestRefund; // resumes the pending refund
    expect(refused).toMatchObject({ id: pending.id, status: 'FAILED' });
    expect((await me(u)).wallet.balance).toBe('50'); // kept removed: the dispute took the money back
    expect((await t.ok(TransactionsDocument, { filter: { kinds: ['ADJUSTMENT'] } }, u.token)).transactions.edges).toHaveLength(0);
    await ledgerOk(u);

    await post(stripeEvent('charge.dispute.funds_reinstated', { ...d, status: 'won' })); // the payment stands after all
    expect((await me(u)).wallet.balance).toBe('150');
    expect((await t.ok(TransactionsDocument, { filter: { kinds: ['ADJUSTMENT'] } }, u.token)).transactions.edges.map((e) => e.node.amount)).toEqual(['100']);
    await ledgerOk(u);
  });

  it('a refund made in the Stripe dashboard while ours was PENDING is removed when Stripe then refuses ours: the customer never keeps both', async () => {
    const u = await t.signUp();
    const { pi, bucket } = await purchased(u, fake.intents.paidThroughCheckout(900, { accountId: u.accountId, packId: 'pack_100' })); // 100 credits for $9.00; balance 150
    for (let i = 0; i < 3; i++) fake.failNext('/v1/refunds', 500); // the SDK retries twice itself
    expect((await t.ok(RequestRefundDocument, { bucketId: bucket.id }, u.token)).requestRefund.status).toBe('PENDING');
    expect((await me(u)).wallet.balance).toBe('50');
    // Support refunds the whole payment in the dashboard meanwhile: ours still counts as PENDING, so nothing more is removed.
    const charge = { id: `ch_${rid()}`, object: 'charge', payment_intent: pi, amount: 900, amount_refunded: 900, currency: 'usd', customer: null, metadata: {} };
    expect((await post(stripeEvent('charge.refunded', charge))).body.outcome).toBe('IGNORED');
    fake.intents.created.get(pi)!.latest_charge = charge;
    fake.failNext('/v1/refunds', 400, 'invalid_request_error', 'Charge has already been refunded.');
    expect((await t.ok(RequestRefundDocument, { bucketId: bucket.id }, u.token)).requestRefund.status).toBe('FAILED'); // the retry, refused
    // Our refund's credits came back, and the dashboard refund took them: $9 back, 100 credits gone.
    expect((await me(u)).wallet.balance).toBe('50');
    const moves = (await t.ok(TransactionsDocument, { filter: { kinds: ['REFUND', 'ADJUSTMENT'] } }, u.token)).transactions.edges.map((e) => [e.node.kind, e.node.amount]);
    expect(moves).toEqual([
      ['REFUND', '-100'],
      ['ADJUSTMENT', '100'],
      ['REFUND', '-100'],
    ]);
    await ledgerOk(u);
  });

  it('a refund Stripe refused is never sent again: the process stopping before it was marked FAILED, then the dispute reinstated, does not pay it', async () => {
    const u = await t.signUp();
    const { pi, bucket } = await purchased(u);
    for (let i = 0; i < 3; i++) fake.failNext('/v1/refunds', 500);
    const pending = (await t.ok(RequestRefundDocument, { bucketId: bucket.id }, u.token)).requestRefund;
    const d = dispute(pi, 900);
    await post(stripeEvent('charge.dispute.funds_withdrawn', d));
    // Stripe refuses; the credits are kept for the dispute; then the process "stops" before the
    // refund is marked FAILED (the database refuses that one update, as a crash would leave it).
    await withSql(t.dbUrl, (c) =>
      c.query(`create function refund_not_finished() returns trigger language plpgsql as $$ begin raise exception 'stopped before FAILED'; end $$;
               create trigger refund_not_finished before update on billing_refund for each row when (new.status = 'FAILED') execute function refund_not_finished();`),
    );
    fake.failNext('/v1/refunds', 400, 'charge_disputed', 'Charge has been disputed.');
    try {
      expect(errorCode(await t.gql(RequestRefundDocument, { bucketId: bucket.id }, u.token))).toBe('INTERNAL_SERVER_ERROR');
    } finally {
      await withSql(t.dbUrl, (c) => c.query('drop trigger refund_not_finished on billing_refund; drop function refund_not_finished();'));
    }
    const status = await withSql(t.dbUrl, async (c) => (await c.query('select status from billing_refund where id = $1', [pending.id])).rows[0].status);
    expect(status).toBe('PENDING');

    await post(stripeEvent('charge.dispute.funds_reinstated', { ...d, status: 'won' })); // the payment stands: the kept 100 come back
    expect((await me(u)).wallet.balance).toBe('150');
    const mark = fake.requests.length;
    const resumed = (await t.ok(RequestRefundDocument, { bucketId: bucket.id }, u.token)).requestRefund; // resumes the pending refund
    expect(resumed).toMatchObject({ id: pending.id, status: 'FAILED' });
    expect(fake.requests.slice(mark).filter((r) => r.path === '/v1/refunds')).toEqual([]); // Stripe was not asked again
    expect((await me(u)).wallet.balance).toBe('150');
    const failure = await withSql(t.dbUrl, async (c) => (await c.query('select last_error from billing_refund where id = $1', [pending.id])).rows[0].last_error);
    expect(failure).toBe('Charge has been disputed. (the payment was disputed: 100 of its credits went to the dispute, and come back if the dispute is reinstated)');
    await ledgerOk(u);
  });

  it('a refund refused because of a dispute of part of the payment gives back the credits the dispute is not owed', async () => {
    const u = await t.signUp();
    const { pi, bucket } = await purchased(u); // 100 credits for $9.00
    for (let i = 0; i < 3; i++) fake.failNext('/v1/refunds', 500);
    expect((await t.ok(RequestRefundDocument, { bucketId: bucket.id }, u.token)).requestRefund.status).toBe('PENDING'); // all 100 removed
    const d = dispute(pi, 450);
    await post(stripeEvent('charge.dispute.funds_withdrawn', d)); // half the payment: owed 50, which the refund holds
    fake.failNext('/v1/refunds', 400, 'charge_disputed', 'Charge has been disputed.');
    expect((await t.ok(RequestRefundDocument, { bucketId: bucket.id }, u.token)).requestRefund.status).toBe('FAILED');
    expect((await me(u)).wallet.balance).toBe('100'); // the bonus and the 50 the merchant was paid for and keeps
    await post(stripeEvent('charge.dispute.funds_withdrawn', d)); // the dispute delivered again: the 50 kept for it are its own
    expect((await me(u)).wallet.balance).toBe('100');
    expect((await t.ok(TransactionsDocument, { filter: { kinds: ['ADJUSTMENT'] } }, u.token)).transactions.edges.map((e) => e.node.amount)).toEqual(['50']);
    await ledgerOk(u);
  });

  it('a dispute of a payment that bought no credits (another product, unknown) is acknowledged and changes nothing', async () => {
    const u = await t.signUp();
    const answer = await post(stripeEvent('charge.dispute.funds_withdrawn', dispute(`pi_${rid()}`, 900)));
    expect([answer.status, answer.body.outcome]).toEqual([200, 'IGNORED']);
    expect((await me(u)).wallet.balance).toBe('50');
  });

  it('a dispute of a pack paid through Checkout whose credits have not arrived yet waits for them (500, Stripe sends it again), then removes them', async () => {
    const u = await t.signUp();
    // The customer paid at Stripe; the checkout.session.completed that credits it has not been applied yet.
    const pi = fake.intents.paidThroughCheckout(900, { accountId: u.accountId, packId: 'pack_100', credits: '100' });
    const d = dispute(pi, 900);
    const withdrawn = stripeEvent('charge.dispute.funds_withdrawn', d);
    expect((await post(withdrawn)).status).toBe(500);
    const reinstatedEarly = stripeEvent('charge.dispute.funds_reinstated', { ...d, status: 'won' });
    expect((await post(reinstatedEarly)).status).toBe(500); // nor can it be decided before
    expect((await me(u)).wallet.balance).toBe('50');

    await buy(u, { pi }); // Stripe's retry of the checkout event: 100 credits
    expect((await me(u)).wallet.balance).toBe('150');
    expect((await post(withdrawn)).body.outcome).toBe('APPLIED'); // Stripe's retry of the dispute
    expect((await me(u)).wallet.balance).toBe('50');
    expect(await messagesOf(u, 'PAYMENT_DISPUTED')).toHaveLength(1);
    expect((await post(reinstatedEarly)).body.outcome).toBe('APPLIED');
    expect((await me(u)).wallet.balance).toBe('150');
    await ledgerOk(u);

    // A payment at Stripe that is not one of this service's packs (no pack on it) bought nothing here.
    const other = fake.intents.paidThroughCheckout(900, { orderId: 'merch-1' });
    expect((await post(stripeEvent('charge.dispute.funds_withdrawn', dispute(other, 900)))).body.outcome).toBe('IGNORED');
    // Stripe unreachable: the dispute cannot be judged, so it is retried rather than dropped.
    // Every attempt fails: the first and the SDK's two retries (maxNetworkRetries, stripe.client.ts).
    for (let attempt = 0; attempt < 3; attempt++) fake.failNext(`/v1/payment_intents/${other}`, 500);
    expect((await post(stripeEvent('charge.dispute.funds_withdrawn', dispute(other, 900)))).status).toBe(500);
  });

  it('a refund made outside this service (charge.refunded) removes the refunded credits once, by cumulative amount', async () => {
    const u = await t.signUp();
    const { pi, bucket } = await purchased(u);
    const ch = `ch_${rid()}`;
    const charge = (refunded: number) => ({ id: ch, object: 'charge', payment_intent: pi, amount: 900, amount_refunded: refunded, currency: 'usd', customer: null, metadata: {} });
    const half = stripeEvent('charge.refunded', charge(450));
    await Promise.all([post(half), post(half)]);
    expect((await me(u)).wallet.balance).toBe('100'); // 150 - 50
    await post(stripeEvent('charge.refunded', charge(900)));
    let w = (await me(u)).wallet;
    expect(w.balance).toBe('50');
    expect(w.buckets.find((b) => b.id === bucket.id)!.remaining).toBe('0');
    // An older event delivered late removes nothing more.
    await post(stripeEvent('charge.refunded', charge(450)));
    w = (await me(u)).wallet;
    expect(w.balance).toBe('50');
    await ledgerOk(u);
  });
});
