import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestApp, type TestApp, type TestUser } from './helpers/app';
import { createTestDatabase } from './helpers/db';
import { TcpProxy } from './helpers/tcp-proxy';
import { sleep } from './helpers/subscriptions';
import { CreateApiKeyDocument } from './generated/graphql';

// Class 11 of the hardening issue: while PostgreSQL is unreachable every answer is 503 with
// Retry-After and SERVICE_UNAVAILABLE, never a 500; and an unusable embedded data directory is
// reported in one clear sentence.
describe('a database outage is 503', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let proxy: TcpProxy;
  let t: TestApp;
  let u: TestUser;
  let apiKey: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    const target = new URL(db.url);
    proxy = new TcpProxy(target.hostname, Number(target.port));
    await proxy.up();
    t = await startTestApp({ DB_ACQUIRE_TIMEOUT_MS: '1500', DB_CONNECT_TIMEOUT_MS: '1000' }, { dbUrl: proxy.urlFor(db.url) });
    u = await t.signUp();
    apiKey = (await t.ok(CreateApiKeyDocument, { name: 'outage', scopes: ['USAGE_WRITE', 'WALLET_READ'] }, u.token)).createApiKey.secret;
  });
  afterAll(async () => {
    await proxy.up();
    await t.stop();
    await proxy.down();
    await db.drop();
  });

  const gql = async (query: string, token: string) => {
    const res = await fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query }) });
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json() };
  };

  it('answers 503 SERVICE_UNAVAILABLE with Retry-After on GraphQL and on the Express routes, then recovers', async () => {
    await proxy.down();
    const attempts = {
      read: await gql('{ me { wallet { balance } } }', u.token),
      charge: await gql('mutation { chargeUsage(input: { feature: "talking_head", quantity: 1, idempotencyKey: "outage-1" }) { wallet { balance } } }', u.token),
      apiKey: await gql('{ me { id } }', apiKey), // fails while authenticating, in Apollo's context function
      signUp: await gql('mutation { signUp(input: { email: "outage@test.dev", password: "Sup3rSecret!" }) { accessToken } }', ''),
      // Items answered inside the result would be 200 with an error per item: the whole call is 503 instead.
      batch: await gql('mutation { chargeUsageBatch(inputs: [{ feature: "talking_head", quantity: 1, idempotencyKey: "outage-b1" }, { feature: "caption", idempotencyKey: "outage-b2" }]) { error { code } } }', u.token),
    };
    for (const [name, r] of Object.entries(attempts)) {
      expect({ name, status: r.status, retryAfter: r.retryAfter, code: r.body.errors?.[0]?.extensions?.code }).toEqual({ name, status: 503, retryAfter: '5', code: 'SERVICE_UNAVAILABLE' });
      expect(JSON.stringify(r.body)).not.toMatch(/ECONNREFUSED|Knex|stack/);
    }
    const csv = await fetch(t.url.replace('/graphql', '/exports/usage.csv'), { headers: { authorization: `Bearer ${apiKey}` } });
    expect(csv.status).toBe(503);
    expect(csv.headers.get('retry-after')).toBe('5');
    expect((await csv.json()).errors[0].extensions.code).toBe('SERVICE_UNAVAILABLE');
    const ready = await fetch(t.url.replace('/graphql', '/readyz'));
    expect(ready.status).toBe(503);

    await proxy.up();
    let after: Awaited<ReturnType<typeof gql>> | undefined;
    for (let i = 0; i < 50; i++) {
      after = await gql('{ me { wallet { balance } } }', u.token);
      if (after.status === 200) break;
      await sleep(200);
    }
    expect(after!.body).toEqual({ data: { me: { wallet: { balance: '5' } } } });
  });
});

describe('the embedded database reports an unusable data directory clearly', () => {
  const start = (dataDir: string) =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [path.join(__dirname, '..', 'dist', 'src', 'index.js')], {
        env: { PATH: process.env.PATH, NODE_ENV: 'development', LOG_LEVEL: 'silent', DATA_DIR: dataDir, EMBEDDED_PG_PORT: '1', PORT: '0' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (c) => (stderr += String(c)));
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, stderr });
      });
    });

  let root: string;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'credits-datadir-'));
  });
  afterAll(() => {
    fs.chmodSync(path.join(root, 'locked'), 0o755);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('a directory the database user cannot enter: one sentence naming it and the fix, exit 2, no initdb output', async () => {
    // As root the database runs as the postgres user: a root-only parent keeps it out. As
    // anyone else, a parent without write permission does.
    const locked = path.join(root, 'locked');
    fs.mkdirSync(locked, { mode: 0o755 });
    fs.chmodSync(locked, process.getuid?.() === 0 ? 0o700 : 0o500);
    const r = await start(path.join(locked, 'data'));
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(locked);
    expect(r.stderr).toMatch(/DATA_DIR/);
    expect(r.stderr).not.toMatch(/initdb|ERROR OUTPUT| {4}at /);
  });

  it('a data directory initdb refuses (not empty, not a cluster): its reason in one line, exit 2', async () => {
    fs.chmodSync(root, 0o755);
    const dataDir = path.join(root, 'dirty');
    fs.mkdirSync(path.join(dataDir, 'pg'), { recursive: true, mode: 0o777 });
    fs.chmodSync(dataDir, 0o755);
    fs.writeFileSync(path.join(dataDir, 'pg', 'stray-file'), 'not a database');
    const r = await start(dataDir);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/Could not create the embedded PostgreSQL database in .*dirty\/pg: .*not empty/);
    expect(r.stderr).not.toMatch(/ERROR OUTPUT| {4}at /);
  });
});
