import 'reflect-metadata';
import * as jose from 'jose';
import { MikroORM } from '@mikro-orm/postgresql';
import { ormConfig } from '../src/db/mikro-orm.config';
import { startTestApp, errorCode, PASSWORD, type TestApp } from './helpers/app';
import { withSql } from './helpers/db';
import { sharedJwtEnv } from './helpers/subscriptions';
import {
  ApiKeysDocument,
  ChangePasswordDocument,
  CreateApiKeyDocument,
  LedgerCheckDocument,
  LogInDocument,
  LogOutDocument,
  MeDocument,
  RefreshTokenDocument,
  RevokeApiKeyDocument,
  SignUpDocument,
  UpdateSettingsDocument,
  WalletOnlyDocument,
} from './generated/graphql';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ LOGIN_MAX_FAILURES: '3', LOGIN_WINDOW_SECONDS: '60' });
});
afterAll(() => t.stop());

describe('sign-up', () => {
  it('creates the account and wallet and grants the sign-up bonus in the ledger', async () => {
    const u = await t.signUp({ timezone: 'Europe/Berlin' });
    const me = (await t.ok(MeDocument, {}, u.token)).me;
    expect(me.email).toBe(u.email);
    expect(me.timezone).toBe('Europe/Berlin');
    expect(me.role).toBe('USER');
    expect(me.wallet.balance).toBe('5');
    expect(me.wallet.version).toBe('1');
    expect(me.wallet.status).toBe('ACTIVE');
    expect(me.wallet.buckets).toEqual([expect.objectContaining({ source: 'SIGNUP_BONUS', granted: '5', remaining: '5', expiresAt: null })]);
    const rows = await withSql(t.dbUrl, (c) => c.query(`select kind, amount::text, balance_after::text, wallet_version::text from ledger_transaction where account_id = $1`, [u.accountId]));
    expect(rows.rows).toEqual([{ kind: 'SIGNUP_BONUS', amount: '5000000', balance_after: '5000000', wallet_version: '1' }]);
  });

  it('rejects weak passwords with WEAK_PASSWORD and creates nothing', async () => {
    for (const pw of ['short1A', 'alllowercase1', 'ALLUPPERCASE1', 'NoDigitsHere']) {
      const r = await t.gql(SignUpDocument, { input: { email: `weak-${pw}@test.dev`, password: pw } });
      expect(errorCode(r)).toBe('WEAK_PASSWORD');
    }
    const n = await withSql(t.dbUrl, (c) => c.query(`select count(*)::int as n from account where email like 'weak-%'`));
    expect(n.rows[0].n).toBe(0);
  });

  it('treats email case-insensitively: a duplicate is EMAIL_TAKEN', async () => {
    await t.signUp({ email: 'dup@test.dev' });
    const r = await t.gql(SignUpDocument, { input: { email: 'DUP@Test.dev', password: PASSWORD } });
    expect(errorCode(r)).toBe('EMAIL_TAKEN');
  });

  it('rejects an invalid timezone and email as BAD_USER_INPUT', async () => {
    expect(errorCode(await t.gql(SignUpDocument, { input: { email: 'tz@test.dev', password: PASSWORD, timezone: 'Mars/Olympus' } }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await t.gql(SignUpDocument, { input: { email: 'not-an-email', password: PASSWORD } }))).toBe('BAD_USER_INPUT');
  });

  it('accepts only time zones both Node and PostgreSQL know: a name retired from the tz database is BAD_USER_INPUT at sign-up and in settings, and changes nothing', async () => {
    // Node's ICU still accepts these links; PostgreSQL's tz database no longer has them, and the
    // account's timezone is used in SQL by every charge (the usage rollup).
    for (const timezone of ['US/Pacific-New', 'SystemV/EST5']) {
      const email = `retired-${timezone.replace(/\W/g, '')}@test.dev`;
      const refused = await t.gql(SignUpDocument, { input: { email, password: PASSWORD, timezone } });
      expect(errorCode(refused)).toBe('BAD_USER_INPUT');
      expect(refused.errors![0].message).toBe(`"${timezone}" is not a supported time zone: use a current IANA name, e.g. "America/Los_Angeles"`);
      const taken = await withSql(t.dbUrl, (db) => db.query('select 1 from account where email = $1', [email]));
      expect(taken.rows).toHaveLength(0);
    }
    const u = await t.signUp({ timezone: 'US/Eastern' }); // a link both know
    const moved = await t.gql(UpdateSettingsDocument, { input: { timezone: 'US/Pacific-New' } }, u.token);
    expect(errorCode(moved)).toBe('BAD_USER_INPUT');
    expect((await t.ok(MeDocument, {}, u.token)).me.timezone).toBe('US/Eastern');
    expect((await t.chargeOk(u, { feature: 'talking_head', quantity: 10 })).chargeUsage.wallet.version).toBe('2'); // the rollup's SQL converts in its zone
  });

  it('the migration moves an account saved with a retired zone name to the zone it was a link to; its charges then commit', async () => {
    const retired = await t.signUp();
    const current = await t.signUp({ timezone: 'Europe/Berlin' });
    // Written past the sign-up check, as an account saved before that check existed.
    await withSql(t.dbUrl, (db) => db.query(`update account set timezone = 'US/Pacific-New' where id = $1`, [retired.accountId]));
    const orm = await MikroORM.init({ ...ormConfig(t.dbUrl, 1), logger: () => undefined });
    try {
      const migrator = orm.getMigrator();
      const executed = (await migrator.getExecutedMigrations()).map((m) => m.name);
      const renames = executed.findIndex((name) => /Migration20261202180000/.test(name));
      expect(renames).toBeGreaterThan(0);
      await migrator.down({ to: executed[renames - 1] });
      await migrator.up();
    } finally {
      await orm.close(true);
    }
    expect((await t.ok(MeDocument, {}, retired.token)).me.timezone).toBe('America/Los_Angeles');
    expect((await t.ok(MeDocument, {}, current.token)).me.timezone).toBe('Europe/Berlin');
    expect((await t.chargeOk(retired, { feature: 'talking_head', quantity: 10 })).chargeUsage.wallet.version).toBe('2');
  });

  it('makes ADMIN_EMAILS accounts admins', async () => {
    const a = await t.admin();
    expect((await t.ok(MeDocument, {}, a.token)).me.role).toBe('ADMIN');
  });
});

describe('log-in, refresh rotation, log-out', () => {
  it('logs in with the right password only', async () => {
    const u = await t.signUp();
    const ok = await t.ok(LogInDocument, { email: u.email.toUpperCase(), password: PASSWORD });
    expect(ok.logIn.account.id).toBe(u.accountId);
    expect(errorCode(await t.gql(LogInDocument, { email: u.email, password: 'Wrong-passw0rd' }))).toBe('INVALID_CREDENTIALS');
    expect(errorCode(await t.gql(LogInDocument, { email: 'nobody@test.dev', password: PASSWORD }))).toBe('INVALID_CREDENTIALS');
  });

  it('rotates refresh tokens; reusing a rotated one revokes the whole family', async () => {
    const u = await t.signUp();
    const first = (await t.ok(RefreshTokenDocument, { refreshToken: u.refreshToken })).refreshToken;
    expect(first.refreshToken).not.toBe(u.refreshToken);
    expect((await t.ok(MeDocument, {}, first.accessToken)).me.id).toBe(u.accountId);
    // The old token no longer works, and presenting it is treated as theft...
    expect(errorCode(await t.gql(RefreshTokenDocument, { refreshToken: u.refreshToken }))).toBe('UNAUTHENTICATED');
    // ...so the newest token of the family is revoked too.
    expect(errorCode(await t.gql(RefreshTokenDocument, { refreshToken: first.refreshToken }))).toBe('UNAUTHENTICATED');
  });

  it('log-out revokes the refresh token', async () => {
    const u = await t.signUp();
    expect((await t.ok(LogOutDocument, { refreshToken: u.refreshToken })).logOut).toBe(true);
    expect(errorCode(await t.gql(RefreshTokenDocument, { refreshToken: u.refreshToken }))).toBe('UNAUTHENTICATED');
  });

  it('a log-out that races a refresh of the same session ends it: the refreshed token is revoked too', async () => {
    const users = await Promise.all(Array.from({ length: 20 }, () => t.signUp()));
    const raced = await Promise.all(
      users.map(async (u) => {
        const [refreshed] = await Promise.all([t.gql(RefreshTokenDocument, { refreshToken: u.refreshToken }), t.gql(LogOutDocument, { refreshToken: u.refreshToken })]);
        return { u, refreshed: refreshed.data?.refreshToken ?? null };
      }),
    );
    const live = await withSql(t.dbUrl, (c) => c.query(`select count(*)::int as n from refresh_token where account_id = any($1::uuid[]) and revoked_at is null`, [users.map((u) => u.accountId)]));
    expect(live.rows[0].n).toBe(0);
    // Where the refresh won the race, what it returned is dead too.
    for (const { refreshed } of raced.filter((r) => r.refreshed)) {
      expect(errorCode(await t.gql(RefreshTokenDocument, { refreshToken: refreshed!.refreshToken }))).toBe('UNAUTHENTICATED');
      expect(errorCode(await t.gql(MeDocument, {}, refreshed!.accessToken))).toBe('UNAUTHENTICATED');
    }
    expect(raced.filter((r) => r.refreshed).length).toBeGreaterThan(0); // the race was run, not avoided
  });

  it('changes the password with the policy enforced and ends other sessions', async () => {
    const u = await t.signUp();
    const other = (await t.ok(LogInDocument, { email: u.email, password: PASSWORD })).logIn; // a second session (another device)
    expect(errorCode(await t.gql(ChangePasswordDocument, { currentPassword: 'Wr0ngPassword', newPassword: 'N3wPassword!' }, u.token))).toBe('INVALID_CREDENTIALS');
    expect(errorCode(await t.gql(ChangePasswordDocument, { currentPassword: PASSWORD, newPassword: 'weak' }, u.token))).toBe('WEAK_PASSWORD');
    const same = await t.gql(ChangePasswordDocument, { currentPassword: PASSWORD, newPassword: PASSWORD }, u.token);
    expect([errorCode(same), same.errors?.[0]?.message]).toEqual(['BAD_USER_INPUT', 'the new password must differ from the current one']);
    expect((await t.ok(ChangePasswordDocument, { currentPassword: PASSWORD, newPassword: 'N3wPassword!' }, u.token)).changePassword).toBe(true);
    expect(errorCode(await t.gql(LogInDocument, { email: u.email, password: PASSWORD }))).toBe('INVALID_CREDENTIALS');
    await t.ok(LogInDocument, { email: u.email, password: 'N3wPassword!' });
    // The other session is over: its refresh token and its access token.
    expect(errorCode(await t.gql(RefreshTokenDocument, { refreshToken: other.refreshToken }))).toBe('UNAUTHENTICATED');
    expect(errorCode(await t.gql(MeDocument, {}, other.accessToken))).toBe('UNAUTHENTICATED');
    // The session that changed the password goes on.
    expect((await t.ok(MeDocument, {}, u.token)).me.id).toBe(u.accountId);
    expect((await t.ok(RefreshTokenDocument, { refreshToken: u.refreshToken })).refreshToken.account.id).toBe(u.accountId);
  });

  it("log-out ends the session's access tokens at once, not at their expiry", async () => {
    const u = await t.signUp();
    expect((await t.ok(MeDocument, {}, u.token)).me.id).toBe(u.accountId);
    await t.ok(LogOutDocument, { refreshToken: u.refreshToken });
    expect(errorCode(await t.gql(MeDocument, {}, u.token))).toBe('UNAUTHENTICATED');
  });
});

describe('access tokens', () => {
  const claims = { role: 'USER' };
  async function forge(opts: { alg?: string; iss?: string; aud?: string; exp?: number; sub: string }) {
    const { privateKey } = await jose.generateKeyPair('ES256');
    return new jose.SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256' })
      .setSubject(opts.sub)
      .setIssuer(opts.iss ?? t.config.jwt.issuer)
      .setAudience(opts.aud ?? t.config.jwt.audience)
      .setIssuedAt()
      .setExpirationTime(opts.exp ?? Math.floor(Date.now() / 1000) + 600)
      .sign(privateKey);
  }

  it('rejects missing, tampered, alg:none, foreign-key, expired, wrong-issuer and wrong-audience tokens', async () => {
    const u = await t.signUp();
    expect(errorCode(await t.gql(MeDocument, {}))).toBe('UNAUTHENTICATED');
    const [h, p, s] = u.token.split('.');
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...payload, role: 'ADMIN' })).toString('base64url')}.${s}`;
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${p}.`;
    const hs256 = await new jose.SignJWT(payload).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('a-guessed-shared-secret-of-32-bytes!'));
    const tokens = [
      tampered,
      none,
      hs256,
      await forge({ sub: u.accountId }), // signed by a key the server does not trust
      'garbage',
    ];
    for (const tok of tokens) expect(errorCode(await t.gql(MeDocument, {}, tok))).toBe('UNAUTHENTICATED');
  });

  it('rejects expired, wrong-issuer and wrong-audience tokens signed with the real key', async () => {
    const u = await t.signUp();
    // Sign with the server's own key through its token service, then alter claims and re-sign.
    const tokens = (t.app.services.auth as unknown as { tokens: { privateKey: CryptoKey } }).tokens;
    const key = (tokens as unknown as { privateKey: CryptoKey }).privateKey;
    // Access tokens name their session (sid, the refresh-token family); take the user's own.
    const sid = JSON.parse(Buffer.from(u.token.split('.')[1], 'base64url').toString()).sid as string;
    const base = () => new jose.SignJWT({ role: 'USER', sid }).setProtectedHeader({ alg: 'ES256' }).setSubject(u.accountId).setIssuedAt(Math.floor(Date.now() / 1000) - 3600);
    const expired = await base().setIssuer(t.config.jwt.issuer).setAudience(t.config.jwt.audience).setExpirationTime(Math.floor(Date.now() / 1000) - 60).sign(key);
    const wrongIss = await base().setIssuer('someone-else').setAudience(t.config.jwt.audience).setExpirationTime('10m').sign(key);
    const wrongAud = await base().setIssuer(t.config.jwt.issuer).setAudience('another-api').setExpirationTime('10m').sign(key);
    const noExp = await base().setIssuer(t.config.jwt.issuer).setAudience(t.config.jwt.audience).sign(key);
    const good = await base().setIssuer(t.config.jwt.issuer).setAudience(t.config.jwt.audience).setExpirationTime('10m').sign(key);
    const noSid = await new jose.SignJWT({ role: 'USER' }).setProtectedHeader({ alg: 'ES256' }).setSubject(u.accountId).setIssuedAt().setIssuer(t.config.jwt.issuer).setAudience(t.config.jwt.audience).setExpirationTime('10m').sign(key);
    for (const tok of [expired, wrongIss, wrongAud, noExp, noSid]) expect(errorCode(await t.gql(MeDocument, {}, tok))).toBe('UNAUTHENTICATED');
    // The control: the same construction with valid claims is accepted.
    expect((await t.ok(MeDocument, {}, good)).me.id).toBe(u.accountId);
  });

  it('says why a credential was refused: expired (refresh it), ended session (log in again), revoked key, not ours, no or another scheme', async () => {
    const u = await t.signUp();
    const key = (t.app.services.auth as unknown as { tokens: { privateKey: CryptoKey } }).tokens.privateKey;
    const sid = JSON.parse(Buffer.from(u.token.split('.')[1], 'base64url').toString()).sid as string;
    const expired = await new jose.SignJWT({ role: 'USER', sid }).setProtectedHeader({ alg: 'ES256' }).setSubject(u.accountId).setIssuedAt(Math.floor(Date.now() / 1000) - 3600)
      .setIssuer(t.config.jwt.issuer).setAudience(t.config.jwt.audience).setExpirationTime(Math.floor(Date.now() / 1000) - 60).sign(key);
    const created = (await t.ok(CreateApiKeyDocument, { name: 'soon revoked', scopes: ['WALLET_READ'] }, u.token)).createApiKey;
    await t.ok(RevokeApiKeyDocument, { id: created.apiKey.id }, u.token);
    const ended = await t.signUp();
    await t.ok(LogOutDocument, { refreshToken: ended.refreshToken });
    const refusal = async (authorization?: string) => {
      const res = await fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body: JSON.stringify({ query: '{ me { id } }' }) });
      const body = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
      return `${body.errors[0].extensions.code}: ${body.errors[0].message}`;
    };
    expect(await refusal()).toBe('UNAUTHENTICATED: Authentication required: send Authorization: Bearer <access token or API key>');
    expect(await refusal('Basic dXNlcjpwYXNz')).toBe('UNAUTHENTICATED: The Authorization header must be "Bearer <access token or API key>"');
    expect(await refusal(`Bearer ${expired}`)).toBe('UNAUTHENTICATED: The access token has expired: get a new one with refreshToken');
    expect(await refusal(`Bearer ${await forge({ sub: u.accountId })}`)).toBe('UNAUTHENTICATED: The access token is not valid (not issued by this service, or altered)');
    expect(await refusal(`Bearer ${ended.token}`)).toBe('UNAUTHENTICATED: The session of this access token has ended (logged out, password changed or refresh token reused): log in again');
    expect(await refusal(`Bearer ${created.secret}`)).toBe('UNAUTHENTICATED: This API key is revoked, or was never issued');
    // The CSV export says the same.
    const csv = await fetch(t.url.replace(/\/graphql$/, '/exports/usage.csv'), { headers: { authorization: `Bearer ${expired}` } });
    expect([csv.status, ((await csv.json()) as { errors: { message: string }[] }).errors[0].message]).toEqual([401, 'The access token has expired: get a new one with refreshToken']);
  });
});

