import { randomBytes } from 'node:crypto';
import { startTestApp, errorCode, type TestApp, type TestUser } from './helpers/app';
import { withSql } from './helpers/db';
import { FakeStripe } from './helpers/fake-stripe';
import { AUTHENTICATION_CARD, DECLINED_CARD } from './helpers/fake-stripe-intents';
import { autoTopUpCardSaved, paymentDispute, postStripeEvent, stripeEvent } from './helpers/stripe-events';
import { TestSmtp } from './helpers/smtp';
import { pool, sharedJwtEnv, sleep } from './helpers/subscriptions';
import { WebhookReceiver } from './helpers/webhook-receiver';
import {
  AutoTopUpDocument,
  CaptureHoldDocument,
  CreateWebhookEndpointDocument,
  MeDocument,
  MessagesDocument,
  PurchaseCreditsDocument,
  RequestRefundDocument,
  ReserveCreditsDocument,
  SetSelfServiceBillingDocument,
  SetupAutoTopUpPaymentMethodDocument,
  UpdateAutoTopUpDocument,
  type UpdateAutoTopUpInput,
  type WebhookEventType,
} from './generated/graphql';
import { until } from './helpers/until';

/**
 * Auto top-up against the local Stripe-compatible server: the real stripe SDK creates off-session
 * PaymentIntents there, and it answers with really signed webhooks, as Stripe does. Two instances
 * share the database, so "one top-up in flight per wallet" is checked across instances.
 */
const WHSEC = 'whsec_test_secret_for_auto_top_up';
const fake = new FakeStripe();
const smtp = new TestSmtp();
const receiver = new WebhookReceiver();
let a: TestApp;
let b: TestApp;
let plain: TestApp; // no Stripe key
let webhookUrl: string;

beforeAll(async () => {
  await Promise.all([fake.start(), smtp.start(), receiver.start()]);
  const env = {
    PRICE_BOOK: 'influgen', // caption = 1 credit; packs of 100 credits for 9.00
    SIGNUP_BONUS: '100',
    STRIPE_SECRET_KEY: 'sk_test_fake',
    STRIPE_WEBHOOK_SECRET: WHSEC,
    STRIPE_API_BASE: fake.url,
    SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
    EMAIL_POLL_MS: '100',
    AUTO_TOP_UP_POLL_MS: '100',
    AUTO_TOP_UP_MAX_FAILURES: '2',
    AUTO_TOP_UP_RETRY_AFTER_SECONDS: '0', // a failure is tried again at the next spend; the spacing is tested in auto-top-up-retries.test.ts
    WEBHOOK_POLL_MS: '100',
    ...sharedJwtEnv(),
  };
  a = await startTestApp(env);
  [b, plain] = await Promise.all([startTestApp(env, { dbUrl: a.dbUrl }), startTestApp({ STRIPE_WEBHOOK_SECRET: WHSEC })]);
  webhookUrl = a.url.replace(/\/graphql$/, '/webhooks/stripe');
  fake.intents.sendWebhooksTo(webhookUrl, WHSEC);
});
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop(), plain?.stop()]);
  await Promise.all([fake.stop(), smtp.stop(), receiver.stop()]);
});


/** A signed Stripe event POSTed to the API's webhook, as Stripe sends it. */
const postStripe = (type: string, object: object, id?: string) => postStripeEvent(webhookUrl, stripeEvent(type, object, { id }), WHSEC);

/** The card a setup-mode Checkout saved (setup_intent.succeeded). */
const saveCard = (u: TestUser, paymentMethod: string) => postStripe('setup_intent.succeeded', autoTopUpCardSaved(u.accountId, paymentMethod));

let billingOn: Promise<unknown> | null = null;
function selfServiceOn() {
  billingOn ??= a.admin().then((admin) => a.ok(SetSelfServiceBillingDocument, { enabled: true }, admin.token));
  return billingOn;
}

async function readyUser(card: string, settings: UpdateAutoTopUpInput): Promise<TestUser> {
  await selfServiceOn();
  const u = await a.signUp();
  expect((await saveCard(u, card)).status).toBe(200);
  await a.ok(UpdateAutoTopUpDocument, { input: { enabled: true, ...settings } }, u.token);
  return u;
}

const balance = async (u: TestUser) => (await a.ok(MeDocument, {}, u.token)).me.wallet.balance;
const autoTopUp = async (u: TestUser) => (await a.ok(AutoTopUpDocument, {}, u.token)).me.settings.autoTopUp;
const intentsOf = (u: TestUser) => fake.to('/v1/payment_intents').filter((request) => (request.body.metadata as Record<string, string>)?.accountId === u.accountId);
/**
 * The account's one attempt; `backing_off`: the worker set it to be looked at again within a
 * minute, after a Stripe refusal or a lost answer (a claim's lease is 90 s).
 */
const attemptOf = async (u: TestUser) =>
  (
    await withSql(a.dbUrl, (c) =>
      c.query(
        `select id, status, payment_intent_id, stripe_tries, next_check_at <= now() + interval '61 seconds' as backing_off from auto_top_up_attempt where account_id = $1`,
        [u.accountId],
      ),
    )
  ).rows[0];
/** One top-up credited exactly once: the balance reaches `expected` and stays there, one SUCCEEDED attempt, counted once this month. */
async function expectCreditedOnce(u: TestUser, expected: string): Promise<void> {
  await until(() => balance(u), (value) => value === expected);
  expect(await attemptsOf(u)).toEqual([expect.objectContaining({ status: 'SUCCEEDED' })]);
  expect(await autoTopUp(u)).toMatchObject({ topUpsThisMonth: 1, consecutiveFailures: 0 });
  await sleep(300);
  expect(await balance(u)).toBe(expected);
}
const attemptsOf = (u: TestUser) =>
  withSql(a.dbUrl, async (c) => (await c.query('select id, status, failure_code from auto_top_up_attempt where account_id = $1 order by created_at', [u.accountId])).rows);
const subscribe = async (u: TestUser, events: WebhookEventType[]) => (await a.ok(CreateWebhookEndpointDocument, { input: { url: receiver.url, events } }, u.token)).createWebhookEndpoint.secret;
const receiptsOf = (u: TestUser) => receiver.receipts.filter((receipt) => receipt.payload.data.accountId === u.accountId);

