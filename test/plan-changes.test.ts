import { randomBytes } from 'node:crypto';
import { startTestApp, type TestApp, type TestUser } from './helpers/app';
import { withSql } from './helpers/db';
import { FakeStripe } from './helpers/fake-stripe';
import { planInvoice, postStripeEvent, stripeEvent } from './helpers/stripe-events';
import { MeDocument } from './generated/graphql';

/*
 * Plan changes as Stripe invoices them (docs/billing.md, "Plans"): the plan a period is paid for
 * is read from the line that pays for it, whatever proration lines come first, and a period's
 * credits are decided once per invoice, one invoice after the other (docs/invariants.md #7).
 */
const WHSEC = 'whsec_test_plan_changes';
const DAY = 86_400;
const rid = () => randomBytes(6).toString('hex');
const nowSec = () => Math.floor(Date.now() / 1000);

let fake: FakeStripe;
let t: TestApp;
let webhookUrl: string;

beforeAll(async () => {
  fake = await new FakeStripe().start();
  t = await startTestApp({
    PRICE_BOOK: 'influgen',
    STRIPE_SECRET_KEY: 'sk_test_fake',
    STRIPE_WEBHOOK_SECRET: WHSEC,
    STRIPE_API_BASE: fake.url,
    // Both plans sold through configured prices, as the billing portal needs to switch between them.
    STRIPE_PRICE_IDS: 'growth=price_growth,agency=price_agency',
  });
  webhookUrl = t.url.replace(/\/graphql$/, '/webhooks/stripe');
});
afterAll(async () => {
  await t?.stop();
  await fake?.stop();
});

const post = (event: object) => postStripeEvent(webhookUrl, event, WHSEC);
const me = async (u: TestUser) => (await t.ok(MeDocument, {}, u.token)).me;
const allocations = async (u: TestUser) => (await me(u)).wallet.buckets.filter((b) => b.source === 'PLAN_ALLOCATION').map((b) => b.granted);
const planOf = (accountId: string) => withSql(t.dbUrl, async (c) => (await c.query('select plan_id from account where id = $1', [accountId])).rows[0].plan_id as string | null);

/** An invoice line as Stripe's 2025+ API writes it: the price under pricing, the proration flag under parent. */
const line = (price: string, start: number, end: number, amount: number, proration: boolean) => ({
  id: `il_${rid()}`,
  object: 'line_item',
  amount,
  period: { start, end },
  pricing: { price_details: { price } },
  parent: { type: 'subscription_item_details', subscription_item_details: { proration } },
});

/** The subscription's first invoice, on Growth, paid by price (as Checkout's subscription writes it). */
async function startOnGrowth(u: TestUser, sub: string, start: number, end: number) {
  const first = { ...planInvoice(u.accountId, { sub, planId: 'growth', start, end }), billing_reason: 'subscription_create' };
  first.lines.data[0] = { ...first.lines.data[0], amount: 1900, pricing: { price_details: { price: 'price_growth' } } } as (typeof first.lines.data)[0];
  expect((await post(stripeEvent('invoice.paid', first))).body.outcome).toBe('APPLIED');
  expect(await allocations(u)).toEqual(['200']);
}

it("an upgrade invoiced at once (lines in Stripe's order: unused time on the old plan first) grants what the bigger plan adds", async () => {
  const u = await t.signUp();
  const sub = `sub_${rid()}`;
  const start = nowSec() - DAY;
  const end = start + 30 * DAY;
  await startOnGrowth(u, sub, start, end);

  // Upgraded in the billing portal (proration_behavior always_invoice): "Unused time on Growth"
  // (a credit), then "Remaining time on Agency". The metadata keeps the planId Checkout wrote.
  const changed = nowSec();
  const upgrade = {
    ...planInvoice(u.accountId, { sub, planId: 'growth', start: changed, end }),
    billing_reason: 'subscription_update',
    lines: { object: 'list', data: [line('price_growth', changed, end, -1500, true), line('price_agency', changed, end, 4000, true)] },
  };
  const answer = await post(stripeEvent('invoice.paid', upgrade));
  expect({ status: answer.status, outcome: answer.body.outcome, allocations: await allocations(u) }).toEqual({ status: 200, outcome: 'APPLIED', allocations: ['200', '300'] });
  expect(await planOf(u.accountId)).toBe('agency');
});

it('the renewal after an upgrade whose prorations were left for it (create_prorations) allocates the new plan and keeps it', async () => {
  const u = await t.signUp();
  const sub = `sub_${rid()}`;
  const start = nowSec() - 29 * DAY;
  const end1 = start + 30 * DAY; // ends in a day
  await startOnGrowth(u, sub, start, end1);

  // Upgraded mid-period with Stripe's default proration behaviour: no invoice now; the renewal
  // carries the two proration lines for the old period first, then Agency for the new one.
  const changed = start + 15 * DAY;
  const end2 = end1 + 30 * DAY;
  const updated = { id: sub, object: 'subscription', customer: null, status: 'active', metadata: { accountId: u.accountId, planId: 'growth' }, items: { object: 'list', data: [{ id: `si_${rid()}`, price: { id: 'price_agency' } }] } };
  await post(stripeEvent('customer.subscription.updated', updated, { created: nowSec() + 1 }));
  expect(await planOf(u.accountId)).toBe('agency');
  const renewal = {
    ...planInvoice(u.accountId, { sub, planId: 'growth', start: end1, end: end2 }),
    lines: { object: 'list', data: [line('price_growth', changed, end1, -1500, true), line('price_agency', changed, end1, 4000, true), line('price_agency', end1, end2, 5900, false)] },
  };
  expect((await post(stripeEvent('invoice.paid', renewal, { created: nowSec() + 2 }))).body.outcome).toBe('APPLIED');
  const renewed = (await me(u)).wallet.buckets.filter((b) => b.source === 'PLAN_ALLOCATION' && b.expiresAt === new Date(end2 * 1000).toISOString()).map((b) => b.granted);
  expect({ renewed, plan: await planOf(u.accountId) }).toEqual({ renewed: ['500'], plan: 'agency' });
});

it('two invoices of an upgraded period arriving at once grant the upgrade once', async () => {
  const u = await t.signUp();
  const sub = `sub_${rid()}`;
  const start = nowSec() - DAY;
  const end = start + 30 * DAY;
  await startOnGrowth(u, sub, start, end);
  // The upgrade's invoice and another invoice of the period on Agency (a manual or $0 one), delivered together.
  const upgrade = { ...planInvoice(u.accountId, { sub, planId: 'agency', start: start + DAY, end }), billing_reason: 'subscription_update' };
  const manual = { ...planInvoice(u.accountId, { sub, planId: 'agency', start: start + DAY, end }), billing_reason: 'manual', amount_paid: 0 };
  const answers = await Promise.all([post(stripeEvent('invoice.paid', upgrade)), post(stripeEvent('invoice.paid', manual))]);
  expect(answers.map((a) => a.status)).toEqual([200, 200]);
  // Agency's 500 for the period, once: 200 + 300.
  expect((await allocations(u)).sort()).toEqual(['200', '300']);
  expect((await me(u)).wallet.balance).toBe('550'); // 50 bonus + 500
  // Each again (Stripe resends): nothing more.
  for (const invoice of [upgrade, manual]) expect((await post(stripeEvent('invoice.paid', invoice))).status).toBe(200);
  expect((await me(u)).wallet.balance).toBe('550');
});