describe('login throttling', () => {
  it('answers RATE_LIMITED after repeated failures for one email, even with the right password', async () => {
    const u = await t.signUp();
    for (let i = 0; i < 3; i++) expect(errorCode(await t.gql(LogInDocument, { email: u.email, password: 'Wrong-passw0rd' }))).toBe('INVALID_CREDENTIALS');
    const r = await t.gql(LogInDocument, { email: u.email, password: PASSWORD });
    expect(errorCode(r)).toBe('RATE_LIMITED');
    expect(r.errors![0].extensions!.retryAfterSeconds).toBeGreaterThan(0);
    // Another account from the same address is not locked out by that email's failures.
    const other = await t.signUp();
    await t.ok(LogInDocument, { email: other.email, password: PASSWORD });
  });

  it('counts wrong current passwords in changePassword like failed log-ins: a stolen access token is no password oracle', async () => {
    const u = await t.signUp();
    const change = (current: string) => t.gql(ChangePasswordDocument, { currentPassword: current, newPassword: 'An0ther-passw0rd' }, u.token);
    for (let i = 0; i < 3; i++) expect(errorCode(await change(`Guess-${i}-passw0rd`))).toBe('INVALID_CREDENTIALS');
    const blocked = await change(PASSWORD); // the right one, too late
    expect(errorCode(blocked)).toBe('RATE_LIMITED');
    expect(blocked.errors![0].extensions!.retryAfterSeconds).toBeGreaterThan(0);
    expect(errorCode(await t.gql(LogInDocument, { email: u.email, password: PASSWORD }))).toBe('RATE_LIMITED'); // one budget per account
    await t.ok(LogInDocument, { email: (await t.signUp()).email, password: PASSWORD }); // others are not affected
  });

  it('counts concurrent guesses: a burst of 30 (the right password among them) checks at most the limit, log-in and changePassword alike', async () => {
    const app = await startTestApp({ LOGIN_MAX_FAILURES: '2', LOGIN_WINDOW_SECONDS: '60' });
    try {
      const u = await app.signUp();
      const guesses = Array.from({ length: 30 }, (_, i) => (i === 29 ? PASSWORD : `Guess-${i}-passw0rd`));
      const logIns = await Promise.all(guesses.map((password) => app.gql(LogInDocument, { email: u.email, password }).then((r) => errorCode(r) ?? 'ok')));
      expect(logIns.filter((code) => code !== 'RATE_LIMITED').length).toBeLessThanOrEqual(2); // each checked guess was counted first
      expect(logIns.filter((code) => code === 'RATE_LIMITED').length).toBeGreaterThanOrEqual(28);

      const v = await app.signUp();
      const changes = await Promise.all(
        guesses.map((current) => app.gql(ChangePasswordDocument, { currentPassword: current, newPassword: 'An0ther-passw0rd' }, v.token).then((r) => errorCode(r) ?? 'ok')),
      );
      expect(changes.filter((code) => code !== 'RATE_LIMITED').length).toBeLessThanOrEqual(2);
    } finally {
      await app.stop();
    }
  });

  it('answers RATE_LIMITED after repeated failures from one client address across emails', async () => {
    const app = await startTestApp({ LOGIN_MAX_FAILURES: '2', LOGIN_WINDOW_SECONDS: '60' });
    try {
      // The per-address limit is five times the per-email limit: 10 failures over distinct emails.
      for (let i = 0; i < 10; i++) expect(errorCode(await app.gql(LogInDocument, { email: `x${i}@test.dev`, password: 'Wrong-passw0rd' }))).toBe('INVALID_CREDENTIALS');
      expect(errorCode(await app.gql(LogInDocument, { email: 'fresh@test.dev', password: 'Wrong-passw0rd' }))).toBe('RATE_LIMITED');
    } finally {
      await app.stop();
    }
  });
});

