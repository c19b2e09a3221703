import type { Client } from 'graphql-ws';
import { startTwoInstances, stopApps, errorCode, PASSWORD, type TestApp, type TestUser } from './helpers/app';
import { withSql } from './helpers/db';
import { RawSocket } from './helpers/raw-socket';
import { Recorder, sharedJwtEnv, sleep } from './helpers/subscriptions';
import { BalanceChangedDocument, ChangePasswordDocument, CreateApiKeyDocument, LogInDocument, LogOutDocument, MeDocument, RefreshTokenDocument, RevokeApiKeyDocument, type BalanceChangedSubscription } from './generated/graphql';

// Classes 6 and 8 of the hardening issue, on two instances sharing one database: credentials end
// when they are ended, everywhere, within a second; failed log-ins count across instances.
const env = { PRICE_BOOK: 'influgen', SIGNUP_BONUS: '1000', ...sharedJwtEnv() };
let a: TestApp;
let b: TestApp;
const clients: Client[] = [];
beforeAll(async () => {
  [a, b] = await startTwoInstances(env);
});
afterAll(async () => {
  for (const c of clients) await c.dispose();
  await stopApps(a, b);
});

/** A live balance subscription and the close code of its socket. */
async function liveSocket(t: TestApp, token: string) {
  let closedWith: number | null = null;
  // Not lazy: a lazy client closes its own socket (1000) as soon as its last subscription completes.
  const client = t.ws(token, { lazy: false, onNonLazyError: () => undefined, on: { closed: (e) => (closedWith = (e as { code: number }).code) } });
  clients.push(client);
  const rec = Recorder.start(client, BalanceChangedDocument, { afterVersion: '0' });
  await rec.waitFor(() => true);
  return { rec, closedWith: () => closedWith };
}

/** Milliseconds until `check` holds, polling every 20 ms; fails after `limitMs`. */
async function within(limitMs: number, check: () => Promise<boolean> | boolean): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > limitMs) throw new Error(`not within ${limitMs} ms`);
    await sleep(20);
  }
  return Date.now() - started;
}

