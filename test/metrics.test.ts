import { randomBytes, randomUUID } from 'node:crypto';
import { startTestApp, type TestApp } from './helpers/app';
import { withSql } from './helpers/db';
import { parsePrometheusText, valueOf, type Family } from './helpers/prometheus';
import { Recorder, pool, sharedJwtEnv, sleep } from './helpers/subscriptions';
import { BalanceChangedDocument } from './generated/graphql';

// GET /metrics on a real server: the text parses strictly, counters and histograms move by exactly
// what the test did, gauges follow sockets and subscriptions, production protection holds, and
// client-chosen operation names cannot grow the label set without bound.
const jwt = sharedJwtEnv();
const env = { PRICE_BOOK: 'influgen', SIGNUP_BONUS: '100', EMAIL_POLL_MS: '3600000', ...jwt };
let a: TestApp;
const started: TestApp[] = [];
const clients: { dispose(): unknown }[] = [];

beforeAll(async () => {
  a = await startTestApp(env);
});
afterAll(async () => {
  for (const client of clients) await client.dispose();
  for (const app of started) await app.stop();
  await a.stop();
});

async function startExtra(extra: Record<string, string>, opts: { dbUrl?: string } = {}): Promise<TestApp> {
  const app = await startTestApp({ ...env, ...extra }, opts);
  started.push(app);
  return app;
}

const metricsUrl = (t: TestApp, port?: number) => (port === undefined ? t.url.replace(/\/graphql$/, '/metrics') : `http://127.0.0.1:${port}/metrics`);

async function scrape(t: TestApp, opts: { token?: string; port?: number } = {}): Promise<Map<string, Family>> {
  const res = await fetch(metricsUrl(t, opts.port), { headers: opts.token ? { authorization: `Bearer ${opts.token}` } : {} });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await res.text());
}

/** Polls `read` until `done` holds (a loaded machine may take a moment to close a socket). */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await sleep(50);
  }
}

