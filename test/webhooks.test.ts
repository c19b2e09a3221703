import { randomBytes, randomUUID } from 'node:crypto';
import { startTestApp, stopApps, errorCode, type TestApp, type TestUser } from './helpers/app';
import { withSql } from './helpers/db';
import { sharedJwtEnv, sleep } from './helpers/subscriptions';
import { WebhookReceiver, WebhookReceivers, type Receipt } from './helpers/webhook-receiver';
import { monthKey } from '../src/shared/time';
import {
  CreateApiKeyDocument,
  CreateWebhookEndpointDocument,
  DeleteWebhookEndpointDocument,
  GrantCreditsDocument,
  MeDocument,
  MessagesDocument,
  ReplayWebhookDeliveryDocument,
  RotateWebhookSecretDocument,
  TransactionsDocument,
  UpdateSettingsDocument,
  UpdateWebhookEndpointDocument,
  WebhookDeliveriesDocument,
  WebhookEndpointsDocument,
  type WebhookEventType,
} from './generated/graphql';
import { planInvoice, postStripeEvent, stripeEvent } from './helpers/stripe-events';
import { until } from './helpers/until';

/**
 * Outbound webhooks end to end: the real app on real PostgreSQL sends to a local HTTP receiver
 * that verifies every request with the `standardwebhooks` library, as a customer's would.
 */
const ALL_EVENTS: WebhookEventType[] = [
  'LOW_CREDITS',
  'CREDITS_DEPLETED',
  'WALLET_PAUSED',
  'WALLET_RESUMED',
  'BUDGET_CAP_REACHED',
  'BURN_ALERT',
  'PURCHASE_COMPLETED',
  'REFUND_COMPLETED',
  'PLAN_RENEWED',
  'AUTO_TOP_UP_SUCCEEDED',
  'AUTO_TOP_UP_FAILED',
];

const STRIPE_WHSEC = 'whsec_test_secret_for_webhook_tests';

let t: TestApp;
const receivers = new WebhookReceivers();

beforeAll(async () => {
  t = await startTestApp({
    PRICE_BOOK: 'influgen', // caption = 1 credit
    SIGNUP_BONUS: '100',
    WEBHOOK_POLL_MS: '100',
    WEBHOOK_RETRY_BASE_MS: '200',
    WEBHOOK_RETRY_MAX_MS: '1000',
    WEBHOOK_TIMEOUT_MS: '1500',
    WEBHOOK_RESPONSE_LOG_BYTES: '64',
    STRIPE_WEBHOOK_SECRET: STRIPE_WHSEC, // plan renewals arrive as Stripe's invoice.paid
  });
});
afterAll(async () => {
  await t?.stop();
  await receivers.stopAll();
});

async function endpointFor(u: TestUser, url: string, events: WebhookEventType[] = ALL_EVENTS, app = t) {
  return (await app.ok(CreateWebhookEndpointDocument, { input: { url, events, description: 'test receiver' } }, u.token)).createWebhookEndpoint;
}

const deliveries = async (u: TestUser, endpointId: string, app = t) =>
  (await app.ok(WebhookDeliveriesDocument, { endpointId, first: 100 }, u.token)).webhookDeliveries.edges.map((edge) => edge.node);

const versionOf = (receipt: Receipt) => BigInt(receipt.payload.data.wallet.version);
const ascending = (x: bigint, y: bigint) => (x < y ? -1 : x > y ? 1 : 0);

/** A signed Stripe event POSTed to `app`'s Stripe webhook (STRIPE_WEBHOOK_SECRET). */
const postStripe = (event: object, app = t) => postStripeEvent(app.url.replace(/\/graphql$/, '/webhooks/stripe'), event, STRIPE_WHSEC);