describe('API key revocation', () => {
  it('refuses the key on the other instance within 1 s (it was accepted for 5 s from a cache), and no charge goes through after that', async () => {
    const u = await a.signUp();
    const key = (await a.ok(CreateApiKeyDocument, { name: 'pipeline', scopes: ['USAGE_WRITE', 'WALLET_READ'] }, u.token)).createApiKey;
    expect((await b.charge(key.secret)).errors).toBeUndefined(); // B has the key cached now
    await a.ok(RevokeApiKeyDocument, { id: key.apiKey.id }, u.token);
    const revokedAt = Date.now();
    // Charges keep coming at B for a second: the first refusal must come within 1 s, and from then on every one is refused.
    const outcomes: { at: number; ok: boolean }[] = [];
    while (Date.now() - revokedAt < 1200) {
      const r = await b.charge(key.secret);
      outcomes.push({ at: Date.now() - revokedAt, ok: !r.errors });
      if (r.errors) expect(errorCode(r)).toBe('UNAUTHENTICATED');
    }
    const firstRefusal = outcomes.findIndex((o) => !o.ok);
    expect(firstRefusal).toBeGreaterThanOrEqual(0);
    expect(outcomes[firstRefusal].at).toBeLessThan(1000);
    expect(outcomes.slice(firstRefusal).every((o) => !o.ok)).toBe(true);
    const charged = await withSql(a.dbUrl, (c) => c.query(`select count(*)::int as n from ledger_transaction where account_id = $1 and kind = 'USAGE' and created_at > to_timestamp($2 / 1000.0)`, [u.accountId, revokedAt + 1000]));
    expect(charged.rows[0].n).toBe(0);
  });

  it('an operation sent on its socket after the revocation never runs, though the client ignores the close frame; the connection is cut', async () => {
    const u = await a.signUp();
    const key = (await a.ok(CreateApiKeyDocument, { name: 'careless', scopes: ['USAGE_WRITE', 'WALLET_READ'] }, u.token)).createApiKey;
    const raw = await RawSocket.open(a.wsUrl, `Bearer ${key.secret}`);
    const charge = (id: string) =>
      raw.send({ id, type: 'subscribe', payload: { query: `mutation { chargeUsage(input: { feature: "caption", quantity: 1, idempotencyKey: "${id}" }) { transaction { id } } }` } });
    charge('before');
    expect(await raw.waitFor((m) => m.id === 'before')).toMatchObject({ type: 'next', payload: { data: { chargeUsage: { transaction: { id: expect.any(String) } } } } });

    await a.ok(RevokeApiKeyDocument, { id: key.apiKey.id }, u.token);
    charge('right-after'); // the revocation has answered; the close frame may not have come yet
    await within(1000, () => raw.closeCode === 4401);
    charge('after-close'); // a client that does not heed the close frame
    expect(await within(3000, () => raw.ended)).toBeLessThan(3000); // cut, not left open for ws's 30 s
    const keys = await withSql(a.dbUrl, (c) => c.query(`select idempotency_key from ledger_transaction where account_id = $1 and kind = 'USAGE' order by created_at`, [u.accountId]));
    expect(keys.rows.map((r) => r.idempotency_key)).toEqual(['before']);
  });

  it('completes the subscriptions and closes the sockets opened with it on both instances (4401), and only those', async () => {
    const u = await a.signUp();
    const key = (await a.ok(CreateApiKeyDocument, { name: 'dashboard', scopes: ['WALLET_READ'] }, u.token)).createApiKey;
    const onA = await liveSocket(a, key.secret);
    const onB = await liveSocket(b, key.secret);
    const session = await liveSocket(b, u.token);
    await a.ok(RevokeApiKeyDocument, { id: key.apiKey.id }, u.token);
    const took = await within(1000, () => onA.closedWith() === 4401 && onB.closedWith() === 4401);
    expect(took).toBeLessThan(1000);
    for (const s of [onA, onB]) {
      expect(s.rec.completed).toBe(true);
      expect(s.rec.errors).toBeNull(); // completed, not failed
    }
    // No balance reaches a revoked key's socket any more; the session's socket still gets it.
    await a.charge(u.token);
    await session.rec.waitFor((d) => d.balanceChanged.version === '2');
    expect(onB.rec.events.map((e) => e.data.balanceChanged.version)).toEqual(['1']);
    expect(session.closedWith()).toBeNull();
  });
});

describe('sessions end with log-out, password change and refresh-family revocation', () => {
  const logIn = async (t: TestApp, u: TestUser, password = PASSWORD) => (await t.ok(LogInDocument, { email: u.email, password })).logIn;

  it('log-out on A closes the sockets of that session on B and refuses its access token there', async () => {
    const u = await a.signUp();
    const session = await logIn(a, u);
    expect((await b.ok(MeDocument, {}, session.accessToken)).me.id).toBe(u.accountId); // cached on B
    const socket = await liveSocket(b, session.accessToken);
    const other = await liveSocket(b, u.token);
    await a.ok(LogOutDocument, { refreshToken: session.refreshToken });
    expect(await within(1000, () => socket.closedWith() === 4401)).toBeLessThan(1000);
    expect(errorCode(await b.gql(MeDocument, {}, session.accessToken))).toBe('UNAUTHENTICATED');
    expect(other.closedWith()).toBeNull();
    expect((await b.ok(MeDocument, {}, u.token)).me.id).toBe(u.accountId);
  });

  it("a password change on A ends every other session's sockets on B; the caller's session stays", async () => {
    const u = await a.signUp();
    const phone = await logIn(a, u);
    const phoneSocket = await liveSocket(b, phone.accessToken);
    const mine = await liveSocket(b, u.token);
    await a.ok(ChangePasswordDocument, { currentPassword: PASSWORD, newPassword: 'An0ther-Secret' }, u.token);
    expect(await within(1000, () => phoneSocket.closedWith() === 4401)).toBeLessThan(1000);
    expect(errorCode(await b.gql(MeDocument, {}, phone.accessToken))).toBe('UNAUTHENTICATED');
    await sleep(200);
    expect(mine.closedWith()).toBeNull();
    expect((await b.ok(MeDocument, {}, u.token)).me.id).toBe(u.accountId);
  });

  it('reusing a rotated refresh token revokes the family: its sockets close on B', async () => {
    const u = await a.signUp();
    const first = await logIn(a, u);
    const rotated = (await a.ok(RefreshTokenDocument, { refreshToken: first.refreshToken })).refreshToken;
    const socket = await liveSocket(b, rotated.accessToken);
    expect(errorCode(await a.gql(RefreshTokenDocument, { refreshToken: first.refreshToken }))).toBe('UNAUTHENTICATED'); // replay: theft
    expect(await within(1000, () => socket.closedWith() === 4401)).toBeLessThan(1000);
    expect(errorCode(await b.gql(MeDocument, {}, rotated.accessToken))).toBe('UNAUTHENTICATED');
  });
});