describe('API keys', () => {
  it('creates a key whose secret is shown once and stored only as a hash; uses and revokes it', async () => {
    const u = await t.signUp();
    const created = (await t.ok(CreateApiKeyDocument, { name: 'pipeline', scopes: ['USAGE_WRITE', 'WALLET_READ'] }, u.token)).createApiKey;
    expect(created.secret).toMatch(/^sfk_/);
    const stored = await withSql(t.dbUrl, (c) => c.query(`select secret_hash from api_key where id = $1`, [created.apiKey.id]));
    expect(stored.rows[0].secret_hash).not.toContain(created.secret);
    expect(stored.rows[0].secret_hash).toHaveLength(64);
    const listed = (await t.ok(ApiKeysDocument, {}, u.token)).apiKeys;
    expect(listed).toEqual([expect.objectContaining({ id: created.apiKey.id, name: 'pipeline' })]);
    expect(JSON.stringify(listed)).not.toContain(created.secret);

    // The key charges its owner's wallet.
    const charge = await t.chargeOk(created.secret, { feature: 'talking_head', quantity: 10, idempotencyKey: 'apikey-1' });
    expect(charge.chargeUsage.wallet.balance).toBe('4');
    expect((await t.ok(WalletOnlyDocument, {}, created.secret)).me.wallet.balance).toBe('4');

    // Keys cannot manage the account.
    expect(errorCode(await t.gql(CreateApiKeyDocument, { name: 'x', scopes: ['WALLET_READ'] }, created.secret))).toBe('FORBIDDEN');

    expect((await t.ok(RevokeApiKeyDocument, { id: created.apiKey.id }, u.token)).revokeApiKey).toBe(true);
    expect(errorCode(await t.gql(WalletOnlyDocument, {}, created.secret))).toBe('UNAUTHENTICATED');
  });

  it('enforces scopes: a WALLET_READ key cannot charge', async () => {
    const u = await t.signUp();
    const key = (await t.ok(CreateApiKeyDocument, { name: 'dashboard', scopes: ['WALLET_READ'] }, u.token)).createApiKey.secret;
    expect(errorCode(await t.charge(key, { feature: 'talking_head', idempotencyKey: 'ro-1' }))).toBe('FORBIDDEN');
    expect((await t.ok(WalletOnlyDocument, {}, key)).me.wallet.balance).toBe('5');
  });

  it("a USAGE_WRITE key reads what it can spend, not the account's email or billing details (those need WALLET_READ)", async () => {
    const u = await t.signUp();
    const keyWith = async (scopes: ('USAGE_WRITE' | 'WALLET_READ')[]) => (await t.ok(CreateApiKeyDocument, { name: scopes.join('+'), scopes }, u.token)).createApiKey.secret;
    const writer = await keyWith(['USAGE_WRITE']);
    const reader = await keyWith(['WALLET_READ']);
    const spendable = await t.gql('{ me { id timezone settings { monthlyBudgetCap } wallet { balance held status } synfluencers { id } } }', {}, writer);
    expect(spendable.errors).toBeUndefined();
    for (const field of ['email', 'settings { autoTopUp { enabled lastFailure } }', 'plan { renewsAt }', 'wallet { buckets { id source granted } }']) {
      const query = `{ me { id ${field} } }`;
      const refused = await t.gql(query, {}, writer);
      expect([field, errorCode(refused), refused.errors![0].message]).toEqual([field, 'FORBIDDEN', 'This API key lacks the scope for this operation (needs WALLET_READ)']);
      expect(JSON.stringify(refused.data)).not.toContain(u.email);
      for (const allowed of [reader, u.token]) expect([field, (await t.gql(query, {}, allowed)).errors]).toEqual([field, undefined]);
    }
  });

  it("cannot revoke another account's key (NOT_FOUND)", async () => {
    const a = await t.signUp();
    const b = await t.signUp();
    const key = (await t.ok(CreateApiKeyDocument, { name: 'a', scopes: ['WALLET_READ'] }, a.token)).createApiKey;
    expect(errorCode(await t.gql(RevokeApiKeyDocument, { id: key.apiKey.id }, b.token))).toBe('NOT_FOUND');
    expect((await t.ok(WalletOnlyDocument, {}, key.secret)).me.wallet.balance).toBe('5');
  });
});