describe('delivery', () => {
  it('sends a signed event only after its change committed, with the wallet state and version it refers to', async () => {
    const u = await t.signUp();
    const r = await receivers.start();
    const walletAtReceipt: string[] = [];
    r.onReceipt = async () => {
      walletAtReceipt.push(await withSql(t.dbUrl, async (c) => (await c.query('select version::text from wallet where account_id = $1', [u.accountId])).rows[0].version));
    };
    const { secret, endpoint } = await endpointFor(u, r.url);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);

    const charged = await t.charge(u, { quantity: 75 }); // 100 -> 25: LOW_CREDITS 25 %
    expect(charged.errors).toBeUndefined();
    const [receipt] = await until(() => r.receipts, (list) => list.length >= 1);
    expect(WebhookReceiver.verifies(secret, receipt)).toBe(true);
    expect(WebhookReceiver.verifies(`whsec_${Buffer.alloc(32, 1).toString('base64')}`, receipt)).toBe(false);
    expect(receipt.payload.type).toBe('wallet.low_credits');
    expect(receipt.payload.data).toMatchObject({ threshold: 25, balance: '25', reference: '100', accountId: u.accountId, eventId: receipt.id });
    expect(receipt.payload.data.wallet).toMatchObject({ balance: '25', held: '0', status: 'ACTIVE', version: charged.data!.chargeUsage.wallet.version });
    // Never before commit: when the receiver is called, the database already shows that version.
    await until(() => walletAtReceipt.length, (n) => n >= 1);
    expect(BigInt(walletAtReceipt[0])).toBeGreaterThanOrEqual(versionOf(receipt));

    const [delivery] = await until(() => deliveries(u, endpoint.id), (list) => list.length === 1 && list[0].status === 'SUCCEEDED');
    expect(delivery).toMatchObject({ eventId: receipt.id, eventType: 'LOW_CREDITS', walletVersion: receipt.payload.data.wallet.version, attemptCount: 1, lastStatusCode: 200, nextAttemptAt: null });
    expect(delivery.payload).toBe(receipt.body);
    expect(delivery.attempts).toEqual([expect.objectContaining({ number: 1, statusCode: 200, error: null, responseBody: 'ok' })]);
    await sleep(300);
    expect(r.receipts).toHaveLength(1); // subscribed to everything, but only one event happened
  });

  it('sends nothing for a change that rolled back, though the batch had decided its events', async () => {
    const u = await t.signUp();
    const r = await receivers.start();
    await endpointFor(u, r.url);
    // The ledger insert fails for these keys after the batch decided LOW_CREDITS, CREDITS_DEPLETED and WALLET_PAUSED.
    await withSql(t.dbUrl, (c) =>
      c.query(`create or replace function refuse_boom() returns trigger language plpgsql as $$ begin raise exception 'refused for the test'; end $$;
               create or replace trigger refuse_boom before insert on ledger_transaction for each row when (new.idempotency_key like 'boom-%') execute function refuse_boom();`),
    );
    try {
      const failed = await t.charge(u, { quantity: 100, idempotencyKey: `boom-${randomUUID()}` });
      expect(errorCode(failed)).toBe('INTERNAL_SERVER_ERROR');
      await sleep(800);
      expect(r.receipts).toHaveLength(0);
      const stored = await withSql(t.dbUrl, async (c) => (await c.query('select count(*)::int as n from webhook_event where account_id = $1', [u.accountId])).rows[0].n);
      expect(stored).toBe(0);
    } finally {
      await withSql(t.dbUrl, (c) => c.query('drop trigger refuse_boom on ledger_transaction; drop function refuse_boom();'));
    }
    // The same change committing does raise them (so the rollback above is what prevented them).
    expect((await t.charge(u, { quantity: 100 })).errors).toBeUndefined();
    const receipts = await until(() => r.receipts, (list) => list.length >= 5);
    expect(receipts.map((receipt) => receipt.payload.type)).toEqual(['wallet.low_credits', 'wallet.low_credits', 'wallet.low_credits', 'wallet.depleted', 'wallet.paused']);
  });

  it('retries a failing endpoint with growing delays and the same event id until it recovers; the log keeps every attempt, bodies truncated', async () => {
    const u = await t.signUp();
    const r = await receivers.start();
    r.answer = (_receipt, attempt) => (attempt === 1 ? 'hang' : attempt === 2 ? { status: 500, body: 'x'.repeat(1000) } : attempt === 3 ? 503 : 200);
    const { secret, endpoint } = await endpointFor(u, r.url, ['WALLET_PAUSED']);
    expect((await t.charge(u, { quantity: 100 })).errors).toBeUndefined();

    const receipts = await until(() => r.receipts, (list) => list.length >= 4, 20_000);
    expect(new Set(receipts.map((receipt) => receipt.id)).size).toBe(1);
    expect(receipts.every((receipt) => WebhookReceiver.verifies(secret, receipt))).toBe(true);
    expect(receipts.map((receipt) => receipt.body)).toEqual(Array(4).fill(receipts[0].body));
    // Backoff with equal jitter: after failure n the wait is between half and all of 200 ms * 2^(n-1).
    expect(receipts[2].at - receipts[1].at).toBeGreaterThanOrEqual(190);
    expect(receipts[3].at - receipts[2].at).toBeGreaterThanOrEqual(390);

    const [delivery] = await until(() => deliveries(u, endpoint.id), (list) => list[0]?.status === 'SUCCEEDED');
    expect(delivery.attemptCount).toBe(4);
    expect(delivery.attempts.map((attempt) => attempt.statusCode)).toEqual([null, 500, 503, 200]);
    expect(delivery.attempts[0].error).toMatch(/timeout after 1500 ms/);
    expect(delivery.attempts[1].responseBody).toBe('x'.repeat(64));
    expect(delivery.attempts[1].error).toBe('HTTP 500');
    await sleep(500);
    expect(r.receipts).toHaveLength(4);
  });

  it('stores any reply body as text PostgreSQL accepts (no NUL, binary as U+FFFD, no character cut in half): each event is delivered and recorded once', async () => {
    const u = await t.signUp();
    // WEBHOOK_RESPONSE_LOG_BYTES is 64: the last two bodies cross it inside a multi-byte character.
    const bodies: [string | Buffer, string][] = [
      ['ok\u0000', 'ok'],
      [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x00, 0x00, 0xff, 0xfe]), '\ufffdPNG\r\n\ufffd\ufffd'],
      [`${'x'.repeat(62)}\u{1F600}`, 'x'.repeat(62)],
      [`${'x'.repeat(63)}é\u0000`, 'x'.repeat(63)],
    ];
    const endpoints = [];
    for (const [body, stored] of bodies) {
      const r = await receivers.start();
      r.answer = () => ({ status: 200, body });
      endpoints.push({ r, stored, endpoint: (await endpointFor(u, r.url, ['WALLET_PAUSED'])).endpoint });
    }
    await t.chargeOk(u, { quantity: 100 }); // paused
    for (const { r, stored, endpoint } of endpoints) {
      const [delivery] = await until(() => deliveries(u, endpoint.id), (list) => list[0]?.status === 'SUCCEEDED');
      expect(delivery).toMatchObject({ attemptCount: 1, lastStatusCode: 200, lastError: null });
      expect(delivery.attempts).toEqual([expect.objectContaining({ number: 1, statusCode: 200, error: null, responseBody: stored })]);
      expect(r.receipts).toHaveLength(1);
    }
  });

  it('never follows a redirect: a 3xx is a failed attempt and its target is not contacted', async () => {
    const u = await t.signUp();
    const r = await receivers.start();
    const elsewhere = await receivers.start();
    r.answer = () => ({ status: 307, body: 'moved', headers: { location: elsewhere.url } });
    const { endpoint } = await endpointFor(u, r.url, ['WALLET_PAUSED']);
    expect((await t.charge(u, { quantity: 100 })).errors).toBeUndefined();
    const [delivery] = await until(() => deliveries(u, endpoint.id), (list) => (list[0]?.attempts.length ?? 0) >= 1);
    expect(delivery.attempts[0]).toMatchObject({ statusCode: 307, error: `redirect to ${elsewhere.url} not followed` });
    expect(delivery.status).toBe('PENDING');
    expect(elsewhere.connections).toBe(0);
  });

  it("does not hold other endpoints' deliveries back while a receiver takes its time: each attempt is sent on its own", async () => {
    const slow = await t.signUp();
    const prompt = await t.signUp();
    const hanging = await receivers.start();
    hanging.answer = () => 'hang'; // answered by the 1.5 s timeout only
    const answering = await receivers.start();
    await endpointFor(slow, hanging.url, ['WALLET_PAUSED']);
    const { endpoint } = await endpointFor(prompt, answering.url, ['WALLET_PAUSED']);
    await t.chargeOk(slow, { quantity: 100 }); // paused: its attempt hangs
    await until(() => hanging.receipts, (list) => list.length === 1);
    const started = Date.now();
    await t.chargeOk(prompt, { quantity: 100 });
    const [delivered] = await until(() => deliveries(prompt, endpoint.id), (list) => list[0]?.status === 'SUCCEEDED', 5000);
    expect(Date.now() - started).toBeLessThan(1000); // not after the hanging attempt's timeout
    expect(delivered.attemptCount).toBe(1);
    expect(hanging.receipts.map((receipt) => receipt.status)).toEqual([null]); // still waiting for its answer
  });

  it('delivers the events of one wallet in version order: a later event waits while an earlier one is retried', async () => {
    const u = await t.signUp();
    const r = await receivers.start();
    let firstEvent: string | null = null;
    r.answer = (receipt, attempt) => {
      firstEvent ??= receipt.id;
      return receipt.id === firstEvent && attempt <= 3 ? 500 : 200;
    };
    await endpointFor(u, r.url);
    // 100 -> 80 -> 20 (25 %) -> 5 (10 %) -> 0 (0 %, depleted, paused); a grant of 10 (resumed, a new cycle) -> 2 (25 %)
    for (const quantity of [20, 60, 15, 5]) expect((await t.charge(u, { quantity })).errors).toBeUndefined();
    const admin = await t.admin();
    await t.ok(GrantCreditsDocument, { accountId: u.accountId, amount: '10', reason: 'test', idempotencyKey: randomUUID() }, admin.token);
    expect((await t.charge(u, { quantity: 8 })).errors).toBeUndefined();

    const events = await withSql(t.dbUrl, async (c) => (await c.query('select id, wallet_version::text as v from webhook_event where account_id = $1 order by seq', [u.accountId])).rows);
    expect(events.length).toBe(7); // 25 %, 10 %, 0 %, depleted, paused, resumed, 25 % of the new cycle
    await until(() => r.receipts.filter((receipt) => receipt.status === 200).length, (n) => n === events.length, 20_000);
    const accepted = r.receipts.filter((receipt) => receipt.status === 200);
    expect(accepted.map((receipt) => receipt.id)).toEqual(events.map((event) => event.id));
    // Across every request (failed ones included), versions never go back.
    const versions = r.receipts.map(versionOf);
    expect(versions).toEqual([...versions].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(r.of(events[0].id)).toHaveLength(4);
    expect(accepted.map((receipt) => receipt.payload.type)).toEqual([
      'wallet.low_credits',
      'wallet.low_credits',
      'wallet.low_credits',
      'wallet.depleted',
      'wallet.paused',
      'wallet.resumed',
      'wallet.low_credits',
    ]);
  });

  it('lists a delivery waiting behind an earlier event of its wallet with no next attempt: only the head of the line has one', async () => {
    const u = await t.signUp();
    const r = await receivers.start();
    let refusing = true;
    r.answer = () => (refusing ? 503 : 200);
    const { endpoint } = await endpointFor(u, r.url);
    // 100 -> 80 -> 20 (25 %) -> 5 (10 %): two events of one wallet.
    for (const quantity of [20, 60, 15]) expect((await t.charge(u, { quantity })).errors).toBeUndefined();
    await until(() => r.receipts.length, (n) => n >= 2); // the first event failed twice: it is being retried
    const listed = (await deliveries(u, endpoint.id)).map((d) => ({ status: d.status, tried: d.attemptCount > 0, next: d.nextAttemptAt !== null }));
    // Newest first: the second event waits, untried, for the first; only the first has a next attempt.
    expect(listed).toEqual([
      { status: 'PENDING', tried: false, next: false },
      { status: 'PENDING', tried: true, next: true },
    ]);
    refusing = false;
    await until(() => r.receipts.filter((receipt) => receipt.status === 200).length, (n) => n === 2, 20_000);
    expect((await deliveries(u, endpoint.id)).map((d) => [d.status, d.nextAttemptAt])).toEqual([
      ['SUCCEEDED', null],
      ['SUCCEEDED', null],
    ]);
  });

  it('replays a delivery with the same webhook-id; other accounts cannot see or replay it', async () => {
    const u = await t.signUp();
    const other = await t.signUp();
    const r = await receivers.start();
    const { secret, endpoint } = await endpointFor(u, r.url, ['WALLET_PAUSED']);
    expect((await t.charge(u, { quantity: 100 })).errors).toBeUndefined();
    const [delivered] = await until(() => deliveries(u, endpoint.id), (list) => list[0]?.status === 'SUCCEEDED');

    expect(errorCode(await t.gql(ReplayWebhookDeliveryDocument, { id: delivered.id }, other.token))).toBe('NOT_FOUND');
    expect(errorCode(await t.gql(WebhookDeliveriesDocument, { endpointId: endpoint.id }, other.token))).toBe('NOT_FOUND');
    const replay = (await t.ok(ReplayWebhookDeliveryDocument, { id: delivered.id }, u.token)).replayWebhookDelivery;
    expect(replay).toMatchObject({ eventId: delivered.eventId, replayOf: delivered.id });
    expect(replay.id).not.toBe(delivered.id);

    const receipts = await until(() => r.receipts, (list) => list.length >= 2);
    expect(receipts[1].id).toBe(receipts[0].id);
    expect(receipts[1].body).toBe(receipts[0].body);
    expect(WebhookReceiver.verifies(secret, receipts[1])).toBe(true);
    const list = await until(() => deliveries(u, endpoint.id), (all) => all.length === 2 && all.every((d) => d.status === 'SUCCEEDED'));
    expect(list.map((d) => d.id)).toEqual([replay.id, delivered.id]); // newest first
  });
  it('replays a delivery still being retried at once, not at its next retry; the replay accepted does not end the endpoint\'s failure run', async () => {
    const u = await t.signUp();
    const r = await receivers.start();
    r.answer = () => 500;
    const { endpoint } = await endpointFor(u, r.url, ['WALLET_PAUSED']);
    await t.chargeOk(u, { quantity: 100 }); // paused
    const [failing] = await until(() => deliveries(u, endpoint.id), (list) => list[0]?.lastStatusCode === 500);
    // Its backoff has grown to an hour, as after many failures (set again if an attempt in flight recorded a shorter one).
    const postponed = async () => {
      await withSql(t.dbUrl, (c) => c.query(`update webhook_delivery set next_attempt_at = now() + interval '1 hour' where id = $1 and next_attempt_at < now() + interval '50 minutes'`, [failing.id]));
      await sleep(1200); // longer than the longest backoff and the timeout here
      return (await withSql(t.dbUrl, (c) => c.query(`select next_attempt_at > now() + interval '50 minutes' as far from webhook_delivery where id = $1`, [failing.id]))).rows[0].far as boolean;
    };
    await until(postponed, (far) => far, 10_000);
    const refused = r.of(failing.eventId).length;
    const failingSince = (await t.ok(WebhookEndpointsDocument, {}, u.token)).webhookEndpoints.find((e) => e.id === endpoint.id)!.failingSince;
    expect(failingSince).not.toBeNull();
    r.answer = () => 200;
    const replay = (await t.ok(ReplayWebhookDeliveryDocument, { id: failing.id }, u.token)).replayWebhookDelivery;
    expect(replay).toMatchObject({ eventId: failing.eventId, replayOf: failing.id });
    await until(() => deliveries(u, endpoint.id), (list) => list.find((d) => d.id === replay.id)?.status === 'SUCCEEDED', 3000);
    expect(r.of(failing.eventId).map((receipt) => receipt.status)).toEqual([...Array(refused).fill(500), 200]);
    const original = (await deliveries(u, endpoint.id)).find((d) => d.id === failing.id)!;
    expect(original).toMatchObject({ status: 'PENDING', lastStatusCode: 500 }); // keeps its own retries
    expect(new Date(original.nextAttemptAt!).getTime()).toBeGreaterThan(Date.now() + 50 * 60_000);
    // Live deliveries are still failing: a replay's success is not the endpoint recovering.
    expect((await t.ok(WebhookEndpointsDocument, {}, u.token)).webhookEndpoints.find((e) => e.id === endpoint.id)!.failingSince).toBe(failingSince);
    await t.ok(DeleteWebhookEndpointDocument, { id: endpoint.id }, u.token);
  });

  it('sends a replay outside the order of its wallet: a replay the receiver keeps refusing does not hold back newer events', async () => {
    const u = await t.signUp();
    const r = await receivers.start();
    const { endpoint } = await endpointFor(u, r.url, ['WALLET_PAUSED', 'WALLET_RESUMED']);
    await t.chargeOk(u, { quantity: 100 }); // paused
    const [paused] = await until(() => deliveries(u, endpoint.id), (list) => list[0]?.status === 'SUCCEEDED');
    r.answer = (receipt) => (receipt.id === paused.eventId ? 410 : 200); // the receiver refuses the old event from now on
    const replay = (await t.ok(ReplayWebhookDeliveryDocument, { id: paused.id }, u.token)).replayWebhookDelivery;
    await until(() => r.of(paused.eventId), (list) => list.length >= 3 && list[2].status === 410); // the replay failed twice: it is retried
    // A refused replay is not the endpoint failing: it starts no failure run (which could disable it).
    expect((await t.ok(WebhookEndpointsDocument, {}, u.token)).webhookEndpoints.find((e) => e.id === endpoint.id)).toMatchObject({ failingSince: null });
    const admin = await t.admin();
    await t.ok(GrantCreditsDocument, { accountId: u.accountId, amount: '5', reason: 'test', idempotencyKey: randomUUID() }, admin.token); // resumed: newer than the replayed event

    const [resumed] = await until(() => r.receipts.filter((receipt) => receipt.payload.type === 'wallet.resumed'), (list) => list.length >= 1, 3000);
    expect(versionOf(resumed)).toBeGreaterThan(versionOf(r.of(paused.eventId)[0]));
    const list = await until(() => deliveries(u, endpoint.id), (all) => all.some((d) => d.eventType === 'WALLET_RESUMED' && d.status === 'SUCCEEDED'));
    expect(list.find((d) => d.id === replay.id)).toMatchObject({ status: 'PENDING', lastStatusCode: 410 }); // still being retried
    await t.ok(DeleteWebhookEndpointDocument, { id: endpoint.id }, u.token); // stops the retries
  });
});

