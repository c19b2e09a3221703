import { charge, createApiKey, DashboardHarness } from '../helpers/dashboard';
import { describeWithBrowser } from '../helpers/browser';
import { WebhookReceiver } from '../helpers/webhook-receiver';
import { CreateWebhookEndpointDocument, GrantCreditsDocument, WebhookDeliveriesDocument } from '../generated/graphql';
import { WebhookEventType } from '../../src/modules/webhooks/webhook-event';

/*
 * The Webhooks page while it stays open (synfluencer preset, 5 credits at sign-up): deliveries
 * are retried every 2 s, so an endpoint refusing them is failing for a while, and the page must
 * follow its status without a reload; and its delivery log at a phone's width.
 */

describeWithBrowser('dashboard: the Webhooks page', () => {
  let h: DashboardHarness;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
    h = await DashboardHarness.start({ WEBHOOK_POLL_MS: '50', WEBHOOK_RETRY_BASE_MS: '2000', WEBHOOK_RETRY_MAX_MS: '2000', WEBHOOK_MAX_ATTEMPTS: '5' });
  });
  afterAll(async () => {
    await h?.stop();
    await receiver?.stop();
  });

  test("an endpoint's failing-since notice comes and goes while the page stays open", async () => {
    const { page, context } = await h.page();
    const user = await h.t.signUp();
    await h.t.ok(CreateWebhookEndpointDocument, { input: { url: receiver.url, events: ['LOW_CREDITS'] } }, user.token);
    const key = await createApiKey(h.t, user);
    await h.logIn(page, user, '/app/webhooks');
    const endpoint = page.getByTestId('webhook-endpoint');
    await endpoint.getByText('enabled', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Deliveries' }).click();
    await endpoint.getByText('No deliveries yet', { exact: false }).waitFor();

    // 5 -> 1: the 25 % alert; the receiver refuses it, and the endpoint is failing from then on.
    let accepting = false;
    receiver.answer = () => (accepting ? 200 : 503);
    expect((await charge(h.t, key, '4')).errors).toBeUndefined();
    await endpoint.getByTestId('webhook-delivery').filter({ hasText: 'HTTP 503' }).waitFor({ timeout: 10_000 });
    await endpoint.getByText(/^Failing since /).waitFor({ timeout: 8000 });

    // The next try succeeds: the notice goes.
    accepting = true;
    await endpoint.getByTestId('webhook-delivery').filter({ hasText: 'SUCCEEDED' }).waitFor({ timeout: 10_000 });
    await endpoint.getByText(/^Failing since /).waitFor({ state: 'detached', timeout: 8000 });
    await context.close();
  });

  test('an endpoint for every event says so in words; one for a few names them', async () => {
    const { page, context } = await h.page();
    const user = await h.t.signUp();
    const every = Object.values(WebhookEventType);
    await h.t.ok(CreateWebhookEndpointDocument, { input: { url: `${receiver.url}/all`, events: every } }, user.token);
    await h.t.ok(CreateWebhookEndpointDocument, { input: { url: `${receiver.url}/some`, events: ['LOW_CREDITS', 'CREDITS_DEPLETED'] } }, user.token);
    await h.logIn(page, user, '/app/webhooks');
    const all = page.getByTestId('webhook-endpoint').filter({ hasText: '/all' });
    const some = page.getByTestId('webhook-endpoint').filter({ hasText: '/some' });
    await all.getByText(`All ${every.length} events · added`, { exact: false }).waitFor({ timeout: 5000 });
    await some.getByText('wallet.low_credits, wallet.depleted · added', { exact: false }).waitFor({ timeout: 5000 });
    await context.close();
  });

  test('at 375 px an open delivery log scrolls inside its own focusable region, not the page', async () => {
    const { page, context } = await h.page({ width: 375, height: 800 });
    const user = await h.t.signUp();
    await h.t.ok(CreateWebhookEndpointDocument, { input: { url: receiver.url, events: ['LOW_CREDITS'] } }, user.token);
    receiver.answer = () => 200;
    expect((await charge(h.t, await createApiKey(h.t, user), '4')).errors).toBeUndefined();
    await h.logIn(page, user, '/app/webhooks');
    await page.getByRole('button', { name: 'Deliveries' }).click();
    await page.getByTestId('webhook-delivery').first().waitFor({ timeout: 10_000 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);

    // The table is wider than the screen: keyboard users scroll it through its focusable region.
    const region = page.getByRole('region', { name: 'Deliveries table' });
    await region.focus();
    expect(await region.evaluate((el) => el === document.activeElement && el.scrollWidth > el.clientWidth)).toBe(true);
    await h.screenshot(page, 'webhooks-375');
    await context.close();
  });

  test('keyboard only: Older and Newer keep the focus while their page of deliveries loads; "Delete for good" gives it to the list heading', async () => {
    const { page, context } = await h.page();
    const user = await h.t.signUp();
    const endpointId = (await h.t.ok(CreateWebhookEndpointDocument, { input: { url: receiver.url, events: ['LOW_CREDITS', 'CREDITS_DEPLETED', 'WALLET_PAUSED', 'WALLET_RESUMED'] } }, user.token)).createWebhookEndpoint.endpoint.id;
    receiver.answer = () => 200;
    // More deliveries than a page of 20: each spend of the whole balance fires low-credit, depleted
    // and paused events, each grant a resumed one.
    const key = await createApiKey(h.t, user);
    const admin = await h.t.admin();
    expect((await charge(h.t, key, '5')).errors).toBeUndefined();
    for (let i = 1; i <= 6; i++) {
      await h.t.ok(GrantCreditsDocument, { accountId: user.accountId, amount: '1', reason: 'refill', idempotencyKey: `refill-${user.accountId}-${i}` }, admin.token);
      expect((await charge(h.t, key, '1')).errors).toBeUndefined();
    }
    for (const deadline = Date.now() + 10_000; ; await new Promise((resolve) => setTimeout(resolve, 100))) {
      const { webhookDeliveries } = await h.t.ok(WebhookDeliveriesDocument, { endpointId, first: 20 }, user.token);
      if (webhookDeliveries.pageInfo.hasNextPage) break;
      if (Date.now() > deadline) throw new Error(`only ${webhookDeliveries.edges.length} deliveries`);
    }

    await h.logIn(page, user, '/app/webhooks');
    await page.getByRole('button', { name: 'Deliveries' }).click();
    await page.getByTestId('webhook-delivery').nth(19).waitFor({ timeout: 10_000 });
    // Each page of deliveries is held back a moment, as on a real network.
    await page.route('**/graphql', async (route) => {
      if ((route.request().postData() ?? '').includes('WebhookDeliveries')) await new Promise((resolve) => setTimeout(resolve, 300));
      await route.continue().catch(() => undefined);
    });
    const pager = page.getByRole('navigation', { name: 'Delivery pages' });
    const focusedText = () => page.evaluate(() => (document.activeElement === document.body ? 'BODY' : (document.activeElement?.textContent ?? '')));
    const press = async (button: string, shown: string) => {
      await pager.getByRole('button', { name: button }).focus();
      const answered = page.waitForResponse((r) => (r.request().postData() ?? '').includes('WebhookDeliveries'));
      await page.keyboard.press('Enter');
      await answered;
      await pager.getByText(shown).waitFor();
      await page.getByTestId('webhook-delivery').first().waitFor();
      await page.waitForTimeout(100); // the answer rendered
    };
    await press('Older', 'Page 2');
    expect(await focusedText()).toBe('Older');
    await press('Newer', 'Page 1');
    expect(await focusedText()).toBe('Newer');
    await page.unrouteAll({ behavior: 'ignoreErrors' });

    await page.getByRole('button', { name: `Delete ${receiver.url}` }).focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter'); // "Delete for good" takes the focus when asked
    await page.getByText('No endpoints yet.').waitFor();
    for (const deadline = Date.now() + 2000; (await focusedText()) !== 'Your endpoints' && Date.now() < deadline; ) await page.waitForTimeout(20);
    expect(await focusedText()).toBe('Your endpoints');
    await context.close();
  });
});
