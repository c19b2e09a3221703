import { randomUUID } from 'node:crypto';
import * as jose from 'jose';
import { parse } from 'graphql';
import { startTestApp, startTwoInstances, stopApps, errorCode, type TestApp, type TestUser } from './helpers/app';
import { withSql } from './helpers/db';
import { until } from './helpers/until';
import { Recorder, pool, sharedJwtEnv, sleep } from './helpers/subscriptions';
import { buildPayloads } from '../src/modules/realtime/realtime.hub';
import { MessageKind } from '../src/modules/alerts/message.entity';
import { AccountsService } from '../src/modules/accounts/accounts.service';
import { SupportedTimeZones } from '../src/db/time-zones';
import { Sql } from '../src/db/sql';
import { BalanceChangedDocument, CreateApiKeyDocument, MessageAddedDocument, UpdateSettingsDocument, type BalanceChangedSubscription } from './generated/graphql';

// Three instances on ONE database: A holds the subscribers, B charges and publishes, and C
// charges with publishing switched off (a publisher that dies between commit and NOTIFY).
const env = { PRICE_BOOK: 'influgen', SIGNUP_BONUS: '100', REALTIME_POLL_MS: '500', ...sharedJwtEnv() };
let a: TestApp;
let b: TestApp;
let c: TestApp;
const clients: { dispose(): unknown }[] = [];

beforeAll(async () => {
  [a, b] = await startTwoInstances(env);
  c = await startTestApp({ ...env, REALTIME_PUBLISH: 'off' }, { dbUrl: a.dbUrl });
});
afterAll(async () => {
  for (const cl of clients) await cl.dispose();
  await stopApps(a, b, c);
});

type Balance = BalanceChangedSubscription['balanceChanged'];

function watch(t: TestApp, token: string, vars: { afterVersion?: string; accountId?: string } = {}): Recorder<BalanceChangedSubscription> {
  const client = t.ws(token);
  clients.push(client);
  return Recorder.start(client, BalanceChangedDocument, vars);
}

const walletRow = (accountId: string) =>
  withSql(a.dbUrl, async (db) => (await db.query(`select id, version::text as version, balance::text as balance from wallet where account_id = $1`, [accountId])).rows[0]);

/** A subscription is live once it has delivered its catch-up event (afterVersion "0" < any version). */
async function liveWatch(t: TestApp, u: TestUser, accountId?: string): Promise<{ rec: Recorder<BalanceChangedSubscription>; first: Balance }> {
  const rec = watch(t, u.token, { afterVersion: '0', ...(accountId ? { accountId } : {}) });
  const first = (await rec.waitFor(() => true)).data.balanceChanged;
  return { rec, first };
}

