import type { Locator, Page, Request } from 'playwright-core';
import { createApiKey, DashboardHarness, seriousViolations, waitForTestIdText } from '../helpers/dashboard';
import { describeWithBrowser } from '../helpers/browser';
import { FakeStripe } from '../helpers/fake-stripe';
import { WebhookReceiver } from '../helpers/webhook-receiver';
import { paymentDispute, postStripeEvent, stripeEvent } from '../helpers/stripe-events';
import { AutoTopUpDocument, MessagesDocument, SetSelfServiceBillingDocument } from '../generated/graphql';

/*
 * Auto top-up and outbound webhooks as a customer sets them up in the dashboard (influgen preset:
 * 50 credits at sign-up, captions at 1 credit, packs of 100 credits for $9.00). Stripe is the
 * local Stripe-compatible server with hosted pages and really signed webhooks; webhook receipts
 * are checked with the standardwebhooks library.
 */

const WHSEC = 'whsec_dashboard_integrations';

/** The auto top-up form: on, below 20 credits buy the 100-credit pack, at most `maximum` a month. */
async function fillAutoTopUp(card: Locator, maximum: string): Promise<void> {
  await card.getByLabel('Top up automatically').check();
  await card.getByLabel('When the balance falls below').fill('20');
  await card.getByLabel('Buy each time').selectOption('pack_100');
  await card.getByLabel('At most this many top-ups a month').fill(maximum);
}

/**
 * Goes through Stripe's hosted setup page (the fake) from `button`, with the fake's webhooks held:
 * the customer is back before Stripe confirms the card, and the card says it is waiting.
 */
async function saveCardWithWebhookHeld(page: Page, fake: FakeStripe, button: Locator): Promise<void> {
  fake.holdHostedWebhooks();
  await button.click();
  await page.waitForURL(`${fake.url}/checkout/**`);
  await page.getByRole('button', { name: 'Save card' }).click();
  await page.waitForURL(/\/app\/account/);
  await page.getByText('Waiting for Stripe to confirm your card…').waitFor({ timeout: 10_000 });
}

/** GraphQL requests the page sends over the next `ms` milliseconds. */
async function countGraphqlRequests(page: Page, ms: number): Promise<number> {
  let count = 0;
  const record = (request: Request) => {
    if (request.url().endsWith('/graphql')) count++;
  };
  page.on('request', record);
  await page.waitForTimeout(ms);
  page.off('request', record);
  return count;
}