describe('settings', () => {
  it('are gated like purchases and need a saved card; a setup-mode Checkout or a webhook saves one', async () => {
    const p = await plain.signUp();
    expect(errorCode(await plain.gql(UpdateAutoTopUpDocument, { input: { enabled: true, threshold: '10', packId: 'pack_100' } }, p.token))).toBe('BILLING_NOT_CONFIGURED');
    const u = await a.signUp();
    expect(errorCode(await a.gql(UpdateAutoTopUpDocument, { input: { enabled: true, threshold: '10', packId: 'pack_100' } }, u.token))).toBe('BILLING_DISABLED');
    await selfServiceOn();
    expect(errorCode(await a.gql(UpdateAutoTopUpDocument, { input: { enabled: true, threshold: '10', packId: 'pack_100' } }, u.token))).toBe('BAD_USER_INPUT'); // no card
    expect(errorCode(await a.gql(UpdateAutoTopUpDocument, { input: { threshold: '0' } }, u.token))).toBe('BAD_USER_INPUT');
    expect(errorCode(await a.gql(UpdateAutoTopUpDocument, { input: { packId: 'pack_100', amount: '10' } }, u.token))).toBe('BAD_USER_INPUT');
    expect(errorCode(await a.gql(UpdateAutoTopUpDocument, { input: { amount: '1' } }, u.token))).toBe('BAD_USER_INPUT'); // 0.09 is below what a card can be charged
    expect(errorCode(await a.gql(UpdateAutoTopUpDocument, { input: { amount: '11111112' } }, u.token))).toBe('BAD_USER_INPUT'); // 1,000,000.08 is above what Stripe charges at once
    expect(errorCode(await a.gql(UpdateAutoTopUpDocument, { input: { packId: '' } }, u.token))).toBe('BAD_USER_INPUT'); // was taken as "keep the pack"
    expect((await a.ok(UpdateAutoTopUpDocument, { input: { amount: '11111111' } }, u.token)).updateAutoTopUp.price).toBe('999999.99'); // Stripe's largest
    expect(errorCode(await a.gql(UpdateAutoTopUpDocument, { input: { monthlyMaximum: 0 } }, u.token))).toBe('BAD_USER_INPUT');
    expect(errorCode(await a.gql(UpdateAutoTopUpDocument, { input: { packId: 'pack_nope' } }, u.token))).toBe('NOT_FOUND');

    const session = (await a.ok(SetupAutoTopUpPaymentMethodDocument, {}, u.token)).setupAutoTopUpPaymentMethod;
    const request = fake.to('/v1/checkout/sessions').at(-1)!.body;
    expect(session.id).toMatch(/^cs_test_/);
    expect(request).toMatchObject({
      mode: 'setup',
      currency: 'usd',
      setup_intent_data: { metadata: { accountId: u.accountId, purpose: 'auto_top_up' } },
      success_url: expect.stringContaining('checkout=card_saved'), // not the purchase return, which waits for a purchase
    });
    expect((await autoTopUp(u)).paymentMethodSavedAt).toBeNull();
    expect(await saveCard(u, 'pm_card_visa')).toMatchObject({ status: 200, body: { outcome: 'APPLIED' } });
    const firstSaved = (await autoTopUp(u)).paymentMethodSavedAt;
    expect(firstSaved).not.toBeNull();
    await sleep(5);
    expect((await saveCard(u, 'pm_card_mastercard')).status).toBe(200); // a new card moves the time a client waits on
    expect(Date.parse((await autoTopUp(u)).paymentMethodSavedAt!)).toBeGreaterThan(Date.parse(firstSaved!));

    const saved = (await a.ok(UpdateAutoTopUpDocument, { input: { enabled: true, threshold: '20', amount: '50', monthlyMaximum: 4 } }, u.token)).updateAutoTopUp;
    expect(saved).toMatchObject({ enabled: true, threshold: '20', packId: null, amount: '50', price: '4.50', currency: 'usd', monthlyMaximum: 4, paymentMethodSaved: true, topUpsThisMonth: 0 });
    const byPack = (await a.ok(UpdateAutoTopUpDocument, { input: { packId: 'pack_250' } }, u.token)).updateAutoTopUp;
    expect(byPack).toMatchObject({ packId: 'pack_250', amount: '250', price: '20.00', threshold: '20' });
    expect(errorCode(await a.gql(AutoTopUpDocument, {}, undefined))).toBe('UNAUTHENTICATED');
  });

  it('saves the card of a Checkout purchase (setup_future_usage) and announces the purchase and its refund to webhooks', async () => {
    await selfServiceOn();
    const u = await a.signUp();
    const secret = await subscribe(u, ['PURCHASE_COMPLETED', 'REFUND_COMPLETED']);
    await a.ok(PurchaseCreditsDocument, { packId: 'pack_100' }, u.token);
    expect(fake.to('/v1/checkout/sessions').at(-1)!.body.payment_intent_data).toMatchObject({ setup_future_usage: 'off_session' });

    const pi = `pi_${randomBytes(6).toString('hex')}`;
    const metadata = { accountId: u.accountId, packId: 'pack_100', credits: '100' };
    const session = { id: `cs_${randomBytes(6).toString('hex')}`, object: 'checkout.session', mode: 'payment', status: 'complete', payment_status: 'paid', client_reference_id: u.accountId, customer: null, metadata, payment_intent: pi, amount_total: 900, currency: 'usd' };
    expect((await postStripe('checkout.session.completed', session)).status).toBe(200);
    const intent = { id: pi, object: 'payment_intent', status: 'succeeded', amount: 900, amount_received: 900, currency: 'usd', customer: 'cus_x', payment_method: 'pm_card_visa', setup_future_usage: 'off_session', metadata };
    expect(await postStripe('payment_intent.succeeded', intent)).toMatchObject({ status: 200, body: { outcome: 'APPLIED' } });
    expect((await autoTopUp(u)).paymentMethodSaved).toBe(true);

    const [purchase] = await until(() => receiptsOf(u), (list) => list.length >= 1);
    expect(WebhookReceiver.verifies(secret, purchase)).toBe(true);
    expect(purchase.payload).toMatchObject({ type: 'billing.purchase_completed', data: { credits: '100', packId: 'pack_100', paymentIntentId: pi, wallet: { balance: '200', lifetimePurchased: '100' } } });

    const bucket = (await a.ok(MeDocument, {}, u.token)).me.wallet.buckets.find((candidate) => candidate.source === 'PURCHASE')!;
    const refund = (await a.ok(RequestRefundDocument, { bucketId: bucket.id }, u.token)).requestRefund;
    expect(refund.status).toBe('SUCCEEDED');
    const [, refunded] = await until(() => receiptsOf(u), (list) => list.length >= 2);
    expect(refunded.payload).toMatchObject({ type: 'billing.refund_completed', data: { refundId: refund.id, credits: '100', amount: '9.00', wallet: { balance: '100' } } });
    expect(BigInt(refunded.payload.data.wallet.version)).toBeGreaterThan(BigInt(purchase.payload.data.wallet.version));
  });
});