describe('GET /metrics', () => {
  it('answers the Prometheus text format with every documented family and the default process metrics', async () => {
    const families = await scrape(a);
    const expected: Record<string, Family['type']> = {
      credits_http_requests_total: 'counter',
      credits_http_request_duration_seconds: 'histogram',
      credits_graphql_operations_total: 'counter',
      credits_graphql_operation_duration_seconds: 'histogram',
      credits_ledger_batch_operations: 'histogram',
      credits_ledger_batch_duration_seconds: 'histogram',
      credits_ledger_commit_duration_seconds: 'histogram',
      credits_ledger_operations_total: 'counter',
      credits_ledger_queue_depth: 'gauge',
      credits_ledger_operations_in_flight: 'gauge',
      credits_websocket_connections: 'gauge',
      credits_subscriptions_active: 'gauge',
      credits_realtime_notify_delivery_lag_seconds: 'histogram',
      credits_realtime_notifies_sent_total: 'counter',
      credits_realtime_notifications_received_total: 'counter',
      credits_realtime_poll_repairs_total: 'counter',
      credits_outbox_depth: 'gauge',
      credits_outbox_oldest_age_seconds: 'gauge',
      credits_db_pool_connections: 'gauge',
      credits_db_pool_waiting: 'gauge',
      credits_db_pool_max: 'gauge',
      process_cpu_user_seconds_total: 'counter',
      process_resident_memory_bytes: 'gauge',
      nodejs_eventloop_lag_seconds: 'gauge',
      nodejs_heap_size_used_bytes: 'gauge',
    };
    for (const [name, type] of Object.entries(expected)) {
      expect({ name, type: families.get(name)?.type }).toEqual({ name, type });
      expect(families.get(name)!.help).toBeTruthy();
    }
    expect(valueOf(families, 'credits_db_pool_max')).toBe(10); // DB_POOL_SIZE of the test apps
    const used = valueOf(families, 'credits_db_pool_connections', { state: 'used' });
    const idle = valueOf(families, 'credits_db_pool_connections', { state: 'idle' });
    expect(used + idle).toBeLessThanOrEqual(10);
    expect(used).toBeGreaterThanOrEqual(0);
    expect(valueOf(families, 'credits_ledger_queue_depth')).toBe(0);
    expect(valueOf(families, 'credits_ledger_operations_in_flight')).toBe(0);
  });

  it('counts N charges exactly: HTTP and GraphQL counters, ledger operations, and the batch histogram sums to N', async () => {
    const u = await a.signUp();
    const before = await scrape(a);
    const n = 24;
    const results = await Promise.all(Array.from({ length: n }, () => a.charge(u)));
    expect(results.every((r) => !r.errors && r.status === 200)).toBe(true);
    const refused = await a.charge(u, { quantity: 1000 }); // 1000 captions at 1 credit each: more than the 76 left
    expect(refused.errors?.[0]?.extensions?.code).toBe('INSUFFICIENT_CREDITS');
    const after = await scrape(a);
    const delta = (name: string, labels: Record<string, string> = {}) => valueOf(after, name, labels) - valueOf(before, name, labels);

    expect(delta('credits_http_requests_total', { method: 'POST', route: '/graphql', status: '200' })).toBe(n + 1);
    expect(delta('credits_http_requests_total', { method: 'GET', route: '/metrics', status: '200' })).toBe(1); // the first scrape
    expect(delta('credits_http_request_duration_seconds_count', { method: 'POST', route: '/graphql' })).toBe(n + 1);
    expect(delta('credits_graphql_operations_total', { operation_name: 'ChargeUsage', operation_type: 'mutation', result: 'ok' })).toBe(n);
    expect(delta('credits_graphql_operations_total', { operation_name: 'ChargeUsage', operation_type: 'mutation', result: 'error' })).toBe(1);
    expect(delta('credits_graphql_operation_duration_seconds_count', { operation_name: 'ChargeUsage', operation_type: 'mutation' })).toBe(n + 1);

    expect(delta('credits_ledger_operations_total', { result: 'ok' })).toBe(n);
    expect(delta('credits_ledger_operations_total', { result: 'INSUFFICIENT_CREDITS' })).toBe(1);
    // Every operation lands in exactly one batch: the sizes add up to N + 1, in at most N + 1 batches.
    expect(delta('credits_ledger_batch_operations_sum')).toBe(n + 1);
    const batches = delta('credits_ledger_batch_operations_count');
    expect(batches).toBeGreaterThanOrEqual(2); // the refused one ran alone, after the others
    expect(batches).toBeLessThanOrEqual(n + 1);
    const committed = delta('credits_ledger_batch_duration_seconds_count', { outcome: 'committed' });
    expect(committed + delta('credits_ledger_batch_duration_seconds_count', { outcome: 'nothing-written' })).toBe(batches);
    expect(delta('credits_ledger_batch_duration_seconds_count', { outcome: 'nothing-written' })).toBe(1);
    expect(delta('credits_ledger_commit_duration_seconds_count')).toBe(committed);
    expect(delta('credits_ledger_batch_duration_seconds_sum', { outcome: 'committed' })).toBeGreaterThan(0);
  });

  it('shows a socket and its subscription in the gauges, and neither once it closes', async () => {
    const u = await a.signUp();
    // Sockets of earlier tests in this file may still be closing.
    const baseline = await eventually(
      () => scrape(a),
      (families) => valueOf(families, 'credits_websocket_connections') === 0,
    );
    expect(valueOf(baseline, 'credits_websocket_connections')).toBe(0);
    const client = a.ws(u.token);
    clients.push(client);
    const rec = Recorder.start(client, BalanceChangedDocument, { afterVersion: '0' });
    await rec.waitFor(() => true);
    const open = await scrape(a);
    expect(valueOf(open, 'credits_websocket_connections')).toBe(1);
    expect(valueOf(open, 'credits_subscriptions_active', { subscription: 'balanceChanged' })).toBe(1);
    expect(valueOf(open, 'credits_subscriptions_active', { subscription: 'messageAdded' })).toBe(0);

    await client.dispose();
    const closed = await eventually(
      () => scrape(a),
      (families) => valueOf(families, 'credits_websocket_connections') === 0 && valueOf(families, 'credits_subscriptions_active', { subscription: 'balanceChanged' }) === 0,
    );
    expect(valueOf(closed, 'credits_websocket_connections')).toBe(0);
    expect(valueOf(closed, 'credits_subscriptions_active', { subscription: 'balanceChanged' })).toBe(0);
  });

  it('keeps operation-name labels bounded: 1,000 random names add at most METRICS_MAX_OPERATION_NAMES, the rest are "(other)"; anonymous callers take no slot', async () => {
    const t = await startExtra({ METRICS_MAX_OPERATION_NAMES: '20' });
    const u = await t.signUp();
    // Unauthenticated callers first: their names must not use the slots up.
    const unauthenticated = Array.from({ length: 5 }, () => `Anon_${randomBytes(8).toString('hex')}`);
    for (const name of unauthenticated) expect((await t.gql(`query ${name} { __typename }`)).status).toBe(200);
    await pool(1000, 16, async () => {
      const r = await t.gql(`query Op_${randomBytes(8).toString('hex')} { __typename }`, undefined, u.token);
      expect(r.status).toBe(200);
    });
    await t.gql('query { __typename }');
    await t.gql('query Broken { nope }'); // fails validation: never a name label
    const families = await scrape(t);
    const names = new Set(families.get('credits_graphql_operations_total')!.samples.map((sample) => sample.labels.operation_name));
    expect(names.size).toBeLessThanOrEqual(20 + 3);
    expect(names.has('Broken')).toBe(false);
    expect(unauthenticated.filter((name) => names.has(name))).toEqual([]);
    expect([...names].filter((name) => name.startsWith('Op_'))).toHaveLength(20);
    expect(valueOf(families, 'credits_graphql_operations_total', { operation_name: '(other)', operation_type: 'query', result: 'ok' })).toBe(5 + 1000 - 20);
    expect(valueOf(families, 'credits_graphql_operations_total', { operation_name: '(anonymous)', operation_type: 'query', result: 'ok' })).toBe(1);
    expect(valueOf(families, 'credits_graphql_operations_total', { operation_name: '(unresolved)', operation_type: 'unknown', result: 'error' })).toBe(1);
    const histogramNames = new Set(families.get('credits_graphql_operation_duration_seconds')!.samples.map((sample) => sample.labels.operation_name));
    expect(histogramNames.size).toBeLessThanOrEqual(20 + 3);
    const routes = new Set(families.get('credits_http_requests_total')!.samples.map((sample) => sample.labels.route));
    expect([...routes].sort()).toEqual(['/graphql']);
    await fetch(t.url.replace(/\/graphql$/, `/random-${randomBytes(4).toString('hex')}`));
    const probed = await scrape(t);
    expect(valueOf(probed, 'credits_http_requests_total', { method: 'GET', route: 'other', status: '404' })).toBe(1);
  });

  it('reports the email outbox depth and the age of its oldest row; the webhook outbox when its table exists', async () => {
    const u = await a.signUp();
    await withSql(a.dbUrl, (db) =>
      db.query(`insert into email_outbox (id, account_id, to_address, subject, body, created_at, next_attempt_at)
                values ($1, $2, 'someone@test.dev', 'Low credits', 'body', now() - interval '90 seconds', now() + interval '1 hour')`, [randomUUID(), u.accountId]),
    );
    const families = await scrape(a);
    expect(valueOf(families, 'credits_outbox_depth', { outbox: 'email' })).toBe(1);
    expect(valueOf(families, 'credits_outbox_oldest_age_seconds', { outbox: 'email' })).toBeGreaterThanOrEqual(90);
    const webhookTable = await withSql(a.dbUrl, async (db) => (await db.query(`select to_regclass('webhook_delivery') is not null as present`)).rows[0].present as boolean);
    const webhookSeries = families.get('credits_outbox_depth')!.samples.some((sample) => sample.labels.outbox === 'webhook');
    expect(webhookSeries).toBe(webhookTable);
    if (webhookTable) expect(valueOf(families, 'credits_outbox_depth', { outbox: 'webhook' })).toBe(0);
  });

  it('measures NOTIFY-to-delivery lag on the instance whose subscriber was told by another instance', async () => {
    const b = await startExtra({ REALTIME_POLL_MS: '60000' }, { dbUrl: a.dbUrl }); // the NOTIFY, not the repair poll, delivers here
    const u = await a.signUp();
    const client = b.ws(u.token);
    clients.push(client);
    const rec = Recorder.start(client, BalanceChangedDocument, { afterVersion: '0' });
    await rec.waitFor(() => true);
    const before = await scrape(b);
    const sent = await scrape(a);
    expect((await a.charge(u)).errors).toBeUndefined();
    await rec.waitFor((event) => event.balanceChanged.balance === '99');
    const after = await eventually(
      () => scrape(b),
      (families) => valueOf(families, 'credits_realtime_notify_delivery_lag_seconds_count') > valueOf(before, 'credits_realtime_notify_delivery_lag_seconds_count'),
    );
    const delivered = valueOf(after, 'credits_realtime_notify_delivery_lag_seconds_count') - valueOf(before, 'credits_realtime_notify_delivery_lag_seconds_count');
    expect(delivered).toBeGreaterThanOrEqual(1);
    const lag = valueOf(after, 'credits_realtime_notify_delivery_lag_seconds_sum') - valueOf(before, 'credits_realtime_notify_delivery_lag_seconds_sum');
    expect(lag / delivered).toBeLessThan(2); // the contract's bound for a connected subscriber
    expect(valueOf(after, 'credits_realtime_notifications_received_total')).toBeGreaterThan(valueOf(before, 'credits_realtime_notifications_received_total'));
    const published = await eventually(
      () => scrape(a),
      (families) => valueOf(families, 'credits_realtime_notifies_sent_total') > valueOf(sent, 'credits_realtime_notifies_sent_total'),
    );
    expect(valueOf(published, 'credits_realtime_notifies_sent_total')).toBeGreaterThan(valueOf(sent, 'credits_realtime_notifies_sent_total'));
  });
});

