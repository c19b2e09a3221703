import 'reflect-metadata';
import * as jose from 'jose';
import { MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import { ormConfig } from '../src/db/mikro-orm.config';
import { startTestApp, errorCode, type TestApp } from './helpers/app';
import { withSql } from './helpers/db';
import {
  ArchiveSynfluencerDocument,
  CreateSynfluencerDocument,
  LedgerCheckDocument,
  MeDocument,
  MySynfluencersDocument,
  ReserveCreditsDocument,
  UpdateSettingsDocument,
  UpdateSynfluencerDocument,
  WalletOnlyDocument,
  GrantCreditsDocument,
  TransactionsDocument,
} from './generated/graphql';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

const subscribeOnce = (client: ReturnType<TestApp['ws']>, query: string) =>
  new Promise<{ data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] }>((resolve, reject) => {
    let result: { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] } = {};
    client.subscribe(
      { query },
      {
        next: (v) => (result = v as typeof result),
        error: (e) => (Array.isArray(e) ? resolve({ errors: e }) : reject(e)),
        complete: () => resolve(result),
      },
    );
  });

describe('schema and migrations', () => {
  it('the entities and the migrations agree (no pending schema diff)', async () => {
    const orm = await MikroORM.init({ ...ormConfig(t.dbUrl, 2), logger: () => undefined });
    try {
      expect(await orm.getMigrator().checkMigrationNeeded()).toBe(false);
      expect(await orm.getMigrator().getPendingMigrations()).toEqual([]);
    } finally {
      await orm.close(true);
    }
  });
});

describe('query limits (graphql-armor) on HTTP and WebSocket', () => {
  const under = '{ me { wallet { balance } } }'; // depth 3
  const over = '{ transactions { edges { node { ...T } } } } fragment T on Transaction { synfluencer { id } }'; // depth 6
  const aliased = `{ ${Array.from({ length: 8 }, (_, i) => `a${i}: me { id }`).join(' ')} }`;
  const fewAliases = `{ ${Array.from({ length: 5 }, (_, i) => `a${i}: me { id }`).join(' ')} }`;

  it('refuses over-deep and over-aliased documents on HTTP and WebSocket, and accepts those within the limits', async () => {
    const limited = await startTestApp({ GRAPHQL_MAX_DEPTH: '5', GRAPHQL_MAX_ALIASES: '5' });
    try {
      const v = await limited.signUp();
      const deep = await limited.gql(over, {}, v.token);
      expect(errorCode(deep)).toBe('BAD_USER_INPUT');
      expect(deep.errors![0].message).toMatch(/depth/i);
      const many = await limited.gql(aliased, {}, v.token);
      expect(errorCode(many)).toBe('BAD_USER_INPUT');
      expect(many.errors![0].message).toMatch(/alias/i);
      expect((await limited.gql(under, {}, v.token)).errors).toBeUndefined();
      expect((await limited.gql(fewAliases, {}, v.token)).errors).toBeUndefined();

      const client = limited.ws(v.token);
      try {
        const wsDeep = await subscribeOnce(client, over);
        expect(wsDeep.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
        expect(wsDeep.errors?.[0]?.message).toMatch(/depth/i);
        const wsAliases = await subscribeOnce(client, aliased);
        expect(wsAliases.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
        expect(wsAliases.errors?.[0]?.message).toMatch(/alias/i);
        const wsOk = await subscribeOnce(client, under);
        expect(wsOk.errors).toBeUndefined();
        expect(wsOk.data).toEqual({ me: { wallet: { balance: '5' } } });
      } finally {
        await client.dispose();
      }
    } finally {
      await limited.stop();
    }
  });

  it('refuses a WebSocket connection without a valid token', async () => {
    const client = t.ws('not-a-token');
    await expect(subscribeOnce(client, '{ me { id } }')).rejects.toMatchObject({ code: 4403 });
    await client.dispose();
  });

  it('hides field suggestions and blocks CSRF-prone requests', async () => {
    const u = await t.signUp();
    const r = await t.gql('{ mee { id } }', {}, u.token);
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(r.errors)).not.toMatch(/Did you mean/);
    const get = await fetch(`${t.url}?query=${encodeURIComponent('{ priceBook { name } }')}`);
    expect(get.status).toBe(400); // Apollo CSRF prevention: a simple GET without a preflight header
    const textPlain = await fetch(t.url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ query: '{ priceBook { name } }' }) });
    expect(textPlain.status).toBe(400);
  });
});