describe('alert and billing events', () => {
  it('sends BUDGET_CAP_REACHED once, from the charge that reached the cap, with the cap, the month and the CAPPED wallet it left', async () => {
    const u = await t.signUp();
    const r = await receivers.start();
    const { secret, endpoint } = await endpointFor(u, r.url, ['BUDGET_CAP_REACHED']);
    await t.ok(UpdateSettingsDocument, { input: { monthlyBudgetCap: '30' } }, u.token);

    await t.chargeOk(u, { quantity: 20 }); // 20 of 30: below the cap
    await sleep(300);
    expect(r.receipts).toHaveLength(0);
    const capping = (await t.chargeOk(u, { quantity: 10 })).chargeUsage; // 30 of 30: reached
    expect(capping.wallet.status).toBe('CAPPED');
    expect(errorCode(await t.charge(u))).toBe('BUDGET_CAP_EXCEEDED'); // refused: no change, no event

    const [receipt] = await until(() => r.receipts, (list) => list.length >= 1);
    expect(WebhookReceiver.verifies(secret, receipt)).toBe(true);
    expect(receipt.payload.type).toBe('wallet.budget_cap_reached');
    expect(receipt.payload.data).toEqual({
      eventId: receipt.id,
      accountId: u.accountId,
      month: monthKey(new Date(), 'UTC'),
      spentThisMonth: '30',
      held: '0',
      cap: '30',
      wallet: {
        id: capping.wallet.id,
        version: capping.wallet.version,
        balance: '70',
        held: '0',
        spentThisMonth: '30',
        lifetimeSpend: '30',
        lifetimePurchased: capping.wallet.lifetimePurchased,
        monthlyBudgetCap: '30',
        status: 'CAPPED',
      },
    });
    const [delivery] = await until(() => deliveries(u, endpoint.id), (list) => list[0]?.status === 'SUCCEEDED');
    expect(delivery).toMatchObject({ eventId: receipt.id, eventType: 'BUDGET_CAP_REACHED', walletVersion: capping.wallet.version });
    await sleep(300);
    expect(r.receipts).toHaveLength(1); // once a month, and the refused charge raised nothing
  });

  it('sends BUDGET_CAP_REACHED when the account lowers its cap below this month\'s spend, carrying the version the cap change took', async () => {
    const u = await t.signUp();
    const r = await receivers.start();
    const { secret, endpoint } = await endpointFor(u, r.url, ['BUDGET_CAP_REACHED']);
    const last = (await t.chargeOk(u, { quantity: 12 })).chargeUsage;
    await t.ok(UpdateSettingsDocument, { input: { monthlyBudgetCap: '10' } }, u.token);

    const [receipt] = await until(() => r.receipts, (list) => list.length >= 1);
    expect(WebhookReceiver.verifies(secret, receipt)).toBe(true);
    expect(receipt.payload.type).toBe('wallet.budget_cap_reached');
    expect(receipt.payload.data).toMatchObject({ month: monthKey(new Date(), 'UTC'), spentThisMonth: '12', held: '0', cap: '10' });
    // A cap change records no ledger entry but is a change of the wallet: the next version, which the event refers to.
    const capVersion = String(BigInt(last.wallet.version) + 1n);
    expect(receipt.payload.data.wallet).toMatchObject({ version: capVersion, spentThisMonth: '12', monthlyBudgetCap: '10', status: 'CAPPED' });
    await t.ok(UpdateSettingsDocument, { input: { monthlyBudgetCap: '5' } }, u.token);
    // updateSettings answers after its review committed: a second event would already be in the outbox.
    expect(await deliveries(u, endpoint.id)).toHaveLength(1);
    await sleep(300);
    expect(r.receipts).toHaveLength(1);
  });

  it('sends BURN_ALERT once a month, from the charge whose spend reached the threshold, with the spend, the threshold and that wallet version', async () => {
    const u = await t.signUp();
    const r = await receivers.start();
    const { secret, endpoint } = await endpointFor(u, r.url, ['BURN_ALERT']);
    await t.ok(UpdateSettingsDocument, { input: { burnAlertThreshold: '40' } }, u.token);

    await t.chargeOk(u, { quantity: 30 }); // 30 spent: below the threshold
    await sleep(300);
    expect(r.receipts).toHaveLength(0);
    const burning = (await t.chargeOk(u, { quantity: 15 })).chargeUsage; // 45 spent: reached
    await t.chargeOk(u, { quantity: 5 }); // 50 spent: already alerted this month

    const [receipt] = await until(() => r.receipts, (list) => list.length >= 1);
    expect(WebhookReceiver.verifies(secret, receipt)).toBe(true);
    expect(receipt.payload.type).toBe('wallet.burn_alert');
    expect(receipt.payload.data).toMatchObject({ eventId: receipt.id, accountId: u.accountId, month: monthKey(new Date(), 'UTC'), spentThisMonth: '45', threshold: '40' });
    expect(receipt.payload.data.wallet).toEqual({
      id: burning.wallet.id,
      version: burning.wallet.version,
      balance: '55',
      held: '0',
      spentThisMonth: '45',
      lifetimeSpend: '45',
      lifetimePurchased: burning.wallet.lifetimePurchased,
      monthlyBudgetCap: null,
      status: 'ACTIVE',
    });
    const [delivery] = await until(() => deliveries(u, endpoint.id), (list) => list[0]?.status === 'SUCCEEDED');
    expect(delivery).toMatchObject({ eventId: receipt.id, eventType: 'BURN_ALERT', walletVersion: burning.wallet.version });
    await sleep(300);
    expect(r.receipts).toHaveLength(1);
  });

  it('sends PLAN_RENEWED for each paid plan invoice (a redelivered Stripe event raises none) with the plan, invoice, allocation and wallet version', async () => {
    const u = await t.signUp();
    const r = await receivers.start();
    const { secret, endpoint } = await endpointFor(u, r.url, ['PLAN_RENEWED']);
    const sub = `sub_${randomBytes(6).toString('hex')}`;
    const start1 = Math.floor(Date.now() / 1000) - 86_400;
    const end1 = start1 + 30 * 86_400;
    const first = stripeEvent('invoice.paid', planInvoice(u.accountId, { id: `in_${randomBytes(6).toString('hex')}`, sub, planId: 'starter', start: start1, end: end1 }));
    const posted = await Promise.all([postStripe(first), postStripe(first)]); // Stripe may deliver an event twice
    expect(posted.map((p) => p.status)).toEqual([200, 200]);
    const afterFirst = (await t.ok(MeDocument, {}, u.token)).me.wallet;
    expect(afterFirst.balance).toBe('150'); // 100 bonus + 50 Starter

    const [receipt] = await until(() => r.receipts, (list) => list.length >= 1);
    expect(WebhookReceiver.verifies(secret, receipt)).toBe(true);
    expect(receipt.payload.type).toBe('billing.plan_renewed');
    const allocations = async () =>
      (await t.ok(TransactionsDocument, { filter: { kinds: ['PLAN_ALLOCATION'] } }, u.token)).transactions.edges.map((edge) => edge.node);
    const [allocation] = await allocations();
    expect(receipt.payload.data).toEqual({
      eventId: receipt.id,
      accountId: u.accountId,
      transactionId: allocation.id,
      credits: '50',
      planId: 'starter',
      invoiceId: first.data.object.id,
      subscriptionId: sub,
      expiresAt: new Date(end1 * 1000).toISOString(),
      wallet: expect.objectContaining({ id: afterFirst.id, version: afterFirst.version, balance: '150', held: '0', status: 'ACTIVE' }),
    });
    expect(receipt.payload.data.wallet.version).toBe(allocation.walletVersion);

    // The next period's invoice: the 50 left expire and 200 Growth credits arrive in one change, one event.
    await t.chargeOk(u, { quantity: 10 }); // from the allocation: 40 of it left
    const renewal = stripeEvent('invoice.paid', planInvoice(u.accountId, { id: `in_${randomBytes(6).toString('hex')}`, sub, planId: 'growth', start: end1, end: end1 + 30 * 86_400 }));
    expect((await postStripe(renewal)).body.outcome).toBe('APPLIED');
    const afterRenewal = (await t.ok(MeDocument, {}, u.token)).me.wallet;
    expect(afterRenewal.balance).toBe('300'); // 100 bonus + 200 Growth, no rollover of the 40

    const [, renewed] = await until(() => r.receipts, (list) => list.length >= 2);
    expect(WebhookReceiver.verifies(secret, renewed)).toBe(true);
    expect(renewed.id).not.toBe(receipt.id);
    const newest = (await allocations()).find((tx) => tx.id === renewed.payload.data.transactionId);
    expect(newest).toMatchObject({ kind: 'PLAN_ALLOCATION', amount: '200', walletVersion: afterRenewal.version });
    expect(renewed.payload.data).toMatchObject({ credits: '200', planId: 'growth', invoiceId: renewal.data.object.id, subscriptionId: sub, expiresAt: new Date((end1 + 30 * 86_400) * 1000).toISOString() });
    expect(renewed.payload.data.wallet).toMatchObject({ version: afterRenewal.version, balance: '300' });
    expect(versionOf(renewed)).toBeGreaterThan(versionOf(receipt));

    const list = await until(() => deliveries(u, endpoint.id), (all) => all.length === 2 && all.every((d) => d.status === 'SUCCEEDED'));
    expect(list.map((d) => [d.eventType, d.walletVersion])).toEqual([
      ['PLAN_RENEWED', afterRenewal.version],
      ['PLAN_RENEWED', afterFirst.version],
    ]);
    await sleep(300);
    expect(r.receipts).toHaveLength(2); // the redelivered first invoice raised nothing
  });
});