describe('caches are not trusted while the LISTEN connection is down', () => {
  it('an instance that lost its LISTEN connection (and so the NOTIFY) still refuses a key revoked meanwhile', async () => {
    const u = await a.signUp();
    const key = (await a.ok(CreateApiKeyDocument, { name: 'k', scopes: ['WALLET_READ'] }, u.token)).createApiKey;
    expect((await b.ok(MeDocument, {}, key.secret)).me.id).toBe(u.accountId); // cached on B
    await withSql(a.dbUrl, (c) => c.query(`select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1`, [`credits-realtime-listen:${b.app.instanceId}`]));
    // B notices the lost connection at once (its client ends); revoke while it is not listening.
    await sleep(100);
    await a.ok(RevokeApiKeyDocument, { id: key.apiKey.id }, u.token);
    expect(errorCode(await b.gql(MeDocument, {}, key.secret))).toBe('UNAUTHENTICATED');
    // And after B listens again (about 1 s), revocations reach it by NOTIFY as before.
    await within(5000, async () => (await withSql(a.dbUrl, (c) => c.query(`select count(*)::int as n from pg_stat_activity where application_name = $1`, [`credits-realtime-listen:${b.app.instanceId}`]))).rows[0].n === 1);
    const key2 = (await a.ok(CreateApiKeyDocument, { name: 'k2', scopes: ['WALLET_READ'] }, u.token)).createApiKey;
    expect((await b.ok(MeDocument, {}, key2.secret)).me.id).toBe(u.accountId);
    await a.ok(RevokeApiKeyDocument, { id: key2.apiKey.id }, u.token);
    expect(await within(1000, async () => errorCode(await b.gql(MeDocument, {}, key2.secret)) === 'UNAUTHENTICATED')).toBeLessThan(1000);
  });
});

