import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { startTestApp, type TestApp, type TestUser } from './helpers/app';
import { withSql } from './helpers/db';
import { sleep } from './helpers/subscriptions';
import { WebhookReceivers } from './helpers/webhook-receiver';
import {
  CreateWebhookEndpointDocument,
  DeleteWebhookEndpointDocument,
  GrantCreditsDocument,
  MessagesDocument,
  ReplayWebhookDeliveryDocument,
  UpdateWebhookEndpointDocument,
  WebhookDeliveriesDocument,
  WebhookEndpointsDocument,
  type WebhookEventType,
} from './generated/graphql';
import { until } from './helpers/until';

/**
 * An endpoint's life around failures and concurrent changes: when its run of failures ends, what
 * a worker whose lease ran out may record, and changes racing the worker or each other. The
 * real app on real PostgreSQL sends to a local receiver; short retries and a short disable
 * period make a run of failures take a fraction of a second.
 */
let t: TestApp;
const receivers = new WebhookReceivers();
const DISABLE_AFTER_MS = 200;
const ENV = {
  PRICE_BOOK: 'influgen', // caption = 1 credit
  SIGNUP_BONUS: '100',
  WEBHOOK_POLL_MS: '50',
  WEBHOOK_RETRY_BASE_MS: '100',
  WEBHOOK_RETRY_MAX_MS: '100',
  WEBHOOK_MAX_ATTEMPTS: '2',
  WEBHOOK_TIMEOUT_MS: '1500',
  WEBHOOK_DISABLE_AFTER_MS: String(DISABLE_AFTER_MS),
};

beforeAll(async () => {
  t = await startTestApp(ENV);
});
afterAll(async () => {
  await t?.stop();
  await receivers.stopAll();
});

const grant = async (u: TestUser, amount: string) =>
  t.ok(GrantCreditsDocument, { accountId: u.accountId, amount, reason: 'test', idempotencyKey: randomUUID() }, (await t.admin()).token);
const endpointFor = async (u: TestUser, url: string, events: WebhookEventType[]) =>
  (await t.ok(CreateWebhookEndpointDocument, { input: { url, events } }, u.token)).createWebhookEndpoint.endpoint;
const endpointOf = async (u: TestUser) => (await t.ok(WebhookEndpointsDocument, {}, u.token)).webhookEndpoints[0];
const deliveries = async (u: TestUser, endpointId: string) => (await t.ok(WebhookDeliveriesDocument, { endpointId, first: 100 }, u.token)).webhookDeliveries.edges.map((edge) => edge.node);

/**
 * Takes row locks (`lock`: a `select ... for update`) in a transaction of the test, starts
 * `requests`, waits until `waiters` statements of the app wait for a lock, runs `during` while
 * still holding them, commits, and returns what the requests answered.
 */
async function whileLocked<T>(lock: [string, unknown[]], requests: () => Promise<T>[], waiters: number, during?: (c: Client) => Promise<unknown>): Promise<T[]> {
  const c = new Client({ connectionString: t.dbUrl });
  await c.connect();
  try {
    await c.query('begin');
    await c.query(...lock);
    const answers = Promise.all(requests());
    await until(() => lockWaiters(c), (n) => n >= waiters);
    await during?.(c);
    await c.query('commit');
    return await answers;
  } finally {
    await c.end();
  }
}

/**
 * How many statements (other than `c`'s) wait for a lock. Within `c`'s transaction PostgreSQL
 * keeps the list of sessions it first read (a session connected later would be missing), so the
 * snapshot is dropped before each look.
 */
async function lockWaiters(c: Client): Promise<number> {
  await c.query('select pg_stat_clear_snapshot()');
  return (await c.query<{ n: number }>(`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and pid <> pg_backend_pid()`)).rows[0].n;
}

/** The account's wallet lock: the one endpoint changes, replays and the worker's disabling take. */
const walletLock = (u: TestUser): [string, unknown[]] => ['select id from wallet where account_id = $1 for update', [u.accountId]];