describe('client addresses behind a proxy', () => {
  const logIn = (app: TestApp, email: string, password: string, forwardedFor: string) =>
    fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
      body: JSON.stringify({ query: 'mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { accessToken } }', variables: { e: email, p: password } }),
    }).then(async (res) => ((await res.json()) as { errors?: { extensions: { code: string } }[] }).errors?.[0]?.extensions.code ?? 'ok');

  it('with TRUST_PROXY, the per-address limit counts the address the proxy reports: one client guessing does not lock out the others', async () => {
    const app = await startTestApp({ LOGIN_MAX_FAILURES: '2', LOGIN_WINDOW_SECONDS: '60', TRUST_PROXY: 'loopback' });
    try {
      const other = await app.signUp();
      for (let i = 0; i < 10; i++) expect(await logIn(app, `guess${i}@test.dev`, 'Wrong-passw0rd', '203.0.113.9')).toBe('INVALID_CREDENTIALS');
      expect(await logIn(app, 'guess-more@test.dev', 'Wrong-passw0rd', '203.0.113.9')).toBe('RATE_LIMITED');
      expect(await logIn(app, other.email, PASSWORD, '198.51.100.7')).toBe('ok'); // another client behind the same proxy
    } finally {
      await app.stop();
    }
  });

  it('without it, X-Forwarded-For is not believed: a client cannot slip the limit by sending a new address each time', async () => {
    const app = await startTestApp({ LOGIN_MAX_FAILURES: '2', LOGIN_WINDOW_SECONDS: '60' });
    try {
      for (let i = 0; i < 10; i++) expect(await logIn(app, `guess${i}@test.dev`, 'Wrong-passw0rd', `203.0.113.${i}`)).toBe('INVALID_CREDENTIALS');
      expect(await logIn(app, 'guess-more@test.dev', 'Wrong-passw0rd', '203.0.113.200')).toBe('RATE_LIMITED');
    } finally {
      await app.stop();
    }
  });
});