describeWithBrowser('dashboard: auto top-up and webhooks', () => {
  let h: DashboardHarness;
  let fake: FakeStripe;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    fake = await new FakeStripe().start();
    receiver = await new WebhookReceiver().start();
    h = await DashboardHarness.start({
      PRICE_BOOK: 'influgen',
      STRIPE_SECRET_KEY: 'sk_test_fake',
      STRIPE_WEBHOOK_SECRET: WHSEC,
      STRIPE_API_BASE: fake.url,
      // Deliveries settle within a test: quick polling, short backoff, two attempts.
      WEBHOOK_POLL_MS: '50',
      WEBHOOK_RETRY_BASE_MS: '100',
      WEBHOOK_RETRY_MAX_MS: '200',
      WEBHOOK_MAX_ATTEMPTS: '2',
    });
    fake.hostPages({ webhookUrl: `${h.base}/webhooks/stripe`, webhookSecret: WHSEC });
    fake.intents.sendWebhooksTo(`${h.base}/webhooks/stripe`, WHSEC);
    const admin = await h.t.admin();
    await h.t.ok(SetSelfServiceBillingDocument, { enabled: true }, admin.token);
  });
  afterAll(async () => {
    await h?.stop();
    await receiver?.stop();
    await fake?.stop();
  });

  test('auto top-up: a card saved through a setup-mode Checkout, the settings saved, and a spend below the threshold buys one pack, credited live', async () => {
    const { page, context } = await h.page();
    const user = await h.signUpAndLogIn(page);
    const card = page.locator('#auto-top-up');
    await card.getByRole('heading', { name: 'Auto top-up' }).waitFor();
    await waitForTestIdText(page, 'auto-top-up-state', 'Off.', 5000);
    await waitForTestIdText(page, 'auto-top-up-card', 'No card saved yet', 5000);

    // Checked in the page: a bad maximum, and no card yet (the server would refuse it too).
    await fillAutoTopUp(card, '0');
    await card.getByRole('button', { name: 'Save auto top-up' }).click();
    await card.getByText('Enter a whole number from 1 to 100.').waitFor();
    await card.getByLabel('At most this many top-ups a month').fill('2');
    await card.getByRole('button', { name: 'Save auto top-up' }).click();
    await card.getByRole('alert').filter({ hasText: 'Save a card first' }).waitFor();
    await waitForTestIdText(page, 'auto-top-up-state', 'Off.', 1000);

    // Stripe's hosted setup page (the fake) saves a card and sends the customer back before its
    // webhook arrives: the card waits for it, asking again, then says the card is saved.
    await saveCardWithWebhookHeld(page, fake, card.getByRole('button', { name: 'Save a card' }));
    const asked = await countGraphqlRequests(page, 2000);
    expect(asked).toBeGreaterThanOrEqual(1); // polled while waiting (every 1.5 s)
    await fake.releaseHostedWebhooks();
    await page.getByText('Your card is saved for auto top-up.').waitFor({ timeout: 10_000 });
    await waitForTestIdText(page, 'auto-top-up-card', 'A card is saved', 5000);
    expect(page.url()).not.toContain('checkout='); // the return parameters are gone from the address
    expect(fake.webhooks.map((w) => [w.type, w.status])).toEqual([
      ['setup_intent.succeeded', 200],
      ['checkout.session.completed', 200],
    ]);

    // Replacing it: a card is already saved, and the page still waits for Stripe to save the new one.
    await saveCardWithWebhookHeld(page, fake, card.getByRole('button', { name: 'Use another card' }));
    await page.waitForTimeout(1600); // at least one more look at the settings: still the old card
    expect(await page.getByText('Your card is saved for auto top-up.').count()).toBe(0);
    await fake.releaseHostedWebhooks();
    await page.getByText('Your card is saved for auto top-up.').waitFor({ timeout: 10_000 });

    await fillAutoTopUp(card, '2');
    await card.getByRole('button', { name: 'Save auto top-up' }).click();
    await card.getByText('Auto top-up settings saved.').waitFor();
    await waitForTestIdText(page, 'auto-top-up-state', 'On: when the balance falls below 20 credits, buys 100 credits for $9.00. 0 of at most 2 this month.', 5000);
    await h.screenshot(page, 'auto-top-up');
    expect(await seriousViolations(page, '#auto-top-up')).toEqual([]);

    // Quiet while nothing changes: no polling once the card is confirmed, and no query refetching
    // another (the settings are one normalized AccountSettings, whichever query selects them).
    expect(await countGraphqlRequests(page, 2000)).toBe(0);

    // The pipeline spends 35 of 50 credits: 15 left, below 20. One off-session PaymentIntent;
    // its signed payment_intent.succeeded credits 100, and the open page follows by push.
    const key = await createApiKey(h.t, user);
    await h.t.chargeOk(key, { feature: 'caption', quantity: 35 });
    await waitForTestIdText(page, 'balance', '115 credits', 15_000);
    await waitForTestIdText(page, 'auto-top-up-state', '1 of at most 2 this month.', 5000);
    const intents = fake.to('/v1/payment_intents').filter((r) => (r.body.metadata as Record<string, string> | undefined)?.accountId === user.accountId);
    expect(intents).toHaveLength(1);
    expect(intents[0].body).toMatchObject({ amount: '900', currency: 'usd', off_session: 'true', confirm: 'true', payment_method: 'pm_card_visa' });
    await context.close();
  });

  test('auto top-up: errors speak to the customer and go when the form changes; a pack bought in another tab shows its saved card live', async () => {
    const { page, context } = await h.page();
    const user = await h.signUpAndLogIn(page);
    const card = page.locator('#auto-top-up');
    await waitForTestIdText(page, 'auto-top-up-card', 'No card saved yet', 5000);
    const updates: string[] = [];
    page.on('request', (r) => r.postData()?.includes('"operationName":"UpdateAutoTopUp"') && updates.push(r.url()));

    // Enabling without a card: said in the page, pointing at the button, and nothing is sent.
    await fillAutoTopUp(card, '2');
    await card.getByRole('button', { name: 'Save auto top-up' }).click();
    const noCard = card.getByRole('alert').filter({ hasText: 'Save a card first: use "Save a card" above' });
    await noCard.waitFor();
    expect(await card.getByLabel('Top up automatically').getAttribute('aria-describedby')).toBe(await noCard.getAttribute('id'));
    expect(updates).toEqual([]);
    expect(await card.textContent()).not.toContain('setupAutoTopUpPaymentMethod');

    // A server error goes as soon as an input changes (it was about what was sent).
    await card.getByLabel('Top up automatically').uncheck();
    let failed = 0;
    await page.route('**/graphql', (route) =>
      failed++ === 0 && (route.request().postData() ?? '').includes('"operationName":"UpdateAutoTopUp"')
        ? route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ errors: [{ message: 'The database is unreachable; retry later', extensions: { code: 'SERVICE_UNAVAILABLE' } }] }) })
        : route.continue(),
    );
    await card.getByRole('button', { name: 'Save auto top-up' }).click();
    const unavailable = card.getByRole('alert').filter({ hasText: 'briefly unavailable' });
    await unavailable.waitFor();
    await card.getByLabel('When the balance falls below').fill('30');
    await unavailable.waitFor({ state: 'detached', timeout: 2000 });
    await page.unroute('**/graphql');

    // Stripe saves the card of a Checkout purchase (setup_future_usage) with its own event; the
    // pack is bought in another tab, and this one, never reloaded, shows the card once the
    // purchase's message arrives.
    const metadata = { accountId: user.accountId, packId: 'pack_100', credits: '100' };
    const intent = { id: `pi_e2e_${Date.now()}`, object: 'payment_intent', status: 'succeeded', amount: 900, amount_received: 900, currency: 'usd', customer: null, payment_method: 'pm_card_visa', setup_future_usage: 'off_session', metadata };
    expect((await postStripeEvent(`${h.base}/webhooks/stripe`, stripeEvent('payment_intent.succeeded', intent), WHSEC)).status).toBe(200);
    const buying = await context.newPage();
    await buying.goto('/app/account');
    await buying.getByRole('button', { name: 'Buy 100 credits for $9.00' }).click();
    await buying.waitForURL(`${fake.url}/checkout/**`);
    await buying.getByRole('button', { name: /^Pay / }).click();
    await waitForTestIdText(page, 'balance', '150 credits', 10_000);
    await waitForTestIdText(page, 'auto-top-up-card', 'A card is saved for top-ups.', 5000);
    await context.close();
  });

  test('auto top-up: a declined card shows live, with the next try in the account timezone; saving the settings tries again at once', async () => {
    const { page, context } = await h.page();
    const user = await h.signUpAndLogIn(page, { timezone: 'Asia/Kolkata' });
    const card = page.locator('#auto-top-up');
    await card.getByRole('heading', { name: 'Auto top-up' }).waitFor();
    await card.getByRole('button', { name: 'Save a card' }).click();
    await page.waitForURL(`${fake.url}/checkout/**`);
    await page.getByRole('button', { name: 'Save card' }).click();
    await page.getByText('Your card is saved for auto top-up.').waitFor({ timeout: 10_000 });
    await fillAutoTopUp(card, '2');
    await card.getByRole('button', { name: 'Save auto top-up' }).click();
    await card.getByText('Auto top-up settings saved.').waitFor();

    // The bank declines the one top-up the spend below 20 credits starts: the open card says so by
    // push (the AUTO_TOP_UP_FAILED message), with when the next one may start (default spacing 1 h).
    fake.failNext('/v1/payment_intents', 402, 'card_error', 'Your card was declined.');
    const key = await createApiKey(h.t, user);
    await h.t.chargeOk(key, { feature: 'caption', quantity: 35 });
    const notice = card.getByRole('status').filter({ hasText: 'The last top-up failed' });
    await notice.waitFor({ timeout: 15_000 });
    const { retryAfter } = (await h.t.ok(AutoTopUpDocument, {}, user.token)).me.settings.autoTopUp;
    const spacingMs = Date.parse(retryAfter!) - Date.now();
    expect(spacingMs).toBeGreaterThan(55 * 60_000);
    expect(spacingMs).toBeLessThanOrEqual(60 * 60_000);
    // Kolkata is UTC+5:30 all year: the time shown is the instant moved by that, on a 12-hour clock.
    const kolkata = new Date(Date.parse(retryAfter!) + 330 * 60_000);
    const clock = `${kolkata.getUTCHours() % 12 || 12}:${String(kolkata.getUTCMinutes()).padStart(2, '0')} ${kolkata.getUTCHours() < 12 ? 'AM' : 'PM'}`;
    expect(await notice.textContent()).toMatch(new RegExp(`^The last top-up failed: .*declined.* Next try after .*${kolkata.getUTCFullYear()}, ${clock}\\.$`));
    await waitForTestIdText(page, 'balance', '15 credits', 5000);

    // Saving the settings clears the spacing; the balance is below the threshold, so a top-up starts
    // at once, is paid this time, and the notice goes.
    await card.getByRole('button', { name: 'Save auto top-up' }).click();
    await waitForTestIdText(page, 'balance', '115 credits', 15_000);
    await notice.waitFor({ state: 'detached', timeout: 5000 });
    expect(fake.to('/v1/payment_intents').filter((r) => (r.body.metadata as Record<string, string> | undefined)?.accountId === user.accountId)).toHaveLength(2);
    await context.close();
  });

  test('auto top-up: leaving Stripe\'s card page with Cancel says no card was saved, in the Auto top-up card it shows, not "nothing was charged"', async () => {
    const { page, context } = await h.page();
    await h.signUpAndLogIn(page);
    const card = page.locator('#auto-top-up');
    await card.getByRole('button', { name: 'Save a card' }).click();
    await page.waitForURL(`${fake.url}/checkout/**`);
    await page.getByRole('link', { name: 'Cancel' }).click();
    await page.waitForURL(/\/app\/account/);
    await card.getByRole('status').filter({ hasText: 'Saving a card was cancelled. No card was saved.' }).waitFor({ timeout: 10_000 });
    expect(await page.getByText('Checkout was cancelled').count()).toBe(0);
    await waitForTestIdText(page, 'auto-top-up-card', 'No card saved yet', 5000);
    expect(page.url()).not.toContain('checkout=');
    // The card that says so is far down the page: it is brought into view, its heading focused.
    await page.waitForFunction(() => document.activeElement?.id === 'auto-top-up-title');
    expect(await page.evaluate(() => Math.round(document.getElementById('auto-top-up')!.getBoundingClientRect().top))).toBeLessThan(100);
    await context.close();
  });

  test('auto top-up: the form follows the server until edited and saves only what was changed (a stale tab, a dispute turning it off)', async () => {
    const { page, context } = await h.page();
    const user = await h.signUpAndLogIn(page);
    const card = page.locator('#auto-top-up');
    await card.getByRole('button', { name: 'Save a card' }).click();
    await page.waitForURL(`${fake.url}/checkout/**`);
    await page.getByRole('button', { name: 'Save card' }).click();
    await page.getByText('Your card is saved for auto top-up.').waitFor({ timeout: 10_000 });
    await page.getByRole('button', { name: 'Buy 100 credits for $9.00' }).click();
    await page.waitForURL(`${fake.url}/checkout/**`);
    await page.getByRole('button', { name: /^Pay / }).click();
    await page.waitForURL(/\/app\/account/);
    await waitForTestIdText(page, 'balance', '150 credits', 10_000);
    const settings = async () => (await h.t.ok(AutoTopUpDocument, {}, user.token)).me.settings.autoTopUp;

    // A second tab, opened while auto top-up is off and never shown again (so never read again).
    const stale = await context.newPage();
    await stale.goto('/app/account');
    const staleCard = stale.locator('#auto-top-up');
    await waitForTestIdText(stale, 'auto-top-up-state', 'Off.', 5000);

    await fillAutoTopUp(card, '2');
    await card.getByRole('button', { name: 'Save auto top-up' }).click();
    await card.getByText('Auto top-up settings saved.').waitFor();
    await waitForTestIdText(page, 'auto-top-up-state', 'On: when the balance falls below 20 credits', 5000);

    // The stale tab still shows it off; changing only the maximum there must not switch it off.
    expect(await staleCard.getByLabel('Top up automatically').isChecked()).toBe(false);
    await staleCard.getByLabel('At most this many top-ups a month').fill('4');
    await staleCard.getByRole('button', { name: 'Save auto top-up' }).click();
    await staleCard.getByText('Auto top-up settings saved.').waitFor();
    expect(await settings()).toMatchObject({ enabled: true, threshold: '20', packId: 'pack_100', monthlyMaximum: 4 });
    await waitForTestIdText(stale, 'auto-top-up-state', 'On: when the balance falls below 20 credits, buys 100 credits for $9.00. 0 of at most 4 this month.', 5000);
    expect(await staleCard.getByLabel('Top up automatically').isChecked()).toBe(true); // the form followed what was saved
    await stale.close();

    // The pack's payment is disputed: the server turns auto top-up off. The open form follows (box
    // unticked, the maximum saved in the other tab), "saved" goes, and the card says why it is off.
    const purchase = (await h.t.ok(MessagesDocument, { first: 20 }, user.token)).messages.edges.find((e) => e.node.kind === 'PURCHASE_COMPLETED')!.node;
    const pi = (purchase.data as { paymentIntentId: string }).paymentIntentId;
    expect((await postStripeEvent(`${h.base}/webhooks/stripe`, stripeEvent('charge.dispute.funds_withdrawn', paymentDispute(pi, 900)), WHSEC)).status).toBe(200);
    await waitForTestIdText(page, 'auto-top-up-state', 'Off.', 10_000);
    await card.getByRole('status').filter({ hasText: 'Turned off because a payment of 9.00 USD was disputed with your bank.' }).waitFor({ timeout: 5000 });
    expect(await card.getByLabel('Top up automatically').isChecked()).toBe(false);
    expect(await card.getByLabel('At most this many top-ups a month').inputValue()).toBe('4');
    expect(await card.getByText('Auto top-up settings saved.').count()).toBe(0);

    // Raising the maximum keeps it off: only the maximum is sent.
    await card.getByLabel('At most this many top-ups a month').fill('5');
    await card.getByRole('button', { name: 'Save auto top-up' }).click();
    await card.getByText('Auto top-up settings saved.').waitFor();
    expect(await settings()).toMatchObject({ enabled: false, monthlyMaximum: 5 });
    await waitForTestIdText(page, 'auto-top-up-state', 'Off.', 1000);

    // "Another amount" says what the card is charged, priced as the server prices it (at $0.09 a
    // credit, rounded up to a whole cent), and refuses, before sending, what a card cannot be charged.
    await card.getByLabel('Buy each time').selectOption('custom');
    await card.getByLabel('Credits to buy').fill('5');
    await waitForTestIdText(page, 'auto-top-up-price', 'Your card is charged $0.45 each time', 1000);
    await card.getByRole('button', { name: 'Save auto top-up' }).click();
    await card.getByText('That costs $0.45; a card can be charged $0.50 or more at once.').waitFor();
    await card.getByLabel('Credits to buy').fill('111.111');
    await waitForTestIdText(page, 'auto-top-up-price', 'Your card is charged $10.00 each time ($0.09 a credit, rounded up).', 1000);
    await card.getByRole('button', { name: 'Save auto top-up' }).click();
    await card.getByText('Auto top-up settings saved.').waitFor();
    expect(await settings()).toMatchObject({ packId: null, amount: '111.111', price: '10.00', currency: 'usd' });
    await context.close();
  });

  test('webhooks: add an endpoint (secret shown once), see a failed delivery, replay it, rotate the secret, disable and delete', async () => {
    const { page, context } = await h.page();
    const user = await h.signUpAndLogIn(page);
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();
    await page.getByText('No endpoints yet.').waitFor();

    const form = page.locator('#create-endpoint');
    await form.getByRole('button', { name: 'Add endpoint' }).click();
    await form.getByText('Enter a URL starting with https://.').waitFor();
    await form.getByLabel('Endpoint URL').fill(receiver.url);
    await form.getByLabel('Description (optional)').fill('ops alerts');
    await form.getByLabel('All events').uncheck();
    await form.getByRole('button', { name: 'Add endpoint' }).click();
    await form.getByText('Choose at least one event.').waitFor();
    await form.getByLabel(/Credits running low/).check();
    await form.getByRole('button', { name: 'Add endpoint' }).click();
    const firstSecret = await page.getByTestId('webhook-secret').inputValue();
    expect(firstSecret).toMatch(/^whsec_/);
    const endpoint = page.getByTestId('webhook-endpoint');
    await endpoint.getByText('wallet.low_credits · added').waitFor();
    await endpoint.getByText('ops alerts').waitFor();
    await form.getByRole('button', { name: 'I saved it' }).click();
    expect(await page.getByTestId('webhook-secret').count()).toBe(0); // never shown again

    // The receiver refuses both attempts: the delivery shows as FAILED after 2 attempts, HTTP 503.
    let accepting = false;
    receiver.answer = () => (accepting ? 200 : 503);
    const key = await createApiKey(h.t, user);
    await h.t.chargeOk(key, { feature: 'caption', quantity: 38 }); // 12 of 50 left: the 25 % alert
    await endpoint.getByRole('button', { name: 'Deliveries' }).click();
    const delivery = endpoint.getByTestId('webhook-delivery');
    await delivery.filter({ hasText: 'FAILED' }).waitFor({ timeout: 15_000 });
    await delivery.filter({ hasText: 'HTTP 503' }).waitFor();
    const failed = receiver.receipts.filter((r) => r.payload.data.accountId === user.accountId);
    expect(failed.map((r) => r.status)).toEqual([503, 503]);
    expect(new Set(failed.map((r) => r.id)).size).toBe(1);
    expect(failed.every((r) => WebhookReceiver.verifies(firstSecret, r))).toBe(true);

    // Replay: the same event id again, now accepted.
    accepting = true;
    await endpoint.getByRole('button', { name: /^Replay wallet\.low_credits/ }).click();
    await delivery.filter({ hasText: '(replay)' }).filter({ hasText: 'SUCCEEDED' }).waitFor({ timeout: 15_000 });
    const replayed = receiver.of(failed[0].id).at(-1)!;
    expect(replayed.status).toBe(200);
    expect(WebhookReceiver.verifies(firstSecret, replayed)).toBe(true);

    // Rotate: the new secret is shown once; the next event is signed with both (grace period).
    await endpoint.getByRole('button', { name: 'Rotate secret' }).click();
    const secondSecret = await endpoint.getByTestId('webhook-secret').inputValue();
    expect(secondSecret).toMatch(/^whsec_/);
    expect(secondSecret).not.toBe(firstSecret);
    await endpoint.getByText(/secret rotated .* \(the previous one also signs until/).waitFor();
    await h.t.chargeOk(key, { feature: 'caption', quantity: 7 }); // 5 of 50 left: the 10 % alert
    await delivery.filter({ hasText: 'SUCCEEDED' }).filter({ hasNotText: '(replay)' }).waitFor({ timeout: 15_000 });
    const afterRotation = receiver.receipts.filter((r) => r.payload.data.accountId === user.accountId).at(-1)!;
    expect(afterRotation.id).not.toBe(failed[0].id);
    expect(WebhookReceiver.verifies(secondSecret, afterRotation)).toBe(true);
    expect(WebhookReceiver.verifies(firstSecret, afterRotation)).toBe(true);
    await h.screenshot(page, 'webhooks');
    expect(await seriousViolations(page)).toEqual([]); // the form, a new secret and a delivery log open

    // Within the grace period, rotating again stops the old secrets at once, as the button says,
    // after asking (receivers still on an old secret fail from then on).
    await endpoint.getByRole('button', { name: 'I saved it' }).click();
    await endpoint.getByRole('button', { name: 'Rotate again, stop old secrets now' }).click();
    await endpoint.getByRole('button', { name: /^Keep them until / }).click();
    await endpoint.getByRole('button', { name: 'Rotate again, stop old secrets now' }).click();
    await endpoint.getByRole('button', { name: 'Stop old secrets now' }).click();
    const thirdSecret = await endpoint.getByTestId('webhook-secret').inputValue();
    expect(thirdSecret).not.toBe(secondSecret);
    await endpoint.getByRole('button', { name: 'Rotate secret' }).waitFor(); // no old secret signs any more

    // Disable, then delete (asked twice).
    await endpoint.getByRole('button', { name: 'Disable' }).click();
    await endpoint.getByText('disabled', { exact: true }).waitFor();
    await endpoint.getByRole('button', { name: `Delete ${receiver.url}` }).click();
    await endpoint.getByRole('button', { name: 'Delete for good' }).click();
    await page.getByText('No endpoints yet.').waitFor();
    await context.close();
  });
});