describe('GraphQL over HTTP', () => {
  const post = (body: string | Buffer, headers: Record<string, string> = {}) =>
    fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : new Uint8Array(body) });

  it('echoes a well-formed x-request-id and makes one up otherwise, on /graphql and the other routes', async () => {
    const given = await post(JSON.stringify({ query: '{ priceBook { name } }' }), { 'x-request-id': 'req-123.abc' });
    expect(given.headers.get('x-request-id')).toBe('req-123.abc');
    const bad = await post(JSON.stringify({ query: '{ priceBook { name } }' }), { 'x-request-id': 'not ok!' });
    expect(bad.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const health = await fetch(t.url.replace('/graphql', '/healthz'), { headers: { 'x-request-id': 'h-1' } });
    expect(health.headers.get('x-request-id')).toBe('h-1');
  });

  it('refuses malformed JSON (400), an oversized body (413), compressed or non-UTF-8 bodies (415) and non-JSON types with BAD_USER_INPUT, changing nothing', async () => {
    const u = await t.signUp();
    const auth = { authorization: `Bearer ${u.token}` };
    // A raw body, not t.charge: this test breaks the body itself (truncated, padded, re-typed) and checks the HTTP status.
    const charge = JSON.stringify({ query: 'mutation { chargeUsage(input: { feature: "talking_head", quantity: 1, idempotencyKey: "http-1" }) { wallet { version } } }' });
    const malformed = await post(charge.slice(0, -2), auth);
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).errors[0].extensions.code).toBe('BAD_USER_INPUT');

    const padded = JSON.stringify({ query: 'mutation { chargeUsage(input: { feature: "talking_head", quantity: 1, idempotencyKey: "http-2" }) { wallet { version } } }', variables: { pad: 'x'.repeat(300 * 1024) } });
    const big = await post(padded, auth);
    expect(big.status).toBe(413);
    expect((await big.json()).errors[0].extensions.code).toBe('BAD_USER_INPUT');

    const gz = await post(charge, { ...auth, 'content-encoding': 'gzip' });
    expect(gz.status).toBe(415);
    expect((await gz.json()).errors[0].extensions.code).toBe('BAD_USER_INPUT');

    const latin1 = await post(charge, { ...auth, 'content-type': 'application/json; charset=latin1' });
    expect(latin1.status).toBe(415);
    // Only application/json bodies are parsed: a lookalike type is not executed.
    const seq = await post(charge, { ...auth, 'content-type': 'application/json-seq' });
    expect(seq.status).toBe(400);

    const rows = await withSql(t.dbUrl, (c) => c.query(`select count(*)::int as n from ledger_transaction where account_id = $1 and kind <> 'SIGNUP_BONUS'`, [u.accountId]));
    expect(rows.rows[0].n).toBe(0);
    // And the same request, well formed (a leading BOM and an explicit UTF-8 charset are fine), goes through.
    const good = await post('\uFEFF' + charge, { ...auth, 'content-type': 'application/json; charset=UTF-8' });
    expect(good.status).toBe(200);
    expect((await good.json()).data.chargeUsage.wallet.version).toBe('2');
    const slash = await fetch(`${t.url}/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ priceBook { name } }' }) });
    expect(slash.status).toBe(200);
  });
});

describe('accounts and synfluencers', () => {
  it('creates, updates, lists and archives synfluencers', async () => {
    const u = await t.signUp();
    const s = (await t.ok(CreateSynfluencerDocument, { input: { name: 'Nova', handle: '@nova.ai', platforms: ['TikTok', 'instagram', 'tiktok'] } }, u.token)).createSynfluencer;
    expect(s).toMatchObject({ name: 'Nova', handle: 'nova.ai', platforms: ['tiktok', 'instagram'], archived: false });
    const up = (await t.ok(UpdateSynfluencerDocument, { id: s.id, input: { name: 'Nova Prime' } }, u.token)).updateSynfluencer;
    expect(up).toMatchObject({ name: 'Nova Prime', handle: 'nova.ai' });
    await t.ok(CreateSynfluencerDocument, { input: { name: 'Echo', handle: 'echo' } }, u.token);
    await t.ok(ArchiveSynfluencerDocument, { id: s.id }, u.token);
    expect((await t.ok(MySynfluencersDocument, {}, u.token)).me.synfluencers.map((x) => x.name)).toEqual(['Echo']);
    expect((await t.ok(MySynfluencersDocument, { includeArchived: true }, u.token)).me.synfluencers.map((x) => [x.name, x.archived])).toEqual([
      ['Nova Prime', true],
      ['Echo', false],
    ]);
    expect(errorCode(await t.gql(CreateSynfluencerDocument, { input: { name: '', handle: 'x' } }, u.token))).toBe('BAD_USER_INPUT');
    expect(errorCode(await t.gql(CreateSynfluencerDocument, { input: { name: 'x', handle: 'has space' } }, u.token))).toBe('BAD_USER_INPUT');
  });

  it('updates settings: IANA timezone validated, explicit null turns a cap off, omitted fields untouched', async () => {
    const u = await t.signUp();
    const a = (await t.ok(UpdateSettingsDocument, { input: { timezone: 'Asia/Kolkata', burnAlertThreshold: '12.5', monthlyBudgetCap: '100', lowCreditEmails: false } }, u.token)).updateSettings;
    expect(a).toEqual({ timezone: 'Asia/Kolkata', settings: { burnAlertThreshold: '12.5', monthlyBudgetCap: '100', lowCreditEmails: false } });
    const b = (await t.ok(UpdateSettingsDocument, { input: { monthlyBudgetCap: null } }, u.token)).updateSettings;
    expect(b).toEqual({ timezone: 'Asia/Kolkata', settings: { burnAlertThreshold: '12.5', monthlyBudgetCap: null, lowCreditEmails: false } });
    expect(errorCode(await t.gql(UpdateSettingsDocument, { input: { timezone: 'Not/AZone' } }, u.token))).toBe('BAD_USER_INPUT');
    expect(errorCode(await t.gql(UpdateSettingsDocument, { input: { burnAlertThreshold: '-1' } }, u.token))).toBe('BAD_USER_INPUT');
    expect((await t.ok(MeDocument, {}, u.token)).me.timezone).toBe('Asia/Kolkata');
  });

  it("every operation on another account's objects is NOT_FOUND or FORBIDDEN and changes nothing", async () => {
    const owner = await t.signUp();
    const intruder = await t.signUp();
    const s = (await t.ok(CreateSynfluencerDocument, { input: { name: 'Private', handle: 'private' } }, owner.token)).createSynfluencer;
    const hold = (await t.ok(ReserveCreditsDocument, { input: { feature: 'talking_head', quantity: 1, idempotencyKey: 'own' } }, owner.token)).reserveCredits;
    const attempts: [string, Promise<{ errors?: unknown[] }>, string][] = [
      ['updateSynfluencer', t.gql(UpdateSynfluencerDocument, { id: s.id, input: { name: 'pwned' } }, intruder.token), 'NOT_FOUND'],
      ['archiveSynfluencer', t.gql(ArchiveSynfluencerDocument, { id: s.id }, intruder.token), 'NOT_FOUND'],
      ['chargeUsage with their synfluencer', t.charge(intruder, { feature: 'talking_head', idempotencyKey: 'i1', synfluencerId: s.id }), 'NOT_FOUND'],
      ['chargeUsage on their account', t.charge(intruder, { feature: 'talking_head', idempotencyKey: 'i2', accountId: owner.accountId }), 'FORBIDDEN'],
      ['reserveCredits with their synfluencer', t.gql(ReserveCreditsDocument, { input: { feature: 'talking_head', quantity: 1, idempotencyKey: 'i3', synfluencerId: s.id } }, intruder.token), 'NOT_FOUND'],
      ['captureHold', t.gql('mutation($id: ID!) { captureHold(id: $id) { wallet { balance } } }', { id: hold.id } as never, intruder.token), 'NOT_FOUND'],
      ['releaseHold', t.gql('mutation($id: ID!) { releaseHold(id: $id) { id } }', { id: hold.id } as never, intruder.token), 'NOT_FOUND'],
      ['transactions by their synfluencer', t.gql(TransactionsDocument, { filter: { synfluencerId: s.id } }, intruder.token), 'NOT_FOUND'],
      ['grantCredits', t.gql(GrantCreditsDocument, { accountId: intruder.accountId, amount: '5', reason: 'x', idempotencyKey: 'i4' }, intruder.token), 'FORBIDDEN'],
      ['ledgerCheck', t.gql(LedgerCheckDocument, { accountId: owner.accountId }, intruder.token), 'FORBIDDEN'],
    ];
    for (const [name, p, code] of attempts) {
      const r = await p;
      expect({ name, code: errorCode(r as never) }).toEqual({ name, code });
      expect(JSON.stringify(r)).not.toContain('Private');
    }
    expect((await t.ok(MySynfluencersDocument, {}, owner.token)).me.synfluencers).toEqual([expect.objectContaining({ name: 'Private', archived: false })]);
    expect((await t.ok(WalletOnlyDocument, {}, owner.token)).me.wallet).toMatchObject({ balance: '4.9', held: '0.1' });
    expect((await t.ok(WalletOnlyDocument, {}, intruder.token)).me.wallet).toMatchObject({ balance: '5', held: '0' });
    expect((await t.ok(TransactionsDocument, {}, intruder.token)).transactions.edges).toHaveLength(1);
  });
});

describe('errors in production mode', () => {
  it('masks internal errors (no stack, no SQL) in production and shows them in development; introspection off in production', async () => {
    const { privateKey, publicKey } = await jose.generateKeyPair('ES256', { extractable: true });
    const prod = await startTestApp({ NODE_ENV: 'production', JWT_PRIVATE_KEY: await jose.exportPKCS8(privateKey), JWT_PUBLIC_KEY: await jose.exportSPKI(publicKey) });
    try {
      const u = await prod.signUp();
      await withSql(prod.dbUrl, (c) => c.query('alter table synfluencer rename column handle to handle_broken'));
      const r = await prod.gql(CreateSynfluencerDocument, { input: { name: 'x', handle: 'x' } }, u.token);
      expect(errorCode(r)).toBe('INTERNAL_SERVER_ERROR');
      expect(r.errors![0].message).toBe('Internal server error');
      expect(JSON.stringify(r)).not.toMatch(/handle|select|insert|stack|at /i);
      const intro = await prod.gql('{ __schema { types { name } } }', {}, u.token);
      expect(errorCode(intro)).toBe('BAD_USER_INPUT');
    } finally {
      await prod.stop();
    }
    const dev = await startTestApp({ NODE_ENV: 'development' });
    try {
      const u = await dev.signUp();
      await withSql(dev.dbUrl, (c) => c.query('alter table synfluencer rename column handle to handle_broken'));
      const r = await dev.gql(CreateSynfluencerDocument, { input: { name: 'x', handle: 'x' } }, u.token);
      expect(errorCode(r)).toBe('INTERNAL_SERVER_ERROR');
      expect(JSON.stringify(r)).toMatch(/handle/);
    } finally {
      await dev.stop();
    }
  });
});

describe('operations', () => {
  it('healthz and readyz answer; readyz reports unready migrations', async () => {
    const h = await fetch(t.url.replace('/graphql', '/healthz'));
    expect(h.status).toBe(200);
    const r = await fetch(t.url.replace('/graphql', '/readyz'));
    expect(await r.json()).toEqual({ status: 'ready' });
    await withSql(t.dbUrl, (c) => c.query(`delete from mikro_orm_migrations`));
    const unready = await fetch(t.url.replace('/graphql', '/readyz'));
    expect(unready.status).toBe(503);
    expect((await unready.json()).status).toBe('migrations pending');
  });

  it('graceful shutdown answers a charge that is still waiting for its wallet lock, with Connection: close', async () => {
    const app = await startTestApp();
    const u = await app.signUp();
    const locker = new Client({ connectionString: app.dbUrl });
    await locker.connect();
    try {
      await locker.query('begin');
      await locker.query('select 1 from wallet where account_id = $1 for update', [u.accountId]);
      // Raw fetch, not app.charge: the test reads the response's Connection header.
      const res = fetch(app.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${u.token}` },
        body: JSON.stringify({ query: 'mutation { chargeUsage(input: { feature: "talking_head", quantity: 1, idempotencyKey: "wait-1" }) { wallet { balance } } }' }),
      });
      // The charge is in flight once its transaction waits on the lock held above.
      for (let i = 0; ; i++) {
        const w = await locker.query(`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`);
        if (w.rows[0].n > 0) break;
        if (i > 200) throw new Error('the charge never reached the wallet lock');
        await new Promise((r) => setTimeout(r, 25));
      }
      const stopping = app.app.stop();
      await new Promise((r) => setTimeout(r, 100));
      await locker.query('commit');
      const answer = await res;
      expect(answer.status).toBe(200);
      expect(answer.headers.get('connection')).toBe('close');
      expect((await answer.json()).data.chargeUsage.wallet.balance).toBe('4.9');
      await stopping;
    } finally {
      await locker.end();
    }
    await app.stop();
  });

  it('graceful shutdown: in-flight charges complete, sockets are closed, then the port refuses', async () => {
    const app = await startTestApp();
    const u = await app.signUp();
    // Not lazy: the socket stays open without a subscription, so only the server can close it.
    const client = app.ws(u.token, { lazy: false, onNonLazyError: () => undefined });
    const closed = new Promise<number>((resolve) => client.on('closed', (e) => resolve((e as { code: number }).code)));
    await new Promise<void>((resolve) => client.on('connected', () => resolve()));
    await subscribeOnce(client, '{ me { id } }');
    const inflight = Array.from({ length: 40 }, (_, i) => app.charge(u, { feature: 'talking_head', idempotencyKey: `s-${i}` }));
    await new Promise((r) => setTimeout(r, 5));
    const stopping = app.app.stop(); // the app only: the database stays for the assertions below
    const results = await Promise.allSettled(inflight);
    await stopping;
    const completed = results.filter((r) => r.status === 'fulfilled' && (r.value as { data?: unknown }).data);
    // Every request that reached the server finished with an answer; none was cut off mid-way.
    for (const r of results) if (r.status === 'fulfilled') expect((r.value as { errors?: unknown }).errors).toBeUndefined();
    expect(await closed).toBe(1001);
    await expect(fetch(app.url.replace('/graphql', '/healthz'))).rejects.toThrow();
    const balance = await withSql(app.dbUrl, (c) => c.query(`select balance::text from wallet`));
    expect(BigInt(balance.rows[0].balance)).toBe(5_000_000n - BigInt(completed.length) * 100_000n);
    await app.stop();
  });
});