describe('sign-up limit', () => {
  it('one client address creates at most SIGNUP_MAX_PER_HOUR accounts an hour (each brings a bonus); refused sign-ups do not count', async () => {
    const app = await startTestApp({ SIGNUP_MAX_PER_HOUR: '2', TRUST_PROXY: 'loopback' });
    const signUp = (email: string, password: string, forwardedFor: string) =>
      fetch(app.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
        body: JSON.stringify({ query: 'mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }', variables: { i: { email, password, timezone: 'UTC' } } }),
      }).then(async (res) => ((await res.json()) as { errors?: { extensions: { code: string; retryAfterSeconds?: number } }[] }).errors?.[0]?.extensions ?? { code: 'ok' });
    try {
      expect((await signUp('weak@test.dev', 'short', '203.0.113.5')).code).toBe('WEAK_PASSWORD'); // not counted
      expect((await signUp('one@test.dev', PASSWORD, '203.0.113.5')).code).toBe('ok');
      expect((await signUp('two@test.dev', PASSWORD, '203.0.113.5')).code).toBe('ok');
      const third = await signUp('three@test.dev', PASSWORD, '203.0.113.5');
      expect(third.code).toBe('RATE_LIMITED');
      expect(third.retryAfterSeconds).toBeGreaterThan(0);
      expect((await signUp('elsewhere@test.dev', PASSWORD, '198.51.100.20')).code).toBe('ok'); // another client
      const created = await withSql(app.dbUrl, (c) => c.query(`select email from account where email like '%@test.dev' and email not like 'admin%' order by email`));
      expect(created.rows.map((r) => r.email)).toEqual(['elsewhere@test.dev', 'one@test.dev', 'two@test.dev']);
      // A burst from a new address: the limit holds although every sign-up starts before any is created.
      const burst = await Promise.all(Array.from({ length: 20 }, (_, i) => signUp(`burst${i}@test.dev`, PASSWORD, '192.0.2.77')));
      expect(burst.map((answer) => answer.code).sort()).toEqual([...Array(18).fill('RATE_LIMITED'), ...Array(2).fill('ok')]);
      const bonuses = await withSql(app.dbUrl, (c) => c.query(`select count(*)::int as n from account where email like 'burst%@test.dev'`));
      expect(bonuses.rows[0].n).toBe(2);
    } finally {
      await app.stop();
    }
  });
});