describe('protection', () => {
  const token = randomBytes(24).toString('hex');
  const get = (url: string, bearer?: string) => fetch(url, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });

  it('in production without METRICS_TOKEN, /metrics on the API port is 403', async () => {
    const t = await startExtra({ NODE_ENV: 'production' });
    const res = await get(metricsUrl(t));
    expect(res.status).toBe(403);
    expect(((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('FORBIDDEN');
  });

  it('with METRICS_TOKEN: 401 without it or with a wrong one, 200 with it', async () => {
    const t = await startExtra({ NODE_ENV: 'production', METRICS_TOKEN: token });
    const missing = await get(metricsUrl(t));
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(((await missing.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect((await get(metricsUrl(t), token.slice(1))).status).toBe(401);
    expect((await get(metricsUrl(t), `${token}x`)).status).toBe(401);
    const families = await scrape(t, { token });
    expect(families.get('credits_http_requests_total')?.type).toBe('counter');
  });

  it('with METRICS_PORT: served only on its own port (the API port has no /metrics), the token still required when set', async () => {
    const t = await startExtra({ NODE_ENV: 'production', METRICS_PORT: '0', METRICS_TOKEN: token });
    expect(t.app.metricsPort).toEqual(expect.any(Number));
    expect((await get(metricsUrl(t), token)).status).toBe(404);
    expect((await get(metricsUrl(t, t.app.metricsPort!))).status).toBe(401);
    const families = await scrape(t, { port: t.app.metricsPort!, token });
    expect(families.has('credits_db_pool_max')).toBe(true);
    expect((await get(metricsUrl(t, t.app.metricsPort!).replace('/metrics', '/graphql'), token)).status).toBe(404);

    const open = await startExtra({ NODE_ENV: 'production', METRICS_PORT: '0' });
    await scrape(open, { port: open.app.metricsPort! }); // the bind address is the protection here
  });

  it('METRICS=off serves no /metrics and installs nothing', async () => {
    const t = await startExtra({ METRICS: 'off' });
    expect((await get(metricsUrl(t))).status).toBe(404);
    expect(t.app.metricsPort).toBeNull();
  });
});