describe('the run of failures that disables an endpoint', () => {
  it('ends when its last pending delivery is given up: a single failure later does not disable the endpoint', async () => {
    const u = await t.signUp();
    const r = await receivers.start();
    r.answer = () => 500;
    const endpoint = await endpointFor(u, r.url, ['WALLET_PAUSED', 'WALLET_RESUMED']);
    await t.chargeOk(u, { quantity: 100 }); // paused
    const [given] = await until(() => deliveries(u, endpoint.id), (list) => list[0]?.status === 'FAILED');
    expect(given.attemptCount).toBe(2);
    expect(await endpointOf(u)).toMatchObject({ status: 'ENABLED', failingSince: null });

    await sleep(2 * DISABLE_AFTER_MS); // long after the failures above began
    await grant(u, '10'); // resumed: a new event, failing again
    await until(() => deliveries(u, endpoint.id), (list) => list.length === 2 && list[0].status === 'FAILED');
    expect(await endpointOf(u)).toMatchObject({ status: 'ENABLED', failingSince: null });
    const messages = (await t.ok(MessagesDocument, { first: 20 }, u.token)).messages.edges.map((edge) => edge.node.kind);
    expect(messages).not.toContain('WEBHOOK_ENDPOINT_DISABLED');
  });

  it('goes on across given-up deliveries while later ones are pending: an endpoint that keeps failing is disabled', async () => {
    const u = await t.signUp();
    const r = await receivers.start();
    r.answer = () => 500;
    const endpoint = await endpointFor(u, r.url, ['LOW_CREDITS', 'CREDITS_DEPLETED', 'WALLET_PAUSED']);
    await t.chargeOk(u, { quantity: 100 }); // five events, each given up after two attempts at least 50 ms apart
    const disabled = await until(() => endpointOf(u), (state) => state.status === 'DISABLED');
    expect(disabled.disabledReason).toBe('failing');
    const list = await deliveries(u, endpoint.id);
    expect(list.filter((delivery) => delivery.status === 'FAILED').length).toBeGreaterThanOrEqual(1);
    expect(list.filter((delivery) => delivery.status === 'PENDING').length).toBeGreaterThanOrEqual(1);
  });
  it('ends when the last live delivery is given up, though a replay is still pending: a replay is not the endpoint failing', async () => {
    const u = await t.signUp();
    const r = await receivers.start();
    const endpoint = await endpointFor(u, r.url, ['WALLET_PAUSED', 'WALLET_RESUMED']);
    await t.chargeOk(u, { quantity: 100 }); // paused
    const [paused] = await until(() => deliveries(u, endpoint.id), (list) => list[0]?.status === 'SUCCEEDED');
    // From now on the receiver never answers the replayed event (each attempt waits out the 1.5 s
    // timeout) and refuses every other one.
    r.answer = (receipt) => (receipt.id === paused.eventId ? 'hang' : 500);
    const replay = (await t.ok(ReplayWebhookDeliveryDocument, { id: paused.id }, u.token)).replayWebhookDelivery;
    await until(() => r.of(paused.eventId), (list) => list.length === 2); // the replay's first attempt is under way
    await grant(u, '10'); // resumed: a live event, refused twice and given up
    const list = await until(() => deliveries(u, endpoint.id), (all) => all.some((d) => d.eventType === 'WALLET_RESUMED' && d.status === 'FAILED'));
    expect(list.find((d) => d.id === replay.id)).toMatchObject({ status: 'PENDING' }); // still waiting for its answer
    expect(await endpointOf(u)).toMatchObject({ status: 'ENABLED', failingSince: null });
    await sleep(2 * DISABLE_AFTER_MS);
    expect(await endpointOf(u)).toMatchObject({ status: 'ENABLED', failingSince: null });
    await t.ok(UpdateWebhookEndpointDocument, { id: endpoint.id, input: { enabled: false } }, u.token); // stops the replay's retries
  });
});