describe('a throttle window that ends while an attempt runs', () => {
  /*
   * An attempt takes its point, runs (scrypt: a slow hash here), then gives the point back. When
   * the window ends in between, the point belongs to the window that ended: giving it back must not
   * lower the next window's count (it used to start it at -1: one more guess, or one more sign-up
   * and its bonus, each time).
   */
  const now = "(extract(epoch from clock_timestamp()) * 1000)::bigint";
  /**
   * Runs `attempt` and ends the `prefix` window (login_throttle key prefix) while the attempt holds
   * its point. Ending it is one conditional update (the window still open, the point still taken),
   * so a point given back first leaves it open: that attempt changed nothing and is made again, up
   * to five times (on a loaded machine a poll can miss the point). One connection polls.
   */
  async function endWindowDuring<T>(app: TestApp, prefix: string, attempt: () => Promise<T>): Promise<T> {
    return withSql(app.dbUrl, async (c) => {
      const points = async () => (await c.query(`select points from login_throttle where key like $1 and expire > ${now}`, [`${prefix}:%`])).rows[0]?.points as number | undefined;
      for (let tries = 0; tries < 5; tries++) {
        const before = (await points()) ?? 0;
        let finished = false;
        const running = attempt().finally(() => (finished = true));
        while (((await points()) ?? 0) <= before && !finished) await new Promise((resolve) => setTimeout(resolve, 2));
        const ended = finished ? 0 : (await c.query(`update login_throttle set expire = ${now} - 1 where key like $1 and expire > ${now} and points > $2`, [`${prefix}:%`, before])).rowCount;
        if (ended === 0) {
          await running;
          continue;
        }
        return running;
      }
      throw new Error('the attempt never ran long enough to end its window during it');
    });
  }

  it('a successful log-in gives its point back to its own window only: the next window allows exactly the limit', async () => {
    const app = await startTestApp({ LOGIN_MAX_FAILURES: '1', LOGIN_WINDOW_SECONDS: '60', PASSWORD_HASH_COST: '16' });
    try {
      const u = await app.signUp();
      const answer = await endWindowDuring(app, 'ip', () => app.gql(LogInDocument, { email: u.email, password: PASSWORD }));
      expect(errorCode(answer)).toBeUndefined();
      // Five failures per address and window (five times the per-email limit), over distinct emails.
      const guesses: string[] = [];
      for (let i = 0; i < 7; i++) guesses.push(errorCode(await app.gql(LogInDocument, { email: `straddle${i}@test.dev`, password: 'Wrong-passw0rd' })) ?? 'ok');
      expect(guesses).toEqual([...Array(5).fill('INVALID_CREDENTIALS'), 'RATE_LIMITED', 'RATE_LIMITED']);
    } finally {
      await app.stop();
    }
  });

  it('a refused sign-up gives its point back to its own window only: the next hour allows exactly SIGNUP_MAX_PER_HOUR accounts', async () => {
    const app = await startTestApp({ SIGNUP_MAX_PER_HOUR: '2', PASSWORD_HASH_COST: '16' });
    try {
      const taken = await app.signUp();
      // EMAIL_TAKEN is known only after the password is hashed: the point is given back late.
      const answer = await endWindowDuring(app, 'signup', () => app.gql(SignUpDocument, { input: { email: taken.email, password: PASSWORD, timezone: 'UTC' } }));
      expect(errorCode(answer)).toBe('EMAIL_TAKEN');
      const next: string[] = [];
      for (let i = 0; i < 3; i++) next.push(errorCode(await app.gql(SignUpDocument, { input: { email: `hour${i}@test.dev`, password: PASSWORD, timezone: 'UTC' } })) ?? 'ok');
      expect(next).toEqual(['ok', 'ok', 'RATE_LIMITED']);
    } finally {
      await app.stop();
    }
  });
});