describe('sockets whose revocation was never heard', () => {
  const listener = (t: TestApp) => `credits-realtime-listen:${t.app.instanceId}`;
  const listening = async (t: TestApp) => (await withSql(a.dbUrl, (c) => c.query(`select count(*)::int as n from pg_stat_activity where application_name = $1`, [listener(t)]))).rows[0].n === 1;

  it('a key and a session ended while B was not listening close their sockets on B once it listens again; the others stay', async () => {
    const u = await a.signUp();
    const key = (await a.ok(CreateApiKeyDocument, { name: 'k', scopes: ['WALLET_READ'] }, u.token)).createApiKey;
    const kept = (await a.ok(CreateApiKeyDocument, { name: 'kept', scopes: ['WALLET_READ'] }, u.token)).createApiKey;
    const session = (await a.ok(LogInDocument, { email: u.email, password: PASSWORD })).logIn;
    const keySocket = await liveSocket(b, key.secret);
    const keptSocket = await liveSocket(b, kept.secret);
    const sessionSocket = await liveSocket(b, session.accessToken);
    const mine = await liveSocket(b, u.token);
    // Ended as a revocation NOTIFYed while B's LISTEN connection was down would be: in the
    // database, never heard (B reconnects within a second by itself, too fast to revoke in between reliably).
    await withSql(a.dbUrl, async (c) => {
      await c.query('update api_key set revoked_at = now() where id = $1', [key.apiKey.id]);
      const sessionId = (JSON.parse(Buffer.from(session.accessToken.split('.')[1], 'base64url').toString()) as { sid: string }).sid;
      await c.query('update refresh_token set revoked_at = now() where family_id = $1', [sessionId]);
    });
    await sleep(300);
    expect([keySocket.closedWith(), sessionSocket.closedWith()]).toEqual([null, null]); // nothing told B
    await withSql(a.dbUrl, (c) => c.query(`select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1`, [listener(b)]));
    await within(2000, async () => !(await listening(b)));
    await within(5000, () => listening(b));
    await within(1000, () => keySocket.closedWith() === 4401 && sessionSocket.closedWith() === 4401);
    await a.charge(u.token);
    await mine.rec.waitFor((d) => d.balanceChanged.version === '2');
    await keptSocket.rec.waitFor((d) => d.balanceChanged.version === '2');
    expect(keySocket.rec.events.map((e) => e.data.balanceChanged.version)).toEqual(['1']);
    expect(keptSocket.closedWith()).toBeNull();
    expect(mine.closedWith()).toBeNull();
  });
});

describe('the login throttle is shared across instances (class 8)', () => {
  it('failures on A and B add up: N instances allow the same number of guesses as one', async () => {
    const limited = { ...env, LOGIN_MAX_FAILURES: '4', LOGIN_WINDOW_SECONDS: '60' };
    const [c, d] = await startTwoInstances(limited);
    try {
      const u = await c.signUp();
      const wrong = { email: u.email, password: 'Wrong-passw0rd' };
      // Alternate instances: two failures on each reach the limit of four.
      for (const t of [c, d, c, d]) expect(errorCode(await t.gql(LogInDocument, wrong))).toBe('INVALID_CREDENTIALS');
      for (const t of [c, d]) {
        const r = await t.gql(LogInDocument, { email: u.email, password: PASSWORD });
        expect(errorCode(r)).toBe('RATE_LIMITED');
        expect(r.errors![0].extensions!.retryAfterSeconds).toBeGreaterThan(0);
      }
      const rows = await withSql(c.dbUrl, (db) => db.query(`select key, points from login_throttle where key = $1`, [`email:${u.email}`]));
      expect(rows.rows).toEqual([{ key: `email:${u.email}`, points: 4 }]);
    } finally {
      await stopApps(c, d);
    }
  });

  it('rows expired over an hour ago are deleted; rows still counting, or expired less than an hour ago, are kept', async () => {
    const now = Date.now();
    const rows: [string, number][] = [
      ['email:cleanup-old@example.com', now - 2 * 3600_000],
      ['email:cleanup-recent@example.com', now - 10 * 60_000],
      ['ip:cleanup-live', now + 60_000],
    ];
    await withSql(a.dbUrl, async (db) => {
      for (const [key, expire] of rows) await db.query(`insert into login_throttle (key, points, expire) values ($1, 3, $2)`, [key, expire]);
    });
    await a.app.services.auth.deleteExpiredThrottleRows();
    const left = await withSql(a.dbUrl, (db) => db.query(`select key from login_throttle where key like '%cleanup%' order by key`));
    expect(left.rows.map((r: { key: string }) => r.key)).toEqual(['email:cleanup-recent@example.com', 'ip:cleanup-live']);
  });
});

export type { BalanceChangedSubscription };