describe('a worker whose lease ran out', () => {
  it('records nothing for its attempt: no attempt row, no failure clock; the current claim (another instance) delivers', async () => {
    const other = await startTestApp(ENV, { dbUrl: t.dbUrl }); // a second instance working the same outbox
    try {
      const u = await t.signUp();
      const r = await receivers.start();
      const endpoint = await endpointFor(u, r.url, ['WALLET_PAUSED']);
      r.onReceipt = async (receipt) => {
        if (receipt !== r.receipts[0]) return;
        // While the first attempt is under way its lease runs out: the instance not busy with it claims the delivery
        // again and records its attempt (2) before the first one answers.
        await withSql(t.dbUrl, (c) => c.query('update webhook_delivery set next_attempt_at = now() where event_id = $1', [receipt.id]));
        await until(() => deliveries(u, endpoint.id), (list) => list[0]?.status === 'SUCCEEDED');
      };
      r.answer = (receipt) => (receipt === r.receipts[0] ? 500 : 200);
      await t.chargeOk(u, { quantity: 100 });
      await until(() => r.receipts, (list) => list.length === 2 && list.every((receipt) => receipt.status !== null));
      await sleep(500); // the first worker has tried to record its 500 by now
      const [delivered] = await deliveries(u, endpoint.id);
      expect(delivered).toMatchObject({ status: 'SUCCEEDED', attemptCount: 2, lastStatusCode: 200, lastError: null });
      expect(delivered.attempts.map((attempt) => [attempt.number, attempt.statusCode])).toEqual([[2, 200]]);
      expect((await endpointOf(u)).failingSince).toBeNull();
    } finally {
      await other.stop();
    }
  });
});

describe('an attempt that could not be recorded', () => {
  it('is not sent again once the delivery has had its attempts: its lease runs out and it is given up (FAILED), ending the run of failures', async () => {
    const u = await t.signUp();
    const r = await receivers.start();
    r.answer = () => 500;
    const endpoint = await endpointFor(u, r.url, ['WALLET_PAUSED']);
    // Recording this endpoint's second (and last, WEBHOOK_MAX_ATTEMPTS=2) attempt fails, as a statement refused by the database would.
    await withSql(t.dbUrl, (c) =>
      c.query(`create or replace function refuse_attempt() returns trigger language plpgsql as $$
                 begin if exists (select 1 from webhook_delivery where id = new.delivery_id and endpoint_id = '${endpoint.id}') then raise exception 'refused for the test'; end if; return new; end $$;
               create or replace trigger refuse_attempt before insert on webhook_attempt for each row when (new.number = 2) execute function refuse_attempt();`),
    );
    try {
      await t.chargeOk(u, { quantity: 100 }); // paused
      await until(() => r.receipts, (list) => list.length === 2); // the second attempt is sent; recording it fails
      const [unrecorded] = await until(() => deliveries(u, endpoint.id), (list) => list[0]?.attemptCount === 2);
      expect(unrecorded).toMatchObject({ status: 'PENDING', attempts: [expect.objectContaining({ number: 1, statusCode: 500 })] });
      await withSql(t.dbUrl, (c) => c.query('update webhook_delivery set next_attempt_at = now() where id = $1', [unrecorded.id])); // the lease ends
      const [given] = await until(() => deliveries(u, endpoint.id), (list) => list[0]?.status === 'FAILED');
      expect(given).toMatchObject({ attemptCount: 2, nextAttemptAt: null, lastError: 'attempt 2 was not recorded; given up after 2 attempts' });
      await sleep(300);
      expect(r.receipts).toHaveLength(2); // never a third attempt
      expect(await endpointOf(u)).toMatchObject({ status: 'ENABLED', failingSince: null }); // its last pending delivery was given up
    } finally {
      await withSql(t.dbUrl, (c) => c.query('drop trigger refuse_attempt on webhook_attempt; drop function refuse_attempt();'));
    }
  });
});

