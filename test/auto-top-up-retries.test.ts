import { startTestApp, type TestApp, type TestUser } from './helpers/app';
import { withSql } from './helpers/db';
import { FakeStripe } from './helpers/fake-stripe';
import { AUTHENTICATION_CARD, DECLINED_CARD } from './helpers/fake-stripe-intents';
import { autoTopUpCardSaved, postStripeEvent, stripeEvent } from './helpers/stripe-events';
import { sharedJwtEnv, sleep } from './helpers/subscriptions';
import { until } from './helpers/until';
import { WebhookReceiver } from './helpers/webhook-receiver';
import {
  AutoTopUpDocument,
  CreateWebhookEndpointDocument,
  MeDocument,
  MessagesDocument,
  SetSelfServiceBillingDocument,
  UpdateAutoTopUpDocument,
  type UpdateAutoTopUpInput,
} from './generated/graphql';

/**
 * The spacing of top-ups after a failure (AUTO_TOP_UP_RETRY_AFTER_SECONDS, here 2 s, doubling
 * with each failure in a row), against the local Stripe-compatible server that creates the
 * PaymentIntents and sends their signed webhooks. Its own app and database: every instance of a
 * database must space retries alike, and test/auto-top-up.test.ts retries at once.
 */
const WHSEC = 'whsec_test_secret_for_auto_top_up_retries';
const SPACING_MS = 2000;
const fake = new FakeStripe();
const receiver = new WebhookReceiver();
let app: TestApp;
let webhookUrl: string;

beforeAll(async () => {
  await Promise.all([fake.start(), receiver.start()]);
  app = await startTestApp({
    PRICE_BOOK: 'influgen', // caption = 1 credit; packs of 100 credits for 9.00
    SIGNUP_BONUS: '100',
    STRIPE_SECRET_KEY: 'sk_test_fake',
    STRIPE_WEBHOOK_SECRET: WHSEC,
    STRIPE_API_BASE: fake.url,
    AUTO_TOP_UP_POLL_MS: '100',
    AUTO_TOP_UP_MAX_FAILURES: '3',
    AUTO_TOP_UP_RETRY_AFTER_SECONDS: String(SPACING_MS / 1000),
    WEBHOOK_POLL_MS: '100',
    ...sharedJwtEnv(),
  });
  webhookUrl = app.url.replace(/\/graphql$/, '/webhooks/stripe');
  fake.intents.sendWebhooksTo(webhookUrl, WHSEC);
  const admin = await app.admin();
  await app.ok(SetSelfServiceBillingDocument, { enabled: true }, admin.token);
});
afterAll(async () => {
  await app?.stop();
  await Promise.all([fake.stop(), receiver.stop()]);
});

/** The card a setup-mode Checkout saved (setup_intent.succeeded). */
const saveCard = (u: TestUser, paymentMethod: string) => postStripeEvent(webhookUrl, stripeEvent('setup_intent.succeeded', autoTopUpCardSaved(u.accountId, paymentMethod)), WHSEC);

async function readyUser(card: string, settings: UpdateAutoTopUpInput, timezone?: string): Promise<TestUser> {
  const u = await app.signUp({ timezone });
  expect((await saveCard(u, card)).status).toBe(200);
  await app.ok(UpdateAutoTopUpDocument, { input: { enabled: true, ...settings } }, u.token);
  return u;
}

const balance = async (u: TestUser) => (await app.ok(MeDocument, {}, u.token)).me.wallet.balance;
const autoTopUp = async (u: TestUser) => (await app.ok(AutoTopUpDocument, {}, u.token)).me.settings.autoTopUp;
const intentsOf = (u: TestUser) => fake.to('/v1/payment_intents').filter((request) => (request.body.metadata as Record<string, string>)?.accountId === u.accountId);
/** The account's top-ups, oldest first, with when each was settled (the database clock). */
const attemptsOf = (u: TestUser) =>
  withSql(app.dbUrl, async (c) => (await c.query('select id, status, failure_code, completed_at from auto_top_up_attempt where account_id = $1 order by created_at', [u.accountId])).rows);
/** What the batches compare with: the stored column, whether or not its time has passed. */
const storedRetryAfter = async (u: TestUser) =>
  (await withSql(app.dbUrl, (c) => c.query('select retry_after, consecutive_failures from auto_top_up where account_id = $1', [u.accountId]))).rows[0];
const failedMessages = async (u: TestUser) =>
  (await app.ok(MessagesDocument, { first: 50 }, u.token)).messages.edges.map((edge) => edge.node).filter((m) => m.kind === 'AUTO_TOP_UP_FAILED');
/** Waits until `iso` has passed, by a margin. */
const waitUntilPast = (iso: string) => sleep(Math.max(0, Date.parse(iso) - Date.now()) + 100);

/** Fails the account's `n`th top-up (1-based) and returns it. */
async function failedTopUp(u: TestUser, n: number) {
  const list = await until(() => attemptsOf(u), (rows) => rows.length === n && rows[n - 1].status === 'FAILED');
  return list[n - 1];
}