describe('top-ups', () => {
  it('starts exactly one PaymentIntent for a crossing under 32 concurrent charges on two instances, and credits it once when its webhook arrives', async () => {
    const u = await readyUser('pm_card_visa', { threshold: '50', packId: 'pack_100', monthlyMaximum: 5 });
    await subscribe(u, ['AUTO_TOP_UP_SUCCEEDED']);
    fake.intents.holdWebhooks();
    const results = await pool(60, 32, (i) => (i % 2 ? a : b).charge(u));
    expect(results.filter((r) => r.errors)).toEqual([]);
    await until(() => intentsOf(u).length, (n) => n >= 1);
    await sleep(800);
    const intents = intentsOf(u);
    expect(intents).toHaveLength(1);
    const [attempt] = await attemptsOf(u);
    expect((await attemptsOf(u)).length).toBe(1);
    expect(intents[0]).toMatchObject({ idempotencyKey: `auto-top-up:${attempt.id}`, body: { amount: '900', currency: 'usd', off_session: 'true', confirm: 'true', payment_method: 'pm_card_visa' } });
    expect(await balance(u)).toBe('40'); // nothing credited before the webhook

    await fake.intents.releaseWebhooks();
    await until(() => balance(u), (value) => value === '140');
    expect(await attemptsOf(u)).toEqual([expect.objectContaining({ status: 'SUCCEEDED' })]);
    expect(await autoTopUp(u)).toMatchObject({ topUpsThisMonth: 1, consecutiveFailures: 0 });
    const marker = await withSql(a.dbUrl, async (c) => (await c.query('select auto_top_up_attempt_id from wallet where account_id = $1', [u.accountId])).rows[0].auto_top_up_attempt_id);
    expect(marker).toBeNull();
    const [announced] = await until(() => receiptsOf(u), (list) => list.length >= 1);
    expect(announced.payload).toMatchObject({ type: 'billing.auto_top_up_succeeded', data: { credits: '100', autoTopUpAttemptId: attempt.id, wallet: { balance: '140' } } });
    const messages = (await a.ok(MessagesDocument, { first: 50 }, u.token)).messages.edges.map((edge) => edge.node.kind);
    expect(messages.filter((kind) => kind === 'AUTO_TOP_UP_SUCCEEDED')).toHaveLength(1);
  });

  it('credits once when Stripe sends the success again, as the same event or as a new one', async () => {
    const u = await readyUser('pm_card_visa', { threshold: '50', packId: 'pack_100' });
    expect((await a.charge(u, { quantity: 60 })).errors).toBeUndefined();
    await until(() => balance(u), (value) => value === '140');
    const intentId = (await withSql(a.dbUrl, async (c) => (await c.query('select payment_intent_id from auto_top_up_attempt where account_id = $1', [u.accountId])).rows[0])).payment_intent_id;
    const sent = fake.intents.sent.find((event) => event.type === 'payment_intent.succeeded' && event.payload.includes(intentId))!;
    expect(await fake.intents.resend(sent)).toBe(200); // the same event id: DUPLICATE
    await fake.intents.emit('payment_intent.succeeded', fake.intents.created.get(intentId)!); // a new event id for the same payment
    await until(() => fake.intents.sent.filter((event) => event.payload.includes(intentId) && event.type === 'payment_intent.succeeded').length, (n) => n === 2);
    await until(() => fake.intents.sent.filter((event) => event.payload.includes(intentId)).every((event) => event.status === 200), (ok) => ok);
    await sleep(300);
    expect(await balance(u)).toBe('140');
    const credits = await withSql(a.dbUrl, async (c) => (await c.query(`select idempotency_key from ledger_transaction where account_id = $1 and kind = 'PURCHASE'`, [u.accountId])).rows);
    expect(credits).toHaveLength(1);
    expect(credits[0].idempotency_key).toMatch(/^stripe:auto-top-up:/);
  });

  it('a disputed top-up payment removes its unused credits, announces it, and turns auto top-up off until the customer turns it on again', async () => {
    const u = await readyUser('pm_card_visa', { threshold: '50', packId: 'pack_100' });
    const secret = await subscribe(u, ['PAYMENT_DISPUTED']);
    expect((await a.charge(u, { quantity: 60 })).errors).toBeUndefined(); // 40: a top-up of 100
    await until(() => balance(u), (value) => value === '140');
    const intentId = (await withSql(a.dbUrl, async (c) => (await c.query('select payment_intent_id from auto_top_up_attempt where account_id = $1', [u.accountId])).rows[0])).payment_intent_id;

    const dispute = paymentDispute(intentId, 900);
    expect(await postStripe('charge.dispute.funds_withdrawn', dispute)).toMatchObject({ status: 200, body: { outcome: 'APPLIED' } });
    expect(await balance(u)).toBe('40'); // the 100 of the top-up, unused
    expect(await autoTopUp(u)).toMatchObject({ enabled: false, lastFailure: expect.stringMatching(/^payment_disputed/) });
    const [receipt] = await until(() => receiptsOf(u), (list) => list.length >= 1);
    expect(WebhookReceiver.verifies(secret, receipt)).toBe(true);
    expect(receipt.payload).toMatchObject({ type: 'billing.payment_disputed', data: { credits: '100', disputeId: dispute.id, paymentIntentId: intentId, wallet: { balance: '40' } } });
    const messages = (await a.ok(MessagesDocument, { first: 20 }, u.token)).messages.edges.map((edge) => edge.node).filter((m) => m.kind === 'PAYMENT_DISPUTED');
    expect(messages.map((m) => m.body)).toEqual([
      'A payment of 9.00 USD was disputed with your bank: 100 credits bought with it were removed. Auto top-up was turned off; turn it on again in its settings to have your card charged again.',
    ]);

    expect((await a.charge(u, { quantity: 1 })).errors).toBeUndefined(); // 39, below the threshold: no top-up while off
    await sleep(300);
    expect(intentsOf(u)).toHaveLength(1);
    await a.ok(UpdateAutoTopUpDocument, { input: { enabled: true } }, u.token); // the customer decides to go on
    expect((await autoTopUp(u)).lastFailure).toBeNull(); // the dispute no longer explains anything (a later "off" by hand showed it again)
    await until(() => intentsOf(u).length, (n) => n === 2);
    await until(() => balance(u), (value) => value === '139');
  });

  it('a dispute of a top-up whose credits have not arrived waits for them (500, Stripe sends it again), then removes them', async () => {
    const u = await readyUser('pm_card_visa', { threshold: '50', packId: 'pack_100' });
    fake.intents.holdWebhooks();
    try {
      expect((await a.charge(u, { quantity: 60 })).errors).toBeUndefined(); // 40 < 50: a top-up, its webhook held back
      const attempt = async () => (await withSql(a.dbUrl, (c) => c.query('select payment_intent_id from auto_top_up_attempt where account_id = $1', [u.accountId]))).rows[0];
      const intentId = (await until(attempt, (row) => row?.payment_intent_id != null)).payment_intent_id;
      const early = paymentDispute(intentId, 900);
      expect((await postStripe('charge.dispute.funds_withdrawn', early)).status).toBe(500);
      expect(await balance(u)).toBe('40');
      expect((await autoTopUp(u)).enabled).toBe(true);
      await fake.intents.releaseWebhooks();
      await until(() => balance(u), (value) => value === '140');
      expect(await postStripe('charge.dispute.funds_withdrawn', early)).toMatchObject({ status: 200, body: { outcome: 'APPLIED' } }); // Stripe's retry
    } finally {
      await fake.intents.releaseWebhooks();
    }
    expect(await balance(u)).toBe('40');
    expect((await autoTopUp(u)).enabled).toBe(false);
  });

  it('a dispute of a top-up whose attempt never learnt its payment intent (the create answer was lost) waits for the credits too', async () => {
    const u = await readyUser('pm_card_visa', { threshold: '50', packId: 'pack_100' });
    fake.intents.holdWebhooks();
    try {
      expect((await a.charge(u, { quantity: 60 })).errors).toBeUndefined(); // 40 < 50: a top-up, its webhook held back
      const attempt = async () => (await withSql(a.dbUrl, (c) => c.query('select payment_intent_id from auto_top_up_attempt where account_id = $1', [u.accountId]))).rows[0];
      const intentId = (await until(attempt, (row) => row?.payment_intent_id != null)).payment_intent_id;
      // As if the worker's create call had lost its answer: the attempt does not know the intent.
      await withSql(a.dbUrl, (c) => c.query('update auto_top_up_attempt set payment_intent_id = null where account_id = $1', [u.accountId]));
      const early = paymentDispute(intentId, 900);
      expect((await postStripe('charge.dispute.funds_withdrawn', early)).status).toBe(500);
      await fake.intents.releaseWebhooks();
      await until(() => balance(u), (value) => value === '140');
      expect(await postStripe('charge.dispute.funds_withdrawn', early)).toMatchObject({ status: 200, body: { outcome: 'APPLIED' } }); // Stripe's retry
    } finally {
      await fake.intents.releaseWebhooks();
    }
    expect(await balance(u)).toBe('40');
  });

  it('a declined card fails with a message, an email and a webhook event; after the maximum failures none start until the settings are saved again', async () => {
    const u = await readyUser(DECLINED_CARD, { threshold: '90', packId: 'pack_100' });
    const secret = await subscribe(u, ['AUTO_TOP_UP_FAILED']);
    expect((await a.charge(u, { quantity: 20 })).errors).toBeUndefined(); // 80 < 90
    await until(() => attemptsOf(u), (list) => list[0]?.status === 'FAILED');
    expect((await attemptsOf(u))[0].failure_code).toBe('card_declined');
    const failedMessage = await until(
      async () => (await a.ok(MessagesDocument, { first: 50 }, u.token)).messages.edges.map((edge) => edge.node).filter((m) => m.kind === 'AUTO_TOP_UP_FAILED'),
      (list) => list.length === 1,
    );
    expect(failedMessage[0].data).toMatchObject({ reason: 'card_declined', credits: '100', amount: '9.00', stoppedAfterFailures: false, retryAfter: null }); // no spacing here
    await until(() => smtp.mails.filter((mail) => mail.to.includes(u.email) && /Auto top-up failed/.test(mail.subject)).length, (n) => n === 1);
    const [event] = await until(() => receiptsOf(u), (list) => list.length >= 1);
    expect(WebhookReceiver.verifies(secret, event)).toBe(true);
    expect(event.payload).toMatchObject({ type: 'billing.auto_top_up_failed', data: { reason: 'card_declined', wallet: { balance: '80' } } });
    expect(await autoTopUp(u)).toMatchObject({ consecutiveFailures: 1, stoppedAfterFailures: false, topUpsThisMonth: 0, lastFailure: expect.stringMatching(/^card_declined/) });

    expect((await a.charge(u, { quantity: 1 })).errors).toBeUndefined(); // the next spend below the threshold tries again
    await until(() => attemptsOf(u), (list) => list.length === 2 && list[1].status === 'FAILED');
    expect(await autoTopUp(u)).toMatchObject({ consecutiveFailures: 2, stoppedAfterFailures: true });
    expect((await a.charge(u, { quantity: 1 })).errors).toBeUndefined();
    await sleep(600);
    expect(await attemptsOf(u)).toHaveLength(2); // stopped
    expect(intentsOf(u)).toHaveLength(2);

    expect((await saveCard(u, 'pm_card_visa')).status).toBe(200); // a new card starts afresh
    expect((await autoTopUp(u)).consecutiveFailures).toBe(0);
    expect((await a.charge(u, { quantity: 1 })).errors).toBeUndefined();
    await until(() => balance(u), (value) => value === '177');
    expect((await attemptsOf(u)).map((attempt) => attempt.status)).toEqual(['FAILED', 'FAILED', 'SUCCEEDED']);
  });

  it('a bank asking for authentication stops top-ups after one failure (an off-session retry cannot authenticate); saving the settings starts afresh', async () => {
    const u = await readyUser(AUTHENTICATION_CARD, { threshold: '90', packId: 'pack_100', monthlyMaximum: 5 });
    expect((await a.charge(u, { quantity: 20 })).errors).toBeUndefined(); // 80 < 90
    await until(() => attemptsOf(u), (list) => list[0]?.status === 'FAILED');
    expect((await attemptsOf(u))[0].failure_code).toBe('authentication_required');
    expect(await autoTopUp(u)).toMatchObject({ consecutiveFailures: 2, stoppedAfterFailures: true, retryAfter: null, lastFailure: expect.stringMatching(/^authentication_required/) });
    expect((await a.charge(u, { quantity: 1 })).errors).toBeUndefined(); // 79: below the threshold, but stopped
    await sleep(600);
    expect(await attemptsOf(u)).toHaveLength(1);
    expect(intentsOf(u)).toHaveLength(1);
    const failed = async () => (await a.ok(MessagesDocument, { first: 50 }, u.token)).messages.edges.map((edge) => edge.node).filter((m) => m.kind === 'AUTO_TOP_UP_FAILED');
    const [first] = await failed();
    expect(first.data).toMatchObject({ reason: 'authentication_required', stoppedAfterFailures: true, retryAfter: null });
    expect(first.body).toMatch(/bank asks you to confirm this payment.*Buy a pack by hand or save your card again/);

    // Saving starts afresh (a threshold the balance is above: nothing starts until the next dip).
    expect((await a.ok(UpdateAutoTopUpDocument, { input: { threshold: '50' } }, u.token)).updateAutoTopUp).toMatchObject({ consecutiveFailures: 0, stoppedAfterFailures: false, retryAfter: null });
    expect((await a.charge(u, { quantity: 30 })).errors).toBeUndefined(); // 49 < 50
    await until(() => attemptsOf(u), (list) => list.length === 2 && list[1].status === 'FAILED');
    expect(await autoTopUp(u)).toMatchObject({ consecutiveFailures: 2, stoppedAfterFailures: true });
    expect((await until(failed, (list) => list.length === 2)).map((m) => (m.data as { reason: string }).reason)).toEqual(['authentication_required', 'authentication_required']);
  });

  it('self-service switched off while a PaymentIntent awaits its webhook: the top-up stays in flight, no second one starts, the late success credits once', async () => {
    const u = await readyUser('pm_card_visa', { threshold: '50', packId: 'pack_100', monthlyMaximum: 5 });
    const admin = await a.admin();
    fake.intents.holdWebhooks();
    try {
      expect((await a.charge(u, { quantity: 60 })).errors).toBeUndefined(); // 40 < 50
      const pending = async () => (await withSql(a.dbUrl, (c) => c.query('select id, status, payment_intent_id from auto_top_up_attempt where account_id = $1', [u.accountId]))).rows;
      const [attempt] = await until(pending, (rows) => rows[0]?.payment_intent_id != null);
      await a.ok(SetSelfServiceBillingDocument, { enabled: false }, admin.token);
      // Its next look is due now (as after AUTO_TOP_UP_RECONCILE_AFTER_MS): the worker looks the PaymentIntent up, or settles the attempt.
      await withSql(a.dbUrl, (c) => c.query('update auto_top_up_attempt set next_check_at = now() where id = $1', [attempt.id]));
      const lookedUp = () => fake.requests.some((request) => request.method === 'GET' && request.path === `/v1/payment_intents/${attempt.payment_intent_id}`);
      const [after] = await until(pending, (rows) => rows[0].status !== 'PENDING' || lookedUp());
      expect(after.status).toBe('PENDING');
      expect(await autoTopUp(u)).toMatchObject({ topUpsThisMonth: 1 });
      const marker = await withSql(a.dbUrl, async (c) => (await c.query('select auto_top_up_attempt_id from wallet where account_id = $1', [u.accountId])).rows[0].auto_top_up_attempt_id);
      expect(marker).toBe(attempt.id);

      await a.ok(SetSelfServiceBillingDocument, { enabled: true }, admin.token);
      expect((await a.charge(u, { quantity: 1 })).errors).toBeUndefined(); // 39: the first top-up is still in flight
      await sleep(600);
      expect(await attemptsOf(u)).toHaveLength(1);
      expect(intentsOf(u)).toHaveLength(1);
    } finally {
      await a.ok(SetSelfServiceBillingDocument, { enabled: true }, admin.token);
      await fake.intents.releaseWebhooks();
    }
    await expectCreditedOnce(u, '139');
  });

  it('retries a PaymentIntent whose answer was lost with the card and customer it started with, though another card was saved meanwhile', async () => {
    const u = await readyUser('pm_card_visa', { threshold: '50', packId: 'pack_100', monthlyMaximum: 5 });
    const createdFor = () => [...fake.intents.created.values()].filter((intent) => intent.metadata.accountId === u.accountId);
    const attempt = () => attemptOf(u);
    fake.intents.holdWebhooks();
    fake.loseNextResponses('/v1/payment_intents', 3); // the SDK's request and its two retries reach Stripe; no answer comes back
    try {
      expect((await a.charge(u, { quantity: 60 })).errors).toBeUndefined();
      const lost = await until(attempt, (row) => row?.backing_off === true, 15_000); // the worker gave up for now, to retry later
      expect(lost).toMatchObject({ status: 'PENDING', payment_intent_id: null });
      expect(intentsOf(u)).toHaveLength(3);
      expect(createdFor()).toHaveLength(1); // Stripe did create it, once

      expect((await saveCard(u, 'pm_card_mastercard')).status).toBe(200);
      await withSql(a.dbUrl, (c) => c.query('update auto_top_up_attempt set next_check_at = now() where id = $1', [lost.id]));
      const retried = await until(attempt, (row) => row.payment_intent_id !== null || row.status !== 'PENDING');
      expect(retried).toMatchObject({ status: 'PENDING', payment_intent_id: createdFor()[0].id });
      const requests = intentsOf(u);
      expect(requests).toHaveLength(4);
      expect(requests.map((request) => request.body.payment_method)).toEqual(Array(4).fill('pm_card_visa'));
      expect(new Set(requests.map((request) => `${request.idempotencyKey} ${String(request.body.customer)}`)).size).toBe(1);
    } finally {
      await fake.intents.releaseWebhooks();
    }
    await until(() => balance(u), (value) => value === '140');
    expect(await attemptsOf(u)).toEqual([expect.objectContaining({ status: 'SUCCEEDED' })]);
    expect(createdFor()).toHaveLength(1);
  });

  it('an attempt whose PaymentIntent may have been created is not cancelled when auto top-up is turned off: its create is repeated with its key, and its payment credits once', async () => {
    const u = await readyUser('pm_card_visa', { threshold: '50', packId: 'pack_100', monthlyMaximum: 5 });
    const createdFor = () => [...fake.intents.created.values()].filter((intent) => intent.metadata.accountId === u.accountId);
    const attempt = () => attemptOf(u);
    fake.intents.holdWebhooks();
    fake.loseNextResponses('/v1/payment_intents', 3); // Stripe creates and charges it; no answer comes back
    try {
      expect((await a.charge(u, { quantity: 60 })).errors).toBeUndefined(); // 40 < 50
      await until(() => intentsOf(u).length, (n) => n === 3, 15_000); // the SDK's request and its two retries
      const lost = await until(attempt, (row) => row.backing_off === true); // the worker gave up for now, to retry later
      expect(lost).toMatchObject({ status: 'PENDING', payment_intent_id: null });
      expect(createdFor()).toHaveLength(1);

      await a.ok(UpdateAutoTopUpDocument, { input: { enabled: false } }, u.token);
      await withSql(a.dbUrl, (c) => c.query('update auto_top_up_attempt set next_check_at = now() where id = $1', [lost.id]));
      const learned = await until(attempt, (row) => row.payment_intent_id !== null || row.status !== 'PENDING');
      expect(learned).toMatchObject({ status: 'PENDING', payment_intent_id: createdFor()[0].id }); // not CANCELLED: the card was charged
      expect(await autoTopUp(u)).toMatchObject({ enabled: false, topUpsThisMonth: 1 });
      expect(intentsOf(u).map((request) => request.idempotencyKey)).toEqual(Array(4).fill(`auto-top-up:${lost.id}`));

      await a.ok(UpdateAutoTopUpDocument, { input: { enabled: true } }, u.token);
      expect((await a.charge(u, { quantity: 1 })).errors).toBeUndefined(); // 39: the first top-up is still in flight
      await sleep(600);
      expect(await attemptsOf(u)).toHaveLength(1);
      expect(createdFor()).toHaveLength(1);
    } finally {
      await fake.intents.releaseWebhooks();
    }
    await expectCreditedOnce(u, '139');
    const credits = await withSql(a.dbUrl, async (c) => (await c.query(`select 1 from ledger_transaction where account_id = $1 and kind = 'PURCHASE'`, [u.accountId])).rows);
    expect(credits).toHaveLength(1);
    expect(createdFor()).toHaveLength(1);
  });

  it('credits once a top-up whose create lost its answer when the webhook comes first; the worker then sends nothing more', async () => {
    const u = await readyUser('pm_card_visa', { threshold: '50', packId: 'pack_100' });
    const createdFor = () => [...fake.intents.created.values()].filter((intent) => intent.metadata.accountId === u.accountId);
    fake.loseNextResponses('/v1/payment_intents', 3);
    expect((await a.charge(u, { quantity: 60 })).errors).toBeUndefined(); // 40 < 50
    await until(() => balance(u), (value) => value === '140');
    await until(() => intentsOf(u).length, (n) => n === 3);
    const rows = async () => (await withSql(a.dbUrl, (c) => c.query('select id, status, payment_intent_id from auto_top_up_attempt where account_id = $1', [u.accountId]))).rows;
    expect(await rows()).toEqual([expect.objectContaining({ status: 'SUCCEEDED', payment_intent_id: createdFor()[0].id })]); // the id comes with the webhook
    await withSql(a.dbUrl, (c) => c.query('update auto_top_up_attempt set next_check_at = now() where account_id = $1', [u.accountId]));
    await sleep(500);
    expect(intentsOf(u)).toHaveLength(3);
    expect(createdFor()).toHaveLength(1);
    expect(await balance(u)).toBe('140');
    expect(await autoTopUp(u)).toMatchObject({ topUpsThisMonth: 1, consecutiveFailures: 0 });
  });

  it('a revoked or under-privileged Stripe key (401, 403) is an operator error: the top-up is retried later, the customer sees no failure', async () => {
    const u = await readyUser('pm_card_visa', { threshold: '50', packId: 'pack_100' });
    const attempt = () => attemptOf(u);
    fake.failNext('/v1/payment_intents', 401, 'invalid_request_error', 'Invalid API Key provided: sk_test_****fake');
    fake.failNext('/v1/payment_intents', 403, 'invalid_request_error', 'The provided key does not have the required permissions for this endpoint.');
    expect((await a.charge(u, { quantity: 60 })).errors).toBeUndefined(); // 40 < 50
    await until(() => intentsOf(u).length, (n) => n >= 1);
    const refused = await until(attempt, (row) => row.backing_off === true || row.status !== 'PENDING');
    expect(refused).toMatchObject({ status: 'PENDING', payment_intent_id: null, stripe_tries: 0 });
    expect(await autoTopUp(u)).toMatchObject({ consecutiveFailures: 0, topUpsThisMonth: 1, lastFailure: null });

    await withSql(a.dbUrl, (c) => c.query('update auto_top_up_attempt set next_check_at = now() where id = $1', [refused.id]));
    await until(() => intentsOf(u).length, (n) => n >= 2);
    expect(await until(attempt, (row) => row.backing_off === true || row.status !== 'PENDING')).toMatchObject({ status: 'PENDING', payment_intent_id: null, stripe_tries: 0 });
    expect(await autoTopUp(u)).toMatchObject({ consecutiveFailures: 0, topUpsThisMonth: 1, lastFailure: null });

    await withSql(a.dbUrl, (c) => c.query('update auto_top_up_attempt set next_check_at = now() where id = $1', [refused.id]));
    await until(() => balance(u), (value) => value === '140');
    expect(await attemptsOf(u)).toEqual([expect.objectContaining({ status: 'SUCCEEDED' })]);
    expect(intentsOf(u)).toHaveLength(3);
    const messages = (await a.ok(MessagesDocument, { first: 50 }, u.token)).messages.edges.map((edge) => edge.node.kind);
    expect(messages).not.toContain('AUTO_TOP_UP_FAILED');
    expect(await autoTopUp(u)).toMatchObject({ consecutiveFailures: 0, topUpsThisMonth: 1 });
  });

  it('a create Stripe refused without running it (401) does not hold the attempt: turned off meanwhile, it is cancelled and nothing is charged', async () => {
    const u = await readyUser('pm_card_visa', { threshold: '50', packId: 'pack_100' });
    const tries = async () => (await withSql(a.dbUrl, (c) => c.query('select stripe_tries, status from auto_top_up_attempt where account_id = $1', [u.accountId]))).rows[0];
    fake.failNext('/v1/payment_intents', 401, 'invalid_request_error', 'Invalid API Key provided: sk_test_****fake');
    expect((await a.charge(u, { quantity: 60 })).errors).toBeUndefined(); // 40 < 50
    await until(() => intentsOf(u).length, (n) => n >= 1);
    expect(await until(tries, (row) => row.stripe_tries === 0)).toMatchObject({ stripe_tries: 0, status: 'PENDING' }); // taken back
    await a.ok(UpdateAutoTopUpDocument, { input: { enabled: false } }, u.token);
    await withSql(a.dbUrl, (c) => c.query(`update auto_top_up_attempt set next_check_at = now() where account_id = $1`, [u.accountId]));
    expect(await until(() => attemptsOf(u), (rows) => rows[0]?.status !== 'PENDING')).toEqual([expect.objectContaining({ status: 'CANCELLED' })]);
    expect(intentsOf(u)).toHaveLength(1); // the refused request only: no create after the switch-off
    expect(await balance(u)).toBe('40');
  });

  it('auto top-up turned off (a dispute, say) while the worker is about to send a first create: the create waits for it, then is not sent', async () => {
    const u = await readyUser('pm_card_visa', { threshold: '50', packId: 'pack_100' });
    fake.failNext('/v1/payment_intents', 401, 'invalid_request_error', 'Invalid API Key provided: sk_test_****fake'); // leaves the attempt PENDING with no try
    expect((await a.charge(u, { quantity: 60 })).errors).toBeUndefined(); // 40 < 50
    await until(() => intentsOf(u).length, (n) => n >= 1);
    const refused = await until(() => attemptOf(u), (row) => row.backing_off === true || row.status !== 'PENDING');
    expect(refused).toMatchObject({ status: 'PENDING', stripe_tries: 0 });
    // Turning it off is still committing (the dispute's transaction) when the worker claims the
    // attempt, which reads it as on, and goes to send its create.
    await withSql(a.dbUrl, async (off) => {
      await off.query('begin');
      await off.query(`update auto_top_up set enabled = false, last_failure = 'payment_disputed: test' where account_id = $1`, [u.accountId]);
      await withSql(a.dbUrl, (c) => c.query('update auto_top_up_attempt set next_check_at = now() where id = $1', [refused.id]));
      await sleep(1500); // a dozen polls of the two instances
      expect(intentsOf(u)).toHaveLength(1); // nothing sent while the switch-off commits
      await off.query('commit');
    });
    expect(await until(() => attemptsOf(u), (rows) => rows[0]?.status !== 'PENDING')).toEqual([expect.objectContaining({ status: 'CANCELLED' })]);
    expect(intentsOf(u)).toHaveLength(1); // the refused request only
    expect(await balance(u)).toBe('40');
  });

  it("a refusal (401) answering the SDK's retry of a create whose connection closed keeps the try: turned off meanwhile, the attempt is not cancelled and its payment credits once", async () => {
    const u = await readyUser('pm_card_visa', { threshold: '50', packId: 'pack_100' });
    const createdFor = () => [...fake.intents.created.values()].filter((intent) => intent.metadata.accountId === u.accountId);
    const tries = async () => (await withSql(a.dbUrl, (c) => c.query('select id, stripe_tries, status, payment_intent_id, next_check_at <= now() + interval \'61 seconds\' as backing_off from auto_top_up_attempt where account_id = $1', [u.accountId]))).rows[0];
    fake.intents.holdWebhooks();
    fake.loseNextResponses('/v1/payment_intents', 1); // Stripe creates and charges it; the connection closes unanswered
    fake.failAfter('/v1/payment_intents', 1, 401, 'invalid_request_error', 'Invalid API Key provided: sk_test_****fake'); // the SDK's own retry is refused
    try {
      expect((await a.charge(u, { quantity: 60 })).errors).toBeUndefined(); // 40 < 50
      const refused = await until(tries, (row) => row?.backing_off === true, 15_000);
      expect(intentsOf(u)).toHaveLength(2);
      expect(createdFor()).toHaveLength(1);
      expect(refused).toMatchObject({ stripe_tries: 1, status: 'PENDING', payment_intent_id: null }); // kept: the first request may have charged the card

      await a.ok(UpdateAutoTopUpDocument, { input: { enabled: false } }, u.token);
      await withSql(a.dbUrl, (c) => c.query('update auto_top_up_attempt set next_check_at = now() where id = $1', [refused.id]));
      const learned = await until(tries, (row) => row.payment_intent_id !== null || row.status !== 'PENDING');
      expect(learned).toMatchObject({ status: 'PENDING', payment_intent_id: createdFor()[0].id }); // not CANCELLED
    } finally {
      await fake.intents.releaseWebhooks();
    }
    await until(() => balance(u), (value) => value === '140');
    expect((await attemptsOf(u)).map((attempt) => attempt.status)).toEqual(['SUCCEEDED']);
    expect(createdFor()).toHaveLength(1);
  });

  it('ignores payment events naming an attempt that is not a uuid (Stripe would resend a 500 for days)', async () => {
    const u = await a.signUp();
    for (const type of ['payment_intent.succeeded', 'payment_intent.payment_failed']) {
      for (const autoTopUpAttemptId of ['not-a-uuid', 123]) {
        const intent = { id: `pi_${randomBytes(6).toString('hex')}`, object: 'payment_intent', amount: 100, currency: 'usd', metadata: { autoTopUpAttemptId, accountId: u.accountId } };
        const res = await postStripe(type, intent);
        expect([type, autoTopUpAttemptId, res.status, res.body]).toEqual([type, autoTopUpAttemptId, 200, { received: true, outcome: 'IGNORED' }]);
      }
    }
    expect(await balance(u)).toBe('100');
  });

  it('starts no top-up while self-service billing is switched off', async () => {
    const u = await readyUser('pm_card_visa', { threshold: '96', packId: 'pack_100' });
    const admin = await a.admin();
    await a.ok(SetSelfServiceBillingDocument, { enabled: false }, admin.token);
    try {
      for (let i = 0; i < 3; i++) expect((await a.charge(u, { quantity: 5 })).errors).toBeUndefined(); // 95, 90, 85: each below the threshold
      await sleep(600);
      expect(await attemptsOf(u)).toEqual([]);
      expect(intentsOf(u)).toHaveLength(0);
      expect((await autoTopUp(u)).topUpsThisMonth).toBe(0);
    } finally {
      await a.ok(SetSelfServiceBillingDocument, { enabled: true }, admin.token);
    }
    expect((await a.charge(u, { quantity: 1 })).errors).toBeUndefined(); // 84: switched on again, the next spend starts one
    await until(() => balance(u), (value) => value === '184');
    expect((await attemptsOf(u)).map((row) => row.status)).toEqual(['SUCCEEDED']);
  });

  it("fails the attempt when Stripe answers an idempotency error, which no retry with the attempt's key gets past", async () => {
    const u = await readyUser('pm_card_visa', { threshold: '50', packId: 'pack_100' });
    fake.failNext('/v1/payment_intents', 400, 'idempotency_error', 'Keys for idempotent requests can only be used with the same parameters they were first used with.');
    expect((await a.charge(u, { quantity: 60 })).errors).toBeUndefined();
    const [failed] = await until(() => attemptsOf(u), (list) => list[0]?.status === 'FAILED');
    expect(failed.failure_code).toBe('idempotency_error');
    expect(await autoTopUp(u)).toMatchObject({ consecutiveFailures: 1, topUpsThisMonth: 0, lastFailure: expect.stringMatching(/^idempotency_error: Stripe refused to repeat/) });
  });

  it('a wallet a failed top-up left at 0 is not stuck: a charge refused for want of credits tries again, and a card saved after the failure limit tops up at once', async () => {
    const u = await readyUser(DECLINED_CARD, { threshold: '50', packId: 'pack_100', monthlyMaximum: 5 });
    expect((await a.charge(u, { quantity: 100 })).errors).toBeUndefined(); // 100 -> 0: top-up 1, declined
    await until(() => attemptsOf(u), (list) => list[0]?.status === 'FAILED');
    // No spend can cross the threshold any more: the refusal itself asks for a top-up.
    expect(errorCode(await a.charge(u, { quantity: 1 }))).toBe('INSUFFICIENT_CREDITS');
    await until(() => attemptsOf(u), (list) => list.length === 2 && list[1].status === 'FAILED'); // declined again: the limit (2) is reached
    expect(await autoTopUp(u)).toMatchObject({ consecutiveFailures: 2, stoppedAfterFailures: true });
    expect(errorCode(await b.charge(u, { quantity: 1 }))).toBe('INSUFFICIENT_CREDITS'); // on the other instance: stopped, none starts
    await sleep(500);
    expect(await attemptsOf(u)).toHaveLength(2);

    expect((await saveCard(u, 'pm_card_visa')).status).toBe(200); // a working card: a top-up starts without waiting for a spend
    await until(() => balance(u), (value) => value === '100');
    expect((await attemptsOf(u)).map((attempt) => attempt.status)).toEqual(['FAILED', 'FAILED', 'SUCCEEDED']);
    expect(await autoTopUp(u)).toMatchObject({ consecutiveFailures: 0, topUpsThisMonth: 1 }); // failed ones do not count against the maximum
  });

  it('a capture refused for want of credits (the job ran over its hold) asks for a top-up, like a refused charge', async () => {
    const u = await readyUser(DECLINED_CARD, { threshold: '50', packId: 'pack_100', monthlyMaximum: 5 });
    const hold = (await a.ok(ReserveCreditsDocument, { input: { feature: 'caption', quantity: 10, idempotencyKey: `h-${randomBytes(6).toString('hex')}` } }, u.token)).reserveCredits;
    expect((await a.charge(u, { quantity: 90 })).errors).toBeUndefined(); // 10 left, all held: top-up 1, declined
    await until(() => attemptsOf(u), (list) => list[0]?.status === 'FAILED');
    await sleep(300);
    expect(await attemptsOf(u)).toHaveLength(1);
    // The job used 11 captions against a hold of 10: the one more is refused.
    expect(errorCode(await a.gql(CaptureHoldDocument, { id: hold.id, quantity: 11 }, u.token))).toBe('INSUFFICIENT_CREDITS');
    await until(() => attemptsOf(u), (list) => list.length === 2 && list[1].status === 'FAILED');
  });

  it('a pack bought by hand while below the threshold starts no top-up of its own, though its payment saves the card before the pack is credited', async () => {
    const u = await readyUser(DECLINED_CARD, { threshold: '50', packId: 'pack_100', monthlyMaximum: 5 });
    expect((await a.charge(u, { quantity: 60 })).errors).toBeUndefined(); // 40: top-up 1, declined
    await until(() => attemptsOf(u), (list) => list[0]?.status === 'FAILED');
    // The customer buys a pack with another card; Stripe sends the payment before the Checkout event.
    const pi = `pi_${randomBytes(6).toString('hex')}`;
    const metadata = { accountId: u.accountId, packId: 'pack_100', credits: '100' };
    const intent = { id: pi, object: 'payment_intent', status: 'succeeded', amount: 900, amount_received: 900, currency: 'usd', customer: 'cus_x', payment_method: 'pm_card_visa', setup_future_usage: 'off_session', metadata };
    expect(await postStripe('payment_intent.succeeded', intent)).toMatchObject({ status: 200, body: { outcome: 'APPLIED' } });
    await sleep(500);
    expect(await attemptsOf(u)).toHaveLength(1); // no second charge of the card for a top-up
    const session = { id: `cs_${randomBytes(6).toString('hex')}`, object: 'checkout.session', mode: 'payment', status: 'complete', payment_status: 'paid', client_reference_id: u.accountId, customer: null, metadata, payment_intent: pi, amount_total: 900, currency: 'usd' };
    expect((await postStripe('checkout.session.completed', session)).status).toBe(200);
    expect(await balance(u)).toBe('140');
    await sleep(300);
    expect(await attemptsOf(u)).toHaveLength(1);
  });

  it('enabling auto top-up on a balance already below the threshold tops up at once, once', async () => {
    await selfServiceOn();
    const u = await a.signUp(); // 100
    expect((await saveCard(u, 'pm_card_visa')).status).toBe(200);
    await Promise.all([a, b, a, b].map((app) => app.ok(UpdateAutoTopUpDocument, { input: { enabled: true, threshold: '150', packId: 'pack_100' } }, u.token)));
    await until(() => balance(u), (value) => value === '200');
    await sleep(300);
    expect((await attemptsOf(u)).map((attempt) => attempt.status)).toEqual(['SUCCEEDED']);
    expect(intentsOf(u)).toHaveLength(1);
  });

  it('a refund that leaves the balance below the threshold starts no top-up; the next spend does', async () => {
    await selfServiceOn();
    const u = await a.signUp();
    expect((await saveCard(u, 'pm_card_visa')).status).toBe(200);
    const pi = `pi_${randomBytes(6).toString('hex')}`;
    const metadata = { accountId: u.accountId, packId: 'pack_100', credits: '100' };
    const session = { id: `cs_${randomBytes(6).toString('hex')}`, object: 'checkout.session', mode: 'payment', status: 'complete', payment_status: 'paid', client_reference_id: u.accountId, customer: null, metadata, payment_intent: pi, amount_total: 900, currency: 'usd' };
    expect((await postStripe('checkout.session.completed', session)).status).toBe(200);
    expect(await balance(u)).toBe('200');
    await a.ok(UpdateAutoTopUpDocument, { input: { enabled: true, threshold: '150', packId: 'pack_100' } }, u.token); // 200: above it

    const bucket = (await a.ok(MeDocument, {}, u.token)).me.wallet.buckets.find((candidate) => candidate.source === 'PURCHASE')!;
    expect((await a.ok(RequestRefundDocument, { bucketId: bucket.id }, u.token)).requestRefund.status).toBe('SUCCEEDED');
    expect(await balance(u)).toBe('100'); // below 150, but nothing was spent
    await sleep(600);
    expect(await attemptsOf(u)).toEqual([]);
    expect(intentsOf(u)).toHaveLength(0);
    expect((await autoTopUp(u)).topUpsThisMonth).toBe(0);

    expect((await a.charge(u, { quantity: 1 })).errors).toBeUndefined(); // a spend below the threshold does start one
    await until(() => balance(u), (value) => value === '199');
    expect((await attemptsOf(u)).map((attempt) => attempt.status)).toEqual(['SUCCEEDED']);
  });

  it('starts no more than the monthly maximum; a top-up too small to lift the balance is followed by another at the next spend', async () => {
    const u = await readyUser('pm_card_visa', { threshold: '95', amount: '10', monthlyMaximum: 2 });
    expect((await a.charge(u, { quantity: 10 })).errors).toBeUndefined(); // 90: top-up 1
    await until(() => balance(u), (value) => value === '100');
    expect((await a.charge(u, { quantity: 10 })).errors).toBeUndefined(); // 90: top-up 2
    await until(() => balance(u), (value) => value === '100');
    expect((await a.charge(u, { quantity: 10 })).errors).toBeUndefined(); // 90: the maximum is reached
    await sleep(600);
    expect(await balance(u)).toBe('90');
    expect(intentsOf(u).map((request) => request.body.amount)).toEqual(['90', '90']);
    expect(await autoTopUp(u)).toMatchObject({ topUpsThisMonth: 2, monthlyMaximum: 2 });
  });
});
