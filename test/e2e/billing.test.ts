import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import type { Locator, Page } from 'playwright-core';
import { createApiKey, DashboardHarness, waitForTestIdText } from '../helpers/dashboard';
import { describeWithBrowser } from '../helpers/browser';
import { FakeStripe } from '../helpers/fake-stripe';
import { planInvoice, postStripeEvent, stripeEvent } from '../helpers/stripe-events';
import { GrantCreditsDocument, ReserveCreditsDocument, SetSelfServiceBillingDocument } from '../generated/graphql';

/*
 * Billing on the influgen preset (credits shown as credits, plans): self-service is off until an
 * admin turns it on in the Admin screen; then Checkout goes to the local Stripe-compatible
 * server, whose Pay button sends a signed webhook, and the balance rises live in a page that
 * stayed open the whole time.
 */

const WHSEC = 'whsec_dashboard_e2e';
const rid = () => randomBytes(6).toString('hex');

describeWithBrowser('dashboard: top-up, admin, refund', () => {
  let h: DashboardHarness;
  let fake: FakeStripe;
  beforeAll(async () => {
    fake = await new FakeStripe().start();
    h = await DashboardHarness.start({ PRICE_BOOK: 'influgen', STRIPE_SECRET_KEY: 'sk_test_fake', STRIPE_WEBHOOK_SECRET: WHSEC, STRIPE_API_BASE: fake.url });
    fake.hostPages({ webhookUrl: `${h.base}/webhooks/stripe`, webhookSecret: WHSEC });
  });
  afterAll(async () => {
    await h?.stop();
    await fake?.stop();
  });

  test('top-up is hidden until an admin enables self-service; Checkout redirects to Stripe, the signed webhook credits, and the balance rises live', async () => {
    const user = await h.t.signUp();
    const admin = await h.t.admin();

    // The customer's page stays open through everything below.
    const customer = await h.page();
    const watching = customer.page;
    await h.logIn(watching, user);
    await waitForTestIdText(watching, 'balance', '50 credits', 5000);
    await watching.getByRole('heading', { name: 'Credits & balance' }).waitFor();
    expect(await watching.locator('#top-up').count()).toBe(0);
    await watching.evaluate(() => ((window as unknown as { marker: number }).marker = 7));

    // The admin turns self-service on and grants 5 credits by email.
    const adminSide = await h.page();
    await h.logIn(adminSide.page, admin);
    await adminSide.page.getByRole('link', { name: 'Admin' }).click();
    await waitForTestIdText(adminSide.page, 'self-service-state', 'off', 5000);
    await adminSide.page.getByRole('button', { name: 'Turn self-service billing on' }).click();
    await waitForTestIdText(adminSide.page, 'self-service-state', 'on', 5000);
    // An email no account has: said plainly, about the field.
    const nobody = `nobody-${rid()}@test.dev`;
    await adminSide.page.getByLabel('Account (email or id)').fill(nobody);
    await adminSide.page.getByLabel('Amount').fill('5');
    await adminSide.page.getByLabel('Reason').fill('welcome gift');
    await adminSide.page.getByRole('button', { name: 'Grant credits' }).click();
    await adminSide.page.getByRole('alert').filter({ hasText: `No account has the email ${nobody}. Check the spelling, or enter the account's id.` }).waitFor();
    await adminSide.page.getByLabel('Account (email or id)').fill(user.email);
    await adminSide.page.getByRole('button', { name: 'Grant credits' }).click();
    await adminSide.page.getByText(`Granted 5 credits to ${user.email}; their balance is now 55 credits.`).waitFor();
    await h.screenshot(adminSide.page, 'admin');
    await waitForTestIdText(watching, 'balance', '55 credits', 2000);
    // The admin's own dashboard shows top-up at once, without a reload (the switch reads the Shell again).
    await adminSide.page.evaluate(() => ((window as unknown as { marker: number }).marker = 3));
    await adminSide.page.getByRole('link', { name: 'Account' }).click();
    await adminSide.page.getByRole('heading', { name: 'Buy credits' }).waitFor({ timeout: 5000 });
    expect(await adminSide.page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(3);

    // A second tab of the customer sees the top-up card, with packs and plans.
    const buying = await customer.context.newPage();
    await buying.goto('/app/account');
    await buying.getByRole('heading', { name: 'Buy credits' }).waitFor();
    await buying.getByText('Growth: 200 credits / month').waitFor();
    await buying.getByRole('button', { name: 'Buy 100 credits for $9.00' }).click();

    // Stripe's hosted page (the fake), then back to the dashboard.
    await buying.waitForURL(`${fake.url}/checkout/**`);
    await buying.getByRole('button', { name: 'Pay 9.00 USD' }).click();
    await buying.waitForURL(/\/app\/account/);
    await buying.getByTestId('purchase-confirmed').waitFor();
    expect(await buying.getByTestId('purchase-confirmed').textContent()).toContain('100 credits added');
    expect(fake.webhooks).toEqual([expect.objectContaining({ type: 'checkout.session.completed', status: 200 })]);
    await waitForTestIdText(buying, 'balance', '155 credits', 5000);

    // The page that never reloaded followed by push.
    await waitForTestIdText(watching, 'balance', '155 credits', 2000);
    expect(await watching.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(7);
    await waitForTestIdText(watching, 'unread-count', '1', 5000); // "Purchase completed"

    // Refund the unused pack: credits leave, Stripe is asked for the money back.
    // It asks first: keeping the credits sends nothing.
    await buying.getByRole('button', { name: 'Refund unused 100 credits' }).click();
    await buying.getByRole('group', { name: 'Confirm the refund of 100 credits' }).getByRole('button', { name: 'Keep the credits' }).click();
    expect(fake.to('/v1/refunds')).toHaveLength(0);
    await buying.getByRole('button', { name: 'Refund unused 100 credits' }).click();
    await buying.getByRole('group', { name: 'Confirm the refund of 100 credits' }).getByText('Refund $9.00 to the card that paid? The 100 credits leave your balance now.').waitFor();
    await buying.getByRole('button', { name: 'Yes, refund' }).click();
    await buying.getByText('100 credits → $9.00, refunded').waitFor();
    await waitForTestIdText(watching, 'balance', '55 credits', 5000);
    expect(fake.to('/v1/refunds')).toHaveLength(1);
    expect(fake.to('/v1/refunds')[0].body.amount).toBe('900');

    // The billing portal round trip.
    await buying.getByRole('button', { name: /Open the billing portal/ }).click();
    await buying.waitForURL(`${fake.url}/portal/**`);
    await buying.getByRole('link', { name: 'Return to the dashboard' }).click();
    await buying.waitForURL(/\/app\/account$/);
    await buying.getByTestId('balance').waitFor();

    await adminSide.context.close();
    await customer.context.close();
  });

  test('turning self-service off in the admin screen hides top-up and the portal link again', async () => {
    const admin = await h.t.admin();
    const adminSide = await h.page();
    await h.logIn(adminSide.page, admin, '/app/admin');
    await adminSide.page.getByTestId('self-service-state').waitFor();
    if ((await adminSide.page.getByTestId('self-service-state').textContent()) === 'off') {
      await adminSide.page.getByRole('button', { name: 'Turn self-service billing on' }).click();
      await waitForTestIdText(adminSide.page, 'self-service-state', 'on', 5000);
    }
    await adminSide.page.getByRole('button', { name: 'Turn self-service billing off' }).click();
    await waitForTestIdText(adminSide.page, 'self-service-state', 'off', 5000);
    const user = await h.t.signUp();
    const { page, context } = await h.page();
    await h.logIn(page, user);
    await page.getByRole('heading', { name: 'Credits & balance' }).waitFor();
    expect(await page.locator('#top-up').count()).toBe(0);
    expect(await page.getByRole('button', { name: /billing portal/ }).count()).toBe(0);
    await adminSide.context.close();
    await context.close();
  });

  test('a plan allocation shows the plan, its next refill and the new balance live', async () => {
    const user = await h.t.signUp();
    const { page, context } = await h.page();
    await h.logIn(page, user);
    await waitForTestIdText(page, 'balance', '50 credits', 5000);
    // "No plan" means something only once the balance card has rendered: it is in the page's own
    // code chunk and loads its own query (WalletDetails), after the top bar's balance.
    await waitForTestIdText(page, 'card-balance', '50 credits', 5000);
    expect(await page.getByTestId('current-plan').count()).toBe(0);

    // What Stripe sends when the Growth plan is bought and its first invoice paid.
    const deliver = async (type: string, object: object) => {
      const payload = JSON.stringify({ id: `evt_${rid()}`, object: 'event', api_version: '2026-10-28.endive', created: Math.floor(Date.now() / 1000), livemode: false, type, data: { object } });
      const res = await fetch(`${h.base}/webhooks/stripe`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload, secret: WHSEC }) },
        body: payload,
      });
      expect(res.status).toBe(200);
    };
    const sub = `sub_${rid()}`;
    const meta = { accountId: user.accountId, planId: 'growth' };
    await deliver('customer.subscription.created', { id: sub, object: 'subscription', customer: null, status: 'active', metadata: meta, items: { object: 'list', data: [] } });
    const start = Math.floor(Date.UTC(2030, 0, 1) / 1000) - 30 * 86_400;
    const end = Math.floor(Date.UTC(2030, 0, 1) / 1000); // renews on 1 Jan 2030
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
    await waitForTestIdText(page, 'balance', '250 credits', 2000);
    await waitForTestIdText(page, 'current-plan', 'Plan: Growth, 200 credits a month; next refill Jan 1, 2030.', 5000);
    await context.close();
  });

  /** Through Stripe's hosted Checkout (the fake) from `button` and back to the dashboard. */
  async function payAtCheckout(page: Page, button: Locator): Promise<void> {
    await button.click();
    await page.waitForURL(`${fake.url}/checkout/**`);
    await page.getByRole('button', { name: /^Pay / }).click();
    await page.waitForURL(/\/app\/account/);
  }

  async function customerWithTopUp() {
    const admin = await h.t.admin();
    await h.t.ok(SetSelfServiceBillingDocument, { enabled: true }, admin.token);
    const user = await h.t.signUp();
    const { page, context } = await h.page();
    await h.logIn(page, user);
    await waitForTestIdText(page, 'balance', '50 credits', 5000);
    await page.getByRole('heading', { name: 'Buy credits' }).waitFor();
    return { user, page, context };
  }

  test('a refund offers only what the server refunds (credits held by running jobs excluded), then closes its question and keeps the focus in the card', async () => {
    const { user, page, context } = await customerWithTopUp();
    await payAtCheckout(page, page.getByRole('button', { name: 'Buy 100 credits for $9.00' }));
    await page.getByTestId('purchase-confirmed').waitFor({ timeout: 10_000 });
    await waitForTestIdText(page, 'balance', '150 credits', 5000);

    // Half a credit granted, then a running job holds 80 credits: 70.5 can be spent, so 70.5 of
    // the pack's 100 unused can be refunded.
    await h.t.ok(GrantCreditsDocument, { accountId: user.accountId, amount: '0.5', reason: 'goodwill', idempotencyKey: `half-${rid()}` }, (await h.t.admin()).token);
    const key = await createApiKey(h.t, user);
    await h.t.ok(ReserveCreditsDocument, { input: { feature: 'video', quantity: 10, idempotencyKey: `hold-${rid()}` } }, key);
    await waitForTestIdText(page, 'balance', '70.5 credits', 5000);
    const card = page.locator('#purchases');
    await card.getByText('100 credits unused (29.5 credits of it held for running jobs, which cannot be refunded)').waitFor({ timeout: 5000 });
    const refunds = fake.to('/v1/refunds').length;
    await card.getByRole('button', { name: 'Refund unused 70.5 credits' }).click();
    // The question names the money the server pays back: $9.00 × 70.5 / 100 = $6.345, rounded down
    // to $6.34; all 70.5 credits go, the half cent unpaid.
    await card
      .getByRole('group', { name: 'Confirm the refund of 70.5 credits' })
      .getByText('Refund $6.34 to the card that paid? All 70.5 credits leave your balance now: the refund is rounded down, so the part worth less than a cent is removed too and not paid back.')
      .waitFor();
    await card.getByRole('button', { name: 'Yes, refund' }).click();
    await card.getByText('70.5 credits → $6.34, refunded').waitFor({ timeout: 10_000 });
    expect(fake.to('/v1/refunds').slice(refunds).map((r) => r.body.amount)).toEqual(['634']);

    // Done: the question is gone (nothing is left to refund while the hold runs), and the focus,
    // on the confirm button that went, is on the card's heading rather than the page's body.
    await card.getByRole('status').filter({ hasText: 'Refund of 70.5 credits ($6.34): refunded.' }).waitFor();
    await waitForTestIdText(page, 'balance', '0 credits', 5000);
    expect(await card.getByRole('group', { name: /Confirm the refund/ }).count()).toBe(0);
    expect(await card.getByRole('button', { name: /^Refund unused/ }).count()).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('purchases-title');
    await context.close();
  });

  test("back from a plan's Checkout after Stripe's webhooks landed, the card confirms the plan's first credits", async () => {
    const { page, context } = await customerWithTopUp();
    const sent = fake.webhooks.length;
    // The hosted Pay button sends checkout.session.completed and the first invoice.paid, then redirects.
    await payAtCheckout(page, page.getByRole('button', { name: 'Subscribe to Starter' }));
    await waitForTestIdText(page, 'purchase-confirmed', 'Plan started: 50 credits added to your wallet.', 10_000);
    expect(fake.webhooks.slice(sent).map((w) => [w.type, w.status])).toEqual([
      ['checkout.session.completed', 200],
      ['invoice.paid', 200],
    ]);
    await waitForTestIdText(page, 'balance', '100 credits', 5000);
    await waitForTestIdText(page, 'current-plan', 'Plan: Starter, 50 credits a month', 5000);
    expect(page.url()).not.toContain('plan_ref=');
    await context.close();
  });

  test("a plan's credits confirmed live when the webhooks come after the page; a pack waits for its own purchase, not a plan renewal", async () => {
    const { user, page, context } = await customerWithTopUp();
    const waitingNotice = page.getByText('Waiting for Stripe to confirm your payment; your credits appear here as soon as it does.');

    fake.holdHostedWebhooks();
    await payAtCheckout(page, page.getByRole('button', { name: 'Subscribe to Starter' }));
    await waitingNotice.waitFor({ timeout: 10_000 });
    await fake.releaseHostedWebhooks();
    await waitForTestIdText(page, 'purchase-confirmed', 'Plan started: 50 credits added to your wallet.', 10_000);
    await waitForTestIdText(page, 'balance', '100 credits', 5000);

    // A pack bought with its webhook held; meanwhile the plan renews (its own signed invoice.paid).
    fake.holdHostedWebhooks();
    await payAtCheckout(page, page.getByRole('button', { name: 'Buy 100 credits for $9.00' }));
    await waitingNotice.waitFor({ timeout: 10_000 });
    const unread = Number(await page.getByTestId('unread-count').textContent());
    const now = Math.floor(Date.now() / 1000);
    const renewal = planInvoice(user.accountId, { sub: `sub_renewal_${rid()}`, planId: 'starter', start: now, end: now + 40 * 86_400 });
    expect((await postStripeEvent(`${h.base}/webhooks/stripe`, stripeEvent('invoice.paid', renewal), WHSEC)).status).toBe(200);
    await waitForTestIdText(page, 'unread-count', String(unread + 1), 5000); // its message reached the page
    await waitForTestIdText(page, 'balance', '100 credits', 5000); // the renewal replaced the first allocation
    expect(await page.getByTestId('purchase-confirmed').count()).toBe(0);
    expect(await waitingNotice.count()).toBe(1);

    await fake.releaseHostedWebhooks();
    await waitForTestIdText(page, 'purchase-confirmed', 'Purchase confirmed: 100 credits added to your wallet.', 10_000);
    await waitForTestIdText(page, 'balance', '200 credits', 5000);
    await context.close();
  });

  test("back from Checkout before Stripe's webhook, the card says nothing is received yet, stops waiting after a minute with what will happen, and still confirms when the credits land", async () => {
    const { page, context } = await customerWithTopUp();
    await page.clock.install(); // the page's timers, so that a minute passes at once
    fake.holdHostedWebhooks();
    await payAtCheckout(page, page.getByRole('button', { name: 'Buy 100 credits for $9.00' }));
    const card = page.locator('#top-up');
    await card.getByText('Waiting for Stripe to confirm your payment; your credits appear here as soon as it does.').waitFor({ timeout: 10_000 });
    expect(await page.getByText(/Payment received/).count()).toBe(0); // nothing is received before Stripe says so

    await page.clock.fastForward(59_000);
    expect(await page.getByTestId('purchase-pending').count()).toBe(0);
    await page.clock.fastForward(2_000);
    await waitForTestIdText(page, 'purchase-pending', 'Your payment is still being confirmed by Stripe. Your credits will appear in your balance when Stripe confirms it', 5000);
    expect(await card.getByText('Waiting for Stripe to confirm your payment').count()).toBe(0);
    await waitForTestIdText(page, 'balance', '50 credits', 1000);

    await fake.releaseHostedWebhooks();
    await waitForTestIdText(page, 'purchase-confirmed', 'Purchase confirmed: 100 credits added to your wallet.', 10_000);
    await waitForTestIdText(page, 'balance', '150 credits', 5000);
    expect(await page.getByTestId('purchase-pending').count()).toBe(0);
    await context.close();
  });
});