describe('endpoints', () => {
  it('rotates the secret: both secrets sign during the grace period, only the new one after', async () => {
    const u = await t.signUp();
    const r = await receivers.start();
    const admin = await t.admin();
    const { secret: first, endpoint } = await endpointFor(u, r.url, ['WALLET_PAUSED', 'WALLET_RESUMED']);
    const rotated = (await t.ok(RotateWebhookSecretDocument, { id: endpoint.id, graceSeconds: 3600 }, u.token)).rotateWebhookSecret;
    expect(rotated.secret).not.toBe(first);
    expect(Date.parse(rotated.endpoint.previousSecretExpiresAt!)).toBeGreaterThan(Date.now() + 3500_000);

    expect((await t.charge(u, { quantity: 100 })).errors).toBeUndefined(); // paused
    const [graced] = await until(() => r.receipts, (list) => list.length >= 1);
    expect(graced.signature.split(' ')).toHaveLength(2);
    expect(WebhookReceiver.verifies(first, graced)).toBe(true);
    expect(WebhookReceiver.verifies(rotated.secret, graced)).toBe(true);

    const again = (await t.ok(RotateWebhookSecretDocument, { id: endpoint.id, graceSeconds: 0 }, u.token)).rotateWebhookSecret;
    expect(again.endpoint.previousSecretExpiresAt).toBeNull();
    await t.ok(GrantCreditsDocument, { accountId: u.accountId, amount: '5', reason: 'test', idempotencyKey: randomUUID() }, admin.token); // resumed
    const [, after] = await until(() => r.receipts, (list) => list.length >= 2);
    expect(after.signature.split(' ')).toHaveLength(1);
    expect(WebhookReceiver.verifies(again.secret, after)).toBe(true);
    expect(WebhookReceiver.verifies(rotated.secret, after)).toBe(false);
    expect(WebhookReceiver.verifies(first, after)).toBe(false);
  });

  it('refuses a second rotation while the previous secret is still in its grace period, unless graceSeconds is 0: every old secret signs for its whole grace period', async () => {
    const u = await t.signUp();
    const r = await receivers.start();
    const { secret: first, endpoint } = await endpointFor(u, r.url, ['WALLET_PAUSED']);
    const rotated = (await t.ok(RotateWebhookSecretDocument, { id: endpoint.id, graceSeconds: 3600 }, u.token)).rotateWebhookSecret;
    for (const graceSeconds of [3600, 60, null]) {
      const refused = await t.gql(RotateWebhookSecretDocument, { id: endpoint.id, graceSeconds }, u.token);
      expect(errorCode(refused)).toBe('BAD_USER_INPUT');
      expect(refused.errors?.[0]?.message).toContain(`the previous secret still signs until ${rotated.endpoint.previousSecretExpiresAt}`);
    }
    expect((await t.ok(WebhookEndpointsDocument, {}, u.token)).webhookEndpoints[0]).toMatchObject({
      secretRotatedAt: rotated.endpoint.secretRotatedAt,
      previousSecretExpiresAt: rotated.endpoint.previousSecretExpiresAt,
    });
    await t.chargeOk(u, { quantity: 100 }); // paused
    const [receipt] = await until(() => r.receipts, (list) => list.length >= 1);
    expect(WebhookReceiver.verifies(first, receipt)).toBe(true); // the original secret still signs
    expect(WebhookReceiver.verifies(rotated.secret, receipt)).toBe(true);
  });

  it('leaves an endpoint as it is for fields given as null (but the description, which null removes), as when they are omitted', async () => {
    const u = await t.signUp();
    const r = await receivers.start();
    const { endpoint } = await endpointFor(u, r.url, ['WALLET_PAUSED']);
    const kept = (await t.ok(UpdateWebhookEndpointDocument, { id: endpoint.id, input: { enabled: null } }, u.token)).updateWebhookEndpoint;
    expect(kept).toMatchObject({ status: 'ENABLED', disabledReason: null, url: r.url, events: ['WALLET_PAUSED'], description: 'test receiver' });
    const unchanged = (await t.ok(UpdateWebhookEndpointDocument, { id: endpoint.id, input: { url: null, events: null, description: null } }, u.token)).updateWebhookEndpoint;
    expect(unchanged).toMatchObject({ status: 'ENABLED', url: r.url, events: ['WALLET_PAUSED'], description: null });
    await t.ok(UpdateWebhookEndpointDocument, { id: endpoint.id, input: { enabled: false } }, u.token);
    const stillDisabled = (await t.ok(UpdateWebhookEndpointDocument, { id: endpoint.id, input: { enabled: null, description: 'paused' } }, u.token)).updateWebhookEndpoint;
    expect(stillDisabled).toMatchObject({ status: 'DISABLED', disabledReason: 'by owner', description: 'paused' });
    await t.ok(UpdateWebhookEndpointDocument, { id: endpoint.id, input: { enabled: true } }, u.token);
    expect((await t.ok(UpdateWebhookEndpointDocument, { id: endpoint.id, input: { enabled: null } }, u.token)).updateWebhookEndpoint).toMatchObject({ status: 'ENABLED' });
  });

  it('lists, updates and deletes endpoints of the caller only; needs a session; validates input', async () => {
    const u = await t.signUp();
    const other = await t.signUp();
    const r = await receivers.start();
    const { endpoint } = await endpointFor(u, r.url, ['LOW_CREDITS']);
    expect((await t.ok(WebhookEndpointsDocument, {}, u.token)).webhookEndpoints.map((e) => e.id)).toEqual([endpoint.id]);
    expect((await t.ok(WebhookEndpointsDocument, {}, other.token)).webhookEndpoints).toEqual([]);

    const key = (await t.ok(CreateApiKeyDocument, { name: 'k', scopes: ['USAGE_WRITE', 'WALLET_READ'] }, u.token)).createApiKey.secret;
    expect(errorCode(await t.gql(WebhookEndpointsDocument, {}, key))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(CreateWebhookEndpointDocument, { input: { url: r.url, events: ['LOW_CREDITS'] } }, key))).toBe('FORBIDDEN');

    for (const input of [
      { url: 'ftp://example.com/x', events: ['LOW_CREDITS'] as WebhookEventType[] },
      { url: 'not a url', events: ['LOW_CREDITS'] as WebhookEventType[] },
      { url: 'https://user:pw@example.com/x', events: ['LOW_CREDITS'] as WebhookEventType[] },
      { url: r.url, events: [] as WebhookEventType[] },
      { url: r.url, events: ['LOW_CREDITS'] as WebhookEventType[], description: 'd'.repeat(501) },
    ]) {
      expect(errorCode(await t.gql(CreateWebhookEndpointDocument, { input }, u.token))).toBe('BAD_USER_INPUT');
    }

    expect(errorCode(await t.gql(UpdateWebhookEndpointDocument, { id: endpoint.id, input: { enabled: false } }, other.token))).toBe('NOT_FOUND');
    expect(errorCode(await t.gql(DeleteWebhookEndpointDocument, { id: endpoint.id }, other.token))).toBe('NOT_FOUND');
    const updated = (await t.ok(UpdateWebhookEndpointDocument, { id: endpoint.id, input: { events: ['WALLET_PAUSED'], description: null } }, u.token)).updateWebhookEndpoint;
    expect(updated).toMatchObject({ events: ['WALLET_PAUSED'], description: null, status: 'ENABLED' });
    const disabled = (await t.ok(UpdateWebhookEndpointDocument, { id: endpoint.id, input: { enabled: false } }, u.token)).updateWebhookEndpoint;
    expect(disabled).toMatchObject({ status: 'DISABLED', disabledReason: 'by owner' });
    expect((await t.charge(u, { quantity: 100 })).errors).toBeUndefined(); // paused, while disabled: queued, not sent
    await sleep(400);
    expect(r.receipts).toHaveLength(0);

    await t.ok(UpdateWebhookEndpointDocument, { id: endpoint.id, input: { enabled: true } }, u.token);
    await until(() => r.receipts, (list) => list.length === 1);
    expect(r.receipts[0].payload.type).toBe('wallet.paused');
    expect((await t.ok(DeleteWebhookEndpointDocument, { id: endpoint.id }, u.token)).deleteWebhookEndpoint).toBe(true);
    expect(errorCode(await t.gql(DeleteWebhookEndpointDocument, { id: endpoint.id }, u.token))).toBe('NOT_FOUND');
    expect((await t.ok(WebhookEndpointsDocument, {}, u.token)).webhookEndpoints).toEqual([]);
    const admin = await t.admin();
    await t.ok(GrantCreditsDocument, { accountId: u.accountId, amount: '5', reason: 'test', idempotencyKey: randomUUID() }, admin.token);
    expect((await t.charge(u, { quantity: 5 })).errors).toBeUndefined(); // paused again: nobody is subscribed any more
    await sleep(400);
    expect(r.receipts).toHaveLength(1);
  });

  it('queues the events committed while its owner had disabled it and sends them in version order, with their ids, once enabled again', async () => {
    const u = await t.signUp();
    const r = await receivers.start();
    const { endpoint } = await endpointFor(u, r.url, ['LOW_CREDITS', 'CREDITS_DEPLETED', 'WALLET_PAUSED']);
    await t.ok(UpdateWebhookEndpointDocument, { id: endpoint.id, input: { enabled: false } }, u.token);
    for (const quantity of [80, 15, 5]) expect((await t.charge(u, { quantity })).errors).toBeUndefined(); // 20 (25 %), 5 (10 %), 0 (0 %, depleted, paused)

    const events = await withSql(t.dbUrl, async (c) => (await c.query('select id, wallet_version::text as version from webhook_event where account_id = $1 order by seq', [u.accountId])).rows);
    expect(events).toHaveLength(5);
    const queued = await deliveries(u, endpoint.id);
    expect(queued).toHaveLength(5);
    expect(queued.every((delivery) => delivery.status === 'PENDING' && delivery.attemptCount === 0 && delivery.nextAttemptAt === null)).toBe(true);
    await sleep(400);
    expect(r.receipts).toHaveLength(0);

    await t.ok(UpdateWebhookEndpointDocument, { id: endpoint.id, input: { enabled: true } }, u.token);
    const accepted = await until(() => r.receipts, (list) => list.length >= 5);
    expect(accepted.map((receipt) => receipt.id)).toEqual(events.map((event) => event.id));
    expect(accepted.map((receipt) => receipt.payload.data.wallet.version)).toEqual(events.map((event) => event.version));
    expect(accepted.map((receipt) => receipt.payload.type)).toEqual(['wallet.low_credits', 'wallet.low_credits', 'wallet.low_credits', 'wallet.depleted', 'wallet.paused']);
    await until(() => deliveries(u, endpoint.id), (list) => list.every((delivery) => delivery.status === 'SUCCEEDED'));
    expect(r.receipts).toHaveLength(5);
  });

  it('cancels what a deleted endpoint still had pending', async () => {
    const u = await t.signUp();
    const r = await receivers.start();
    r.answer = () => 500;
    const { endpoint } = await endpointFor(u, r.url, ['WALLET_PAUSED']);
    expect((await t.charge(u, { quantity: 100 })).errors).toBeUndefined();
    await until(() => r.receipts, (list) => list.length >= 1);
    await t.ok(DeleteWebhookEndpointDocument, { id: endpoint.id }, u.token);
    const [delivery] = await deliveries(u, endpoint.id); // a deleted endpoint's log stays readable
    expect(delivery).toMatchObject({ status: 'CANCELLED', nextAttemptAt: null });
    const seen = r.receipts.length;
    await sleep(1200);
    expect(r.receipts.length).toBe(seen);
  });
});