describe('spacing after a failed top-up', () => {
  it('after a decline, spends below the threshold start no new PaymentIntent until the spacing has passed', async () => {
    const u = await readyUser(DECLINED_CARD, { threshold: '90', packId: 'pack_100', monthlyMaximum: 10 });
    expect((await app.charge(u, { quantity: 20 })).errors).toBeUndefined(); // 80 < 90: top-up 1, declined
    await failedTopUp(u, 1);
    const { retryAfter } = await autoTopUp(u);
    expect(retryAfter).not.toBeNull();
    for (let i = 0; i < 5; i++) expect((await app.charge(u, { quantity: 1 })).errors).toBeUndefined(); // 79 .. 75: each below the threshold
    await sleep(300); // the worker polls every 100 ms: a started top-up would have its PaymentIntent by now
    expect(Date.now()).toBeLessThan(Date.parse(retryAfter!)); // every spend above fell within the spacing
    expect(intentsOf(u)).toHaveLength(1);
    expect(await attemptsOf(u)).toHaveLength(1);

    await waitUntilPast(retryAfter!);
    expect((await app.charge(u, { quantity: 1 })).errors).toBeUndefined(); // 74: the spacing has passed
    await until(() => intentsOf(u).length, (n) => n === 2);
    await failedTopUp(u, 2);
    expect(await balance(u)).toBe('74');
  });

  it('doubles with each failure in a row, from the failure time; the failure message (in the account\'s timezone) and webhook event say when', async () => {
    const u = await readyUser(DECLINED_CARD, { threshold: '90', packId: 'pack_100', monthlyMaximum: 10 }, 'Asia/Kolkata');
    const secret = (await app.ok(CreateWebhookEndpointDocument, { input: { url: receiver.url, events: ['AUTO_TOP_UP_FAILED'] } }, u.token)).createWebhookEndpoint.secret;
    expect((await app.charge(u, { quantity: 20 })).errors).toBeUndefined(); // 80 < 90
    const first = await failedTopUp(u, 1);
    const afterFirst = await autoTopUp(u);
    expect(afterFirst).toMatchObject({ consecutiveFailures: 1, stoppedAfterFailures: false });
    expect(Date.parse(afterFirst.retryAfter!) - first.completed_at.getTime()).toBe(SPACING_MS);

    await waitUntilPast(afterFirst.retryAfter!);
    expect((await app.charge(u, { quantity: 1 })).errors).toBeUndefined(); // 79
    const second = await failedTopUp(u, 2);
    const afterSecond = await autoTopUp(u);
    expect(afterSecond).toMatchObject({ consecutiveFailures: 2, stoppedAfterFailures: false });
    expect(Date.parse(afterSecond.retryAfter!) - second.completed_at.getTime()).toBe(2 * SPACING_MS);

    const messages = await until(() => failedMessages(u), (list) => list.length === 2);
    expect(messages.map((m) => (m.data as { retryAfter: string | null }).retryAfter).sort()).toEqual([afterFirst.retryAfter, afterSecond.retryAfter]);
    // Kolkata is UTC+05:30 all year: the local hour and minute, read off the ISO text of the shifted instant.
    const kolkata = (iso: string) => new Date(Date.parse(iso) + 5.5 * 3600_000).toISOString().slice(11, 16);
    for (const m of messages) {
      const { retryAfter } = m.data as { retryAfter: string };
      expect(m.body).toMatch(new RegExp(`The next automatic top-up may start after \\d{1,2} [A-Z][a-z]{2,3} \\d{4}, ${kolkata(retryAfter)} \\(Asia/Kolkata\\)\\.$`));
    }
    const events = await until(
      () => receiver.receipts.filter((receipt) => receipt.payload.data.accountId === u.accountId),
      (list) => list.length === 2,
    );
    expect(events.every((event) => WebhookReceiver.verifies(secret, event))).toBe(true);
    expect(events.map((event) => event.payload.data.retryAfter).sort()).toEqual([afterFirst.retryAfter, afterSecond.retryAfter]);

    await waitUntilPast(afterSecond.retryAfter!);
    expect((await app.charge(u, { quantity: 1 })).errors).toBeUndefined(); // 78
    await failedTopUp(u, 3); // the limit (3): top-ups stop, and no retry waits
    expect(await autoTopUp(u)).toMatchObject({ consecutiveFailures: 3, stoppedAfterFailures: true, retryAfter: null });
    expect((await storedRetryAfter(u)).retry_after).toBeNull();
  });

  it('a bank asking for authentication stops top-ups after one failure; a card saved clears the stop, and saving the settings clears the spacing', async () => {
    const u = await readyUser(AUTHENTICATION_CARD, { threshold: '90', packId: 'pack_100', monthlyMaximum: 10 });
    expect((await app.charge(u, { quantity: 20 })).errors).toBeUndefined(); // 80 < 90
    expect((await failedTopUp(u, 1)).failure_code).toBe('authentication_required');
    expect(await autoTopUp(u)).toMatchObject({ consecutiveFailures: 3, stoppedAfterFailures: true, retryAfter: null });
    const [message] = await failedMessages(u);
    expect(message.data).toMatchObject({ reason: 'authentication_required', stoppedAfterFailures: true, retryAfter: null });
    expect(message.body).toMatch(/bank asks you to confirm this payment/);
    await sleep(SPACING_MS + 100); // longer than any spacing: only the stop holds further top-ups back
    for (let i = 0; i < 3; i++) expect((await app.charge(u, { quantity: 1 })).errors).toBeUndefined(); // 79 .. 77
    await sleep(300);
    expect(intentsOf(u)).toHaveLength(1);

    // Another card saved clears the stop; the balance (77) is below the threshold, so it is charged at
    // once. It is declined: one failure, a spacing, no stop.
    expect((await saveCard(u, DECLINED_CARD)).status).toBe(200);
    await failedTopUp(u, 2);
    expect(await autoTopUp(u)).toMatchObject({ consecutiveFailures: 1, stoppedAfterFailures: false, retryAfter: expect.any(String) });

    // Saving the settings clears the spacing: the balance is below the threshold, so a top-up starts at once.
    const saved = (await app.ok(UpdateAutoTopUpDocument, { input: { threshold: '90' } }, u.token)).updateAutoTopUp;
    expect(saved.retryAfter).toBeNull();
    await until(() => intentsOf(u).length, (n) => n === 3);
    await failedTopUp(u, 3);
  });

  it('is tried again by itself when the spacing ends, with no spend meanwhile: once, and paid', async () => {
    const u = await readyUser('pm_card_visa', { threshold: '90', packId: 'pack_100', monthlyMaximum: 10 });
    fake.failNext('/v1/payment_intents', 402, 'card_error', 'Your card was declined.'); // this once
    expect((await app.charge(u, { quantity: 20 })).errors).toBeUndefined(); // 80 < 90: top-up 1, declined
    await failedTopUp(u, 1);
    const { retryAfter } = await autoTopUp(u);
    await sleep(300);
    expect(Date.now()).toBeLessThan(Date.parse(retryAfter!));
    expect(intentsOf(u)).toHaveLength(1); // nothing before the spacing ends

    // The pipeline is idle: no charge, no save. The worker asks the ledger once the spacing is over.
    await until(() => balance(u), (value) => value === '180', SPACING_MS + 5000);
    const attempts = await attemptsOf(u);
    expect(attempts.map((attempt) => attempt.status)).toEqual(['FAILED', 'SUCCEEDED']);
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(retryAfter!));
    expect(await storedRetryAfter(u)).toEqual({ retry_after: null, consecutive_failures: 0 });
    await sleep(500); // several more polls: the ended spacing started one top-up, not one per poll
    expect(intentsOf(u)).toHaveLength(2);
  });

  it('declined again and again by itself, the spacing doubles each time and top-ups stop at the limit', async () => {
    const u = await readyUser(DECLINED_CARD, { threshold: '90', packId: 'pack_100', monthlyMaximum: 10 });
    expect((await app.charge(u, { quantity: 20 })).errors).toBeUndefined(); // 80 < 90: the only spend
    const first = await failedTopUp(u, 1);
    const second = await until(() => attemptsOf(u), (rows) => rows.length === 2 && rows[1].status === 'FAILED', SPACING_MS + 5000);
    const third = await until(() => attemptsOf(u), (rows) => rows.length === 3 && rows[2].status === 'FAILED', 2 * SPACING_MS + 5000);
    // Each retry waited for its spacing: 2 s after the first failure, 4 s after the second.
    expect(second[1].completed_at.getTime() - first.completed_at.getTime()).toBeGreaterThanOrEqual(SPACING_MS);
    expect(third[2].completed_at.getTime() - second[1].completed_at.getTime()).toBeGreaterThanOrEqual(2 * SPACING_MS);
    expect(await autoTopUp(u)).toMatchObject({ consecutiveFailures: 3, stoppedAfterFailures: true, retryAfter: null });
    await sleep(SPACING_MS); // stopped: nothing more starts by itself
    expect(await attemptsOf(u)).toHaveLength(3);
    expect(await balance(u)).toBe('80');
  });

  it('a success clears the spacing and the failure count', async () => {
    const u = await readyUser('pm_card_visa', { threshold: '90', packId: 'pack_100', monthlyMaximum: 10 });
    fake.failNext('/v1/payment_intents', 402, 'card_error', 'Your card was declined.'); // this once; the card works afterwards
    expect((await app.charge(u, { quantity: 20 })).errors).toBeUndefined(); // 80 < 90
    expect((await failedTopUp(u, 1)).failure_code).toBe('card_declined');
    const { retryAfter } = await autoTopUp(u);
    expect(retryAfter).not.toBeNull();

    await waitUntilPast(retryAfter!);
    expect((await app.charge(u, { quantity: 1 })).errors).toBeUndefined(); // 79: tried again, and paid
    await until(() => balance(u), (value) => value === '179');
    expect((await attemptsOf(u)).map((attempt) => attempt.status)).toEqual(['FAILED', 'SUCCEEDED']);
    expect(await storedRetryAfter(u)).toEqual({ retry_after: null, consecutive_failures: 0 });
    expect(await autoTopUp(u)).toMatchObject({ consecutiveFailures: 0, retryAfter: null });
  });
});