describe('admins', () => {
  it('are exactly ADMIN_EMAILS: an admin taken off the list is demoted when a serving instance starts, and its sessions end at once', async () => {
    const shared = sharedJwtEnv(); // both instances accept each other's tokens
    const first = await startTestApp({ ADMIN_EMAILS: 'boss@test.dev,deputy@test.dev', ...shared });
    const boss = await first.signUp({ email: 'boss@test.dev' });
    const deputy = await first.signUp({ email: 'deputy@test.dev' });
    expect((await first.gql(LedgerCheckDocument, {}, deputy.token)).errors).toBeUndefined(); // an admin query
    // The operator takes the deputy off the list and starts an instance on the same database.
    const second = await startTestApp({ ADMIN_EMAILS: 'boss@test.dev', ...shared }, { dbUrl: first.dbUrl });
    try {
      expect(errorCode(await second.gql(LedgerCheckDocument, {}, deputy.token))).toBe('UNAUTHENTICATED'); // its session ended
      expect(errorCode(await second.gql(RefreshTokenDocument, { refreshToken: deputy.refreshToken }))).toBe('UNAUTHENTICATED');
      const again = await second.ok(LogInDocument, { email: deputy.email, password: PASSWORD });
      expect(again.logIn.account.role).toBe('USER');
      expect(errorCode(await second.gql(LedgerCheckDocument, {}, again.logIn.accessToken))).toBe('FORBIDDEN');
      expect((await second.gql(LedgerCheckDocument, {}, boss.token)).errors).toBeUndefined(); // still listed, still an admin
    } finally {
      await second.stop();
      await first.stop();
    }
  });
});