describe('balanceChanged across instances', () => {
  it('delivers a charge made on instance B to a subscriber on instance A, with the new version', async () => {
    const u = await a.signUp();
    const { rec, first } = await liveWatch(a, u);
    expect(first).toMatchObject({ accountId: u.accountId, balance: '100', version: '1', cause: 'SIGNUP_BONUS', status: 'ACTIVE' });

    const notified = a.app.services.realtime.stats.notificationsReceived;
    const sent = Date.now();
    const r = await b.charge(u, { quantity: 3 });
    expect(r.errors).toBeUndefined();
    const e = await rec.waitFor((d) => d.balanceChanged.version === '2', 3000);
    expect(e.data.balanceChanged).toEqual({
      walletId: first.walletId,
      accountId: u.accountId,
      balance: '97',
      held: '0',
      spentThisMonth: '3',
      status: 'ACTIVE',
      version: '2',
      cause: 'USAGE',
      // The same state as the cacheable Wallet (normalized caches update me.wallet from it).
      wallet: { id: first.walletId, balance: '97', held: '0', version: '2', status: 'ACTIVE' },
    });
    // B published it: A received a notification for it (it may land just after the event, when A's
    // safety-net poll delivered the new version first).
    expect(e.at - sent).toBeLessThan(1000);
    await until(() => a.app.services.realtime.stats.notificationsReceived, (n) => n > notified, 2000);
    expect(rec.events).toHaveLength(2);
  });

  it('resumes with afterVersion: the first event is the current state, then later changes', async () => {
    const u = await a.signUp();
    for (let i = 0; i < 3; i++) expect((await b.charge(u)).errors).toBeUndefined();
    // The client last saw version 2; the wallet is at 4 now.
    const t0 = Date.now();
    const rec = watch(a, u.token, { afterVersion: '2' });
    const first = await rec.waitFor(() => true, 2000);
    expect(first.at - t0).toBeLessThan(1000);
    expect(first.data.balanceChanged).toMatchObject({ version: '4', balance: '97' });
    await b.charge(u);
    await rec.waitFor((d) => d.balanceChanged.version === '5');
    expect(rec.events.map((e) => e.data.balanceChanged.version)).toEqual(['4', '5']);

    // Up to date (afterVersion = current): nothing until the next change.
    const quiet = watch(a, u.token, { afterVersion: '5' });
    await sleep(700);
    expect(quiet.events).toHaveLength(0);
    await b.charge(u);
    expect((await quiet.waitFor(() => true)).data.balanceChanged.version).toBe('6');
  });

  it('delivers strictly increasing versions of committed states only, converging on the final state under a burst', async () => {
    const u = await a.signUp();
    const { rec } = await liveWatch(a, u);
    const results = await pool(40, 16, (i) => (i % 2 ? b : c).charge(u, { quantity: (i % 3) + 1 }));
    expect(results.filter((r) => r.errors)).toHaveLength(0);
    const final = await walletRow(u.accountId);
    expect(final.version).toBe('41');
    await rec.waitFor((d) => d.balanceChanged.version === final.version, 3000);

    const versions = rec.events.map((e) => BigInt(e.data.balanceChanged.version));
    for (let i = 1; i < versions.length; i++) expect(versions[i] > versions[i - 1]).toBe(true);
    // Every event is exactly the state some committed transaction left behind.
    const ledger = await withSql(a.dbUrl, (db) =>
      db.query(`select wallet_version::text as v, balance_after::text as b from ledger_transaction where account_id = $1`, [u.accountId]),
    );
    const committed = new Map(ledger.rows.map((r) => [r.v, (Number(r.b) / 1e6).toString()]));
    for (const e of rec.events) expect(committed.get(e.data.balanceChanged.version)).toBe(e.data.balanceChanged.balance);
    expect(rec.events[rec.events.length - 1].data.balanceChanged.balance).toBe((Number(final.balance) / 1e6).toString());
  });

  it('sends nothing for a charge that fails (rolled back), and the next real change follows it directly', async () => {
    const u = await a.signUp();
    const { rec } = await liveWatch(a, u);
    const failed = await b.charge(u, { quantity: 500 }); // 500 credits > 100: INSUFFICIENT_CREDITS
    expect(errorCode(failed)).toBe('INSUFFICIENT_CREDITS');
    await sleep(1200); // longer than two repair polls
    expect(rec.events).toHaveLength(1);
    await b.charge(u, { quantity: 2 });
    const e = await rec.waitFor((d) => d.balanceChanged.version === '2');
    expect(e.data.balanceChanged.balance).toBe('98');
    expect(rec.events).toHaveLength(2);
  });

  it('still delivers within 2 s when the instance that committed never publishes (crash between commit and NOTIFY)', async () => {
    const u = await a.signUp();
    const { rec } = await liveWatch(a, u);
    const repairsBefore = a.app.services.realtime.stats.pollRepairs;
    const sent = Date.now();
    const r = await c.charge(u, { quantity: 4 }); // C has REALTIME_PUBLISH=off: no NOTIFY is ever sent
    expect(r.errors).toBeUndefined();
    const e = await rec.waitFor((d) => d.balanceChanged.version === '2', 2000);
    expect(e.at - sent).toBeLessThan(2000);
    expect(e.data.balanceChanged.balance).toBe('96');
    // It came through A's version poll, not a notification.
    expect(a.app.services.realtime.stats.pollRepairs).toBeGreaterThan(repairsBefore);
  });

  it('a budget cap change that moves the status is a change of its own: the next version, cause null, through the notification or the poll', async () => {
    const u = await a.signUp();
    await b.chargeOk(u, { quantity: 3 });
    const { rec, first } = await liveWatch(a, u);
    expect(first).toMatchObject({ version: '2', status: 'ACTIVE', cause: 'USAGE' });
    // B publishes; C never does (its change reaches A through the version poll).
    await b.ok(UpdateSettingsDocument, { input: { monthlyBudgetCap: '3' } }, u.token);
    const capped = (await rec.waitFor((d) => d.balanceChanged.version === '3', 2000)).data.balanceChanged;
    expect(capped).toMatchObject({ balance: '97', spentThisMonth: '3', status: 'CAPPED', cause: null, wallet: { version: '3', status: 'CAPPED' } });
    await c.ok(UpdateSettingsDocument, { input: { monthlyBudgetCap: '10' } }, u.token);
    const raised = (await rec.waitFor((d) => d.balanceChanged.version === '4', 2000)).data.balanceChanged;
    expect(raised).toMatchObject({ balance: '97', status: 'ACTIVE', cause: null });
    // A setting the wallet does not show (the burn threshold) takes no version: the next event is the next charge.
    await b.ok(UpdateSettingsDocument, { input: { burnAlertThreshold: '50' } }, u.token);
    await b.chargeOk(u, { quantity: 1 });
    await rec.waitFor((d) => d.balanceChanged.version === '5', 2000);
    expect(rec.events.map((e) => [e.data.balanceChanged.version, e.data.balanceChanged.cause])).toEqual([
      ['2', 'USAGE'],
      ['3', null],
      ['4', null],
      ['5', 'USAGE'],
    ]);
    expect((await walletRow(u.accountId)).version).toBe('5');
  });

  it('the version of a cap change commits with it: without the review that publishes it, the poll delivers it', async () => {
    const u = await a.signUp();
    const { rec } = await liveWatch(a, u);
    // The settings service alone, with no ledger review after its commit (as if its instance died there).
    const accounts = new AccountsService(b.app.services.orm, new SupportedTimeZones(new Sql(b.app.services.orm)));
    await accounts.updateSettings(u.accountId, { monthlyBudgetCap: 0n });
    const e = (await rec.waitFor((d) => d.balanceChanged.version === '2', 2000)).data.balanceChanged;
    expect(e).toMatchObject({ balance: '100', status: 'CAPPED', cause: null });
  });

  it('a month that ended with spend is delivered without waiting for a charge: spend 0 and CAPPED becomes ACTIVE, at one new version', async () => {
    const u = await a.signUp();
    await b.chargeOk(u, { quantity: 3 });
    await b.ok(UpdateSettingsDocument, { input: { monthlyBudgetCap: '3' } }, u.token);
    const { rec, first } = await liveWatch(a, u);
    expect(first).toMatchObject({ version: '3', status: 'CAPPED', spentThisMonth: '3' });
    // As if the account's local midnight of the 1st had passed while no instance ran: the stored
    // spend is of an earlier month. An instance that starts scans for such wallets at once (later,
    // only while some time zone is turning a month: worldMonth).
    await withSql(a.dbUrl, (db) => db.query(`update wallet set spent_month = '2000-01' where account_id = $1`, [u.accountId]));
    const d = await startTestApp(env, { dbUrl: a.dbUrl });
    try {
      const turned = (await rec.waitFor((data) => data.balanceChanged.version === '4', 3000)).data.balanceChanged;
      expect(turned).toMatchObject({ balance: '97', spentThisMonth: '0', status: 'ACTIVE', cause: null });
      // Its sweep runs every 200 ms; the turned wallet no longer matches, and the lock re-checks the month.
      await sleep(600);
      expect((await walletRow(u.accountId)).version).toBe('4');
      expect(rec.events.map((e) => e.data.balanceChanged.version)).toEqual(['3', '4']);
    } finally {
      await d.stop();
    }
  });

  it('survives losing its LISTEN connection: the poll covers the gap, then it reconnects and listens again', async () => {
    const u = await a.signUp();
    const { rec } = await liveWatch(a, u);
    const listeners = () =>
      withSql(a.dbUrl, async (db) => (await db.query(`select count(*)::int as n from pg_stat_activity where application_name like 'credits-realtime-listen:%' and datname = current_database()`)).rows[0].n);
    expect(await listeners()).toBe(3);
    await withSql(a.dbUrl, (db) => db.query(`select pg_terminate_backend(pid) from pg_stat_activity where application_name like 'credits-realtime-listen:%' and datname = current_database()`));
    const sent = Date.now();
    await b.charge(u, { quantity: 5 });
    const e = await rec.waitFor((d) => d.balanceChanged.version === '2', 2000);
    expect(e.at - sent).toBeLessThan(2000);
    // Reconnected (about 1 s later) on all three instances; notifications flow again.
    await sleep(1500);
    expect(await listeners()).toBe(3);
    const received = a.app.services.realtime.stats.notificationsReceived;
    await b.charge(u, { quantity: 1 });
    await rec.waitFor((d) => d.balanceChanged.version === '3', 2000);
    expect(a.app.services.realtime.stats.notificationsReceived).toBeGreaterThan(received);
  });

  it("never delivers another account's balance, and only admins may watch another account", async () => {
    const [u1, u2] = [await a.signUp(), await a.signUp()];
    const { rec, first } = await liveWatch(a, u1);
    await Promise.all(Array.from({ length: 10 }, () => b.charge(u2)));
    await b.charge(u1);
    await rec.waitFor((d) => d.balanceChanged.version === '2');
    await sleep(600);
    expect(rec.events.every((e) => e.data.balanceChanged.walletId === first.walletId && e.data.balanceChanged.accountId === u1.accountId)).toBe(true);
    expect(rec.events).toHaveLength(2);

    const denied = watch(a, u1.token, { accountId: u2.accountId });
    await denied.ended();
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(denied.events).toHaveLength(0);

    const admin = await a.admin();
    const { first: seen } = await liveWatch(a, admin, u2.accountId);
    expect(seen).toMatchObject({ accountId: u2.accountId, version: '11', balance: '90' });
  });

  it('requires WALLET_READ for API keys', async () => {
    const u = await a.signUp();
    const writeOnly = (await a.ok(CreateApiKeyDocument, { name: 'pipeline', scopes: ['USAGE_WRITE'] }, u.token)).createApiKey.secret;
    const reader = (await a.ok(CreateApiKeyDocument, { name: 'dashboard', scopes: ['WALLET_READ'] }, u.token)).createApiKey.secret;
    const denied = watch(a, writeOnly, { afterVersion: '0' });
    await denied.ended();
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const ok = watch(a, reader, { afterVersion: '0' });
    expect((await ok.waitFor(() => true)).data.balanceChanged.accountId).toBe(u.accountId);
  });

  it('rejects a malformed afterVersion with BAD_USER_INPUT', async () => {
    const u = await a.signUp();
    const rec = watch(a, u.token, { afterVersion: 'abc' });
    await rec.ended();
    expect(rec.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('WebSocket authentication and limits', () => {
  it('refuses a socket without credentials (4403) and closes one whose access token expires (4419, which the stock client retries)', async () => {
    const anonymous = watch(a, '', { afterVersion: '0' });
    await anonymous.ended();
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('4403');

    const u = await a.signUp();
    const key = await jose.importPKCS8(env.JWT_PRIVATE_KEY, 'ES256');
    const now = Math.floor(Date.now() / 1000);
    const sid = JSON.parse(Buffer.from(u.token.split('.')[1], 'base64url').toString()).sid as string;
    const shortLived = await new jose.SignJWT({ role: 'USER', sid })
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
      .setSubject(u.accountId)
      .setIssuer(a.config.jwt.issuer)
      .setAudience(a.config.jwt.audience)
      .setIssuedAt(now)
      .setExpirationTime(now + 2)
      .sign(key);
    const rec = watch(a, shortLived, { afterVersion: '0' });
    expect((await rec.waitFor(() => true)).data.balanceChanged.version).toBe('1');
    await rec.ended(5000);
    expect(rec.errors?.[0]?.extensions?.code).toBe('4419');
  });

  it('applies the alias limit to subscription documents', async () => {
    const u = await a.signUp();
    const client = a.ws(u.token);
    clients.push(client);
    const aliases = Array.from({ length: 16 }, (_, i) => `v${i}: version`).join(' ');
    const rec = Recorder.start(client, parse(`subscription { balanceChanged(afterVersion: "0") { ${aliases} } }`) as never);
    await rec.ended();
    expect(rec.events).toHaveLength(0);
    expect(rec.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('messageAdded across instances', () => {
  it('delivers a message added on instance B (billing notify) to a subscriber on instance A', async () => {
    const u = await a.signUp();
    const client = a.ws(u.token);
    clients.push(client);
    const rec = Recorder.start(client, MessageAddedDocument);
    await sleep(300); // let the subscription register (messages have no catch-up argument)
    const m = await b.app.services.messages.notify(u.accountId, MessageKind.PURCHASE_COMPLETED, 'Purchase completed', '100 credits were added.', { credits: '100' });
    const e = await rec.waitFor(() => true, 2000);
    expect(e.data.messageAdded).toMatchObject({ id: m.id, kind: 'PURCHASE_COMPLETED', title: 'Purchase completed', read: false, data: { credits: '100' } });
  });
});

describe('NOTIFY payloads', () => {
  it('splits many changed wallets into payloads under 8000 bytes without losing any', () => {
    const wallets: [string, string][] = Array.from({ length: 1000 }, (_, i) => [randomUUID(), String(1_000_000_000 + i)]);
    const accounts = Array.from({ length: 300 }, () => randomUUID());
    const payloads = buildPayloads(wallets, accounts);
    expect(payloads.length).toBeGreaterThan(1);
    for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThan(8000);
    const parsed = payloads.map((p) => JSON.parse(p) as { w?: [string, string][]; a?: string[] });
    expect(parsed.flatMap((p) => p.w ?? [])).toEqual(wallets);
    expect(parsed.flatMap((p) => p.a ?? [])).toEqual(accounts);
  });
});