describe('concurrent changes', () => {
  it('an update that does not say `enabled` keeps the status it finds under the lock: it never re-enables an endpoint the worker just disabled', async () => {
    const u = await t.signUp();
    const r = await receivers.start();
    const endpoint = await endpointFor(u, r.url, ['WALLET_PAUSED']);
    const moved = `${r.url}/moved`;
    const [updated] = await whileLocked(walletLock(u), () => [t.ok(UpdateWebhookEndpointDocument, { id: endpoint.id, input: { url: moved } }, u.token)], 1, (c) =>
      // Meanwhile the worker disables the endpoint, under the same lock (webhook.worker.ts disable).
      c.query(`update webhook_endpoint set status = 'DISABLED', disabled_reason = 'failing', failing_since = now() - interval '4 days' where id = $1`, [endpoint.id]),
    );
    expect(updated.updateWebhookEndpoint).toMatchObject({ url: moved, status: 'DISABLED', disabledReason: 'failing' });
    expect(await endpointOf(u)).toMatchObject({ url: moved, status: 'DISABLED', disabledReason: 'failing' });
  });

  it('disabling and enabling an endpoint while a delivery is in flight sends it no second time meanwhile, and the next event of its wallet waits for it', async () => {
    const u = await t.signUp();
    const r = await receivers.start();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    r.onReceipt = async (receipt) => {
      if (receipt === r.receipts[0]) await held; // the receiver takes its time over the first (under WEBHOOK_TIMEOUT_MS)
    };
    const endpoint = await endpointFor(u, r.url, ['WALLET_PAUSED', 'WALLET_RESUMED']);
    await t.chargeOk(u, { quantity: 100 }); // paused
    await until(() => r.receipts.length, (n) => n === 1);
    const paused = r.receipts[0].id;
    await t.ok(UpdateWebhookEndpointDocument, { id: endpoint.id, input: { enabled: false } }, u.token);
    await t.ok(UpdateWebhookEndpointDocument, { id: endpoint.id, input: { enabled: true } }, u.token);
    await grant(u, '10'); // resumed: the wallet's next event
    await sleep(500); // polls every 50 ms: a delivery made due would have gone out by now
    expect(r.receipts.map((receipt) => receipt.id)).toEqual([paused]);
    release();
    await until(() => r.receipts.length, (n) => n === 2);
    expect(r.receipts[1].id).not.toBe(paused); // the resumed event, after the paused one was answered
    const [resumed, first] = await until(() => deliveries(u, endpoint.id), (list) => list.length === 2 && list.every((delivery) => delivery.status === 'SUCCEEDED'));
    expect([first.attemptCount, resumed.attemptCount]).toEqual([1, 1]);
    expect(r.of(paused)).toHaveLength(1);
  });

  it('an attempt under way when its endpoint is deleted is recorded as it went: delivered, the delivery is SUCCEEDED, not CANCELLED', async () => {
    const u = await t.signUp();
    const r = await receivers.start();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    r.onReceipt = () => held;
    const endpoint = await endpointFor(u, r.url, ['WALLET_PAUSED']);
    await t.chargeOk(u, { quantity: 100 }); // paused
    await until(() => r.receipts.length, (n) => n === 1);
    await t.ok(DeleteWebhookEndpointDocument, { id: endpoint.id }, u.token);
    release();
    const [delivery] = await until(() => deliveries(u, endpoint.id), (list) => list[0]?.attempts.length === 1);
    expect([delivery.status, delivery.attemptCount, delivery.nextAttemptAt, delivery.attempts[0].statusCode]).toEqual(['SUCCEEDED', 1, null, 200]);
  });

  it('a failed attempt under way when its endpoint is disabled leaves its delivery PENDING with no next attempt until the endpoint is enabled', async () => {
    const u = await t.signUp();
    const r = await receivers.start();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    r.onReceipt = (receipt) => (receipt === r.receipts[0] ? held : undefined);
    r.answer = (_receipt, attempt) => (attempt === 1 ? 500 : 200);
    const endpoint = await endpointFor(u, r.url, ['WALLET_PAUSED']);
    await t.chargeOk(u, { quantity: 100 }); // paused
    await until(() => r.receipts.length, (n) => n === 1);
    await t.ok(UpdateWebhookEndpointDocument, { id: endpoint.id, input: { enabled: false } }, u.token);
    release();
    const [failed] = await until(() => deliveries(u, endpoint.id), (list) => list[0]?.attempts.length === 1);
    expect([failed.status, failed.nextAttemptAt, failed.attempts[0].statusCode]).toEqual(['PENDING', null, 500]);
    await sleep(300); // retries are 100 ms apart: a delivery left due would be sent (and refused by the claim) meanwhile
    expect(r.receipts).toHaveLength(1);
    await t.ok(UpdateWebhookEndpointDocument, { id: endpoint.id, input: { enabled: true } }, u.token);
    const [delivered] = await until(() => deliveries(u, endpoint.id), (list) => list[0]?.status === 'SUCCEEDED');
    expect(delivered.attemptCount).toBe(2);
  });

  it('a failed attempt recorded while its owner enables the endpoint is due again: recording reads the endpoint under a lock the enabling waits for', async () => {
    const u = await t.signUp();
    const r = await receivers.start();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    r.onReceipt = (receipt) => (receipt === r.receipts[0] ? held : undefined);
    r.answer = (_receipt, attempt) => (attempt === 1 ? 500 : 200);
    const endpoint = await endpointFor(u, r.url, ['WALLET_PAUSED']);
    await t.chargeOk(u, { quantity: 100 }); // paused
    await until(() => r.receipts.length, (n) => n === 1);
    await t.ok(UpdateWebhookEndpointDocument, { id: endpoint.id, input: { enabled: false } }, u.token);
    const paused = r.receipts[0].id;
    let enabling!: Promise<unknown>;
    // The test locks the delivery, so recording the refused attempt waits once its statement has
    // begun (its snapshot still sees the endpoint DISABLED); the owner enables the endpoint then.
    // Recording reads the endpoint under a lock, so the enabling waits for it (and then finds the
    // delivery no longer in flight); without that lock the enabling commits first, skipping the
    // delivery as in flight, and recording sets no next attempt from its snapshot.
    await whileLocked(
      ['select 1 from webhook_delivery where event_id = $1 for update', [paused]],
      () => {
        release(); // the receiver answers 500
        return [];
      },
      1,
      async (c) => {
        let settled = false;
        enabling = t.ok(UpdateWebhookEndpointDocument, { id: endpoint.id, input: { enabled: true } }, u.token);
        void enabling.then(
          () => (settled = true),
          () => (settled = true),
        );
        // Committed, or waiting for a statement (the recording) that waits for the test's lock.
        const behindTheRecording = async () => {
          await c.query('select pg_stat_clear_snapshot()');
          const sql = `select exists (select 1 from pg_stat_activity a, unnest(pg_blocking_pids(a.pid)) b(pid) where a.datname = current_database() and pg_backend_pid() = any(pg_blocking_pids(b.pid))) as behind`;
          return (await c.query<{ behind: boolean }>(sql)).rows[0].behind;
        };
        await until(async () => settled || (await behindTheRecording()), Boolean);
      },
    );
    await enabling;
    const [recorded] = await until(() => deliveries(u, endpoint.id), (list) => (list[0]?.attempts.length ?? 0) >= 1);
    expect([recorded.status, recorded.nextAttemptAt]).not.toEqual(['PENDING', null]);
    const [delivered] = await until(() => deliveries(u, endpoint.id), (list) => list[0]?.status === 'SUCCEEDED');
    expect(delivered.attemptCount).toBe(2);
    expect(delivered.attempts.map((attempt) => attempt.statusCode)).toEqual([500, 200]);
  });

  it('concurrent replays of one delivery queue one new delivery, and all of them answer it', async () => {
    const u = await t.signUp();
    const r = await receivers.start();
    const endpoint = await endpointFor(u, r.url, ['WALLET_PAUSED']);
    await t.chargeOk(u, { quantity: 100 });
    const [delivered] = await until(() => deliveries(u, endpoint.id), (list) => list[0]?.status === 'SUCCEEDED');
    // Disabled, so the replay stays PENDING (a replay once sent is settled, and the next one is a new delivery).
    await t.ok(UpdateWebhookEndpointDocument, { id: endpoint.id, input: { enabled: false } }, u.token);
    const replay = () => t.ok(ReplayWebhookDeliveryDocument, { id: delivered.id }, u.token);
    // The test locks the delivery being replayed: each replay's insert references it and waits, so all four overlap.
    const replays = await whileLocked(['select 1 from webhook_delivery where id = $1 for update', [delivered.id]], () => [replay(), replay(), replay(), replay()], 4);
    const ids = new Set(replays.map((answer) => answer.replayWebhookDelivery.id));
    expect(ids.size).toBe(1);
    const rows = await withSql(t.dbUrl, async (c) => (await c.query('select id, replay_of from webhook_delivery where event_id = $1 order by seq', [delivered.eventId])).rows);
    expect(rows).toEqual([
      { id: delivered.id, replay_of: null },
      { id: [...ids][0], replay_of: delivered.id },
    ]);
    await t.ok(UpdateWebhookEndpointDocument, { id: endpoint.id, input: { enabled: true } }, u.token);
    await until(() => deliveries(u, endpoint.id), (list) => list.every((delivery) => delivery.status === 'SUCCEEDED'));
    expect(r.receipts.map((receipt) => receipt.id)).toEqual([delivered.eventId, delivered.eventId]);
  });
});