describe('an endpoint that keeps failing', () => {
  let d: TestApp;
  beforeAll(async () => {
    d = await startTestApp({ PRICE_BOOK: 'influgen', SIGNUP_BONUS: '100', WEBHOOK_POLL_MS: '100', WEBHOOK_RETRY_BASE_MS: '100', WEBHOOK_RETRY_MAX_MS: '200', WEBHOOK_DISABLE_AFTER_MS: '600' });
  });
  afterAll(() => d?.stop());

  it('is disabled after the configured period with a message to the account, and resumes in order when enabled again', async () => {
    const u = await d.signUp();
    const r = await receivers.start();
    let healthy = false;
    r.answer = () => (healthy ? 200 : 503);
    const { endpoint } = await endpointFor(u, r.url, ['LOW_CREDITS', 'WALLET_PAUSED'], d);
    expect((await d.charge(u, { quantity: 100 })).errors).toBeUndefined(); // 3 x LOW_CREDITS, WALLET_PAUSED

    const [disabled] = await until(async () => (await d.ok(WebhookEndpointsDocument, {}, u.token)).webhookEndpoints, (list) => list[0]?.status === 'DISABLED');
    expect(disabled).toMatchObject({ disabledReason: 'failing' });
    expect(disabled.failingSince).not.toBeNull();
    const messages = (await d.ok(MessagesDocument, { first: 20 }, u.token)).messages.edges.map((edge) => edge.node);
    expect(messages.filter((m) => m.kind === 'WEBHOOK_ENDPOINT_DISABLED')).toEqual([expect.objectContaining({ data: expect.objectContaining({ endpointId: endpoint.id }) })]);
    const tried = r.receipts.length;
    await sleep(500);
    expect(r.receipts.length).toBe(tried); // nothing is sent to a disabled endpoint
    expect(new Set(r.receipts.map((receipt) => receipt.id)).size).toBe(1); // only the first event was tried: the others wait behind it

    // Events committed while it is disabled are queued behind the pending ones.
    const admin = await d.admin();
    await d.ok(GrantCreditsDocument, { accountId: u.accountId, amount: '10', reason: 'test', idempotencyKey: randomUUID() }, admin.token); // resumed: a new cycle
    expect((await d.charge(u, { quantity: 8 })).errors).toBeUndefined(); // 2 of 10: LOW_CREDITS 25 %
    await sleep(300);
    expect(r.receipts.length).toBe(tried);

    healthy = true;
    await d.ok(UpdateWebhookEndpointDocument, { id: endpoint.id, input: { enabled: true } }, u.token);
    const accepted = await until(() => r.receipts.filter((receipt) => receipt.status === 200), (list) => list.length === 5);
    expect(accepted.map((receipt) => receipt.payload.type)).toEqual(['wallet.low_credits', 'wallet.low_credits', 'wallet.low_credits', 'wallet.paused', 'wallet.low_credits']);
    const events = await withSql(d.dbUrl, async (c) => (await c.query('select id from webhook_event where account_id = $1 order by seq', [u.accountId])).rows);
    expect(accepted.map((receipt) => receipt.id)).toEqual(events.map((event) => event.id));
  });
});

describe('two instances polling one outbox', () => {
  let a: TestApp;
  let b: TestApp;
  // Each instance logs a different length of the receiver's answer, so the attempt log tells which instance sent each attempt.
  const LOGGED_BY = { 8: 'a', 16: 'b' } as Record<number, string>;
  beforeAll(async () => {
    const env = { PRICE_BOOK: 'influgen', SIGNUP_BONUS: '10', WEBHOOK_POLL_MS: '20', WEBHOOK_RETRY_BASE_MS: '20', WEBHOOK_RETRY_MAX_MS: '40', WEBHOOK_TIMEOUT_MS: '1500', ...sharedJwtEnv() };
    a = await startTestApp({ ...env, WEBHOOK_RESPONSE_LOG_BYTES: '8' });
    b = await startTestApp({ ...env, WEBHOOK_RESPONSE_LOG_BYTES: '16' }, { dbUrl: a.dbUrl });
  });
  afterAll(() => stopApps(a, b));

  it('delivers the events of each wallet in order per endpoint while both instances claim, fail and retry them concurrently', async () => {
    const admin = await a.admin();
    const users = [await a.signUp(), await b.signUp()];
    const types: WebhookEventType[] = ['LOW_CREDITS', 'CREDITS_DEPLETED', 'WALLET_PAUSED', 'WALLET_RESUMED'];
    // Two endpoints per wallet, each answering slowly and failing every event's first attempt (some also the second), so
    // each event is retried, and a retry is claimed by whichever instance polls first.
    const endpoints = [];
    for (const [i, u] of users.entries()) {
      for (const app of [a, b]) {
        const r = await receivers.start();
        r.onReceipt = async () => {
          await sleep(Math.random() * 20);
        };
        r.answer = (receipt, attempt) => ({ status: attempt === 1 || (attempt === 2 && versionOf(receipt) % 3n === 0n) ? 503 : 200, body: 'r'.repeat(32) });
        endpoints.push({ u, i, r, ...(await endpointFor(u, r.url, types, app)) });
      }
    }

    // Six cycles per wallet, alternating instances: a charge of the 10 credits (25 %, 10 %, 0 %, depleted, paused), a grant of 10 (resumed).
    const CYCLES = 6;
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      await Promise.all(
        users.map(async (u, i) => {
          const [charger, granter] = (cycle + i) % 2 ? [a, b] : [b, a];
          await charger.chargeOk(u, { quantity: 10 });
          await granter.ok(GrantCreditsDocument, { accountId: u.accountId, amount: '10', reason: 'test', idempotencyKey: randomUUID() }, admin.token);
        }),
      );
    }
    const eventsOf = (u: TestUser) =>
      withSql(a.dbUrl, async (c) => (await c.query('select id, wallet_version::text as version from webhook_event where account_id = $1 order by seq', [u.accountId])).rows as { id: string; version: string }[]);
    const events = await Promise.all(users.map(eventsOf));
    expect(events.map((list) => list.length)).toEqual([6 * CYCLES, 6 * CYCLES]);

    for (const { u, i, r, secret, endpoint } of endpoints) {
      const all = await until(() => deliveries(u, endpoint.id, a), (list) => list.length === events[i].length && list.every((d) => d.status === 'SUCCEEDED'), 60_000, 100);
      const accepted = r.receipts.filter((receipt) => receipt.status === 200);
      // Each event accepted exactly once, in the order of the outbox (wallet version, then the order the change raised them).
      expect(accepted.map((receipt) => receipt.id)).toEqual(events[i].map((event) => event.id));
      expect(accepted.map((receipt) => receipt.payload.data.wallet.version)).toEqual(events[i].map((event) => event.version));
      // Across every request, failed ones included, no event is sent before an earlier one was accepted.
      const position = new Map(events[i].map((event, n) => [event.id, n]));
      const sent = r.receipts.map((receipt) => position.get(receipt.id)!);
      expect(sent).toEqual([...sent].sort((x, y) => x - y));
      const versions = r.receipts.map(versionOf);
      expect(versions).toEqual([...versions].sort(ascending));
      expect(events[i].every((event) => r.of(event.id).length >= 2)).toBe(true);
      expect(r.receipts.every((receipt) => WebhookReceiver.verifies(secret, receipt))).toBe(true);

      // Both instances worked this endpoint's queue: some events failed on one instance and were accepted from the other.
      const attempts = all.flatMap((delivery) => delivery.attempts.map((attempt) => ({ eventId: delivery.eventId, by: LOGGED_BY[attempt.responseBody?.length ?? 0] })));
      expect(attempts).toHaveLength(r.receipts.length);
      expect(new Set(attempts.map((attempt) => attempt.by))).toEqual(new Set(['a', 'b']));
      const handedOver = events[i].filter((event) => new Set(attempts.filter((attempt) => attempt.eventId === event.id).map((attempt) => attempt.by)).size === 2);
      expect(handedOver.length).toBeGreaterThan(0);
    }
  });
});
