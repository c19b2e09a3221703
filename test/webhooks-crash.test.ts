import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import * as jose from 'jose';
import { print } from 'graphql';
import { createTestDatabase, withSql } from './helpers/db';
import { WebhookReceiver } from './helpers/webhook-receiver';
import { ChargeUsageDocument, CreateWebhookEndpointDocument, SignUpDocument } from './generated/graphql';
import { until } from './helpers/until';

/**
 * The compiled server (`node dist/src/index.js`) is killed with SIGKILL while a webhook delivery
 * is in flight and more committed events wait behind it, then restarted. Every committed event is
 * still delivered, in order, with the same webhook-id as before the crash: nothing is lost.
 */
const root = path.join(__dirname, '..');

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });

const startServer = (env: NodeJS.ProcessEnv): ChildProcess => spawn(process.execPath, [path.join(root, 'dist', 'src', 'index.js')], { env, stdio: 'ignore' });

async function waitReady(base: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      if ((await fetch(`${base}/readyz`)).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server did not become ready');
}

async function gql(base: string, doc: Parameters<typeof print>[0], variables: unknown, token?: string) {
  const r = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: print(doc), variables }),
  });
  return (await r.json()) as { data?: Record<string, Record<string, unknown>>; errors?: unknown[] };
}


it('loses no webhook when the server is killed mid-delivery: after restart every committed event arrives, in order, with its original id', async () => {
  const db = await createTestDatabase();
  const receiver = await new WebhookReceiver().start();
  let crashed = false;
  receiver.answer = () => (crashed ? 200 : 'hang'); // the first delivery hangs until the server dies
  const { privateKey, publicKey } = await jose.generateKeyPair('ES256', { extractable: true });
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: db.url,
    PRICE_BOOK: 'influgen',
    SIGNUP_BONUS: '100',
    PASSWORD_HASH_COST: '12',
    JWT_PRIVATE_KEY: await jose.exportPKCS8(privateKey),
    JWT_PUBLIC_KEY: await jose.exportSPKI(publicKey),
    // The receiver is a local http server: allowed here explicitly (production refuses both by default).
    WEBHOOK_REQUIRE_HTTPS: 'off',
    WEBHOOK_BLOCK_PRIVATE_TARGETS: 'off',
    WEBHOOK_TIMEOUT_MS: '2000',
    WEBHOOK_POLL_MS: '100',
    WEBHOOK_RETRY_BASE_MS: '100',
  };
  const base = `http://127.0.0.1:${port}`;
  let server = startServer(env);
  try {
    await waitReady(base);
    const token = (await gql(base, SignUpDocument, { input: { email: 'hooks-crash@test.dev', password: 'Crash-Test-1' } })).data!.signUp.accessToken as string;
    const created = await gql(base, CreateWebhookEndpointDocument, { input: { url: receiver.url, events: ['LOW_CREDITS', 'CREDITS_DEPLETED', 'WALLET_PAUSED'] } }, token);
    const secret = created.data!.createWebhookEndpoint.secret as string;

    const charge = (quantity: number, key: string) => gql(base, ChargeUsageDocument, { input: { feature: 'caption', quantity, idempotencyKey: key } }, token);
    expect((await charge(75, 'c1')).errors).toBeUndefined(); // LOW_CREDITS 25 %: its delivery hangs
    await until(() => receiver.receipts.length, (n) => n === 1, 10_000);
    expect((await charge(15, 'c2')).errors).toBeUndefined(); // LOW_CREDITS 10 %
    expect((await charge(10, 'c3')).errors).toBeUndefined(); // LOW_CREDITS 0 %, CREDITS_DEPLETED, WALLET_PAUSED
    server.kill('SIGKILL');
    crashed = true;
    await new Promise((r) => setTimeout(r, 200));
    expect(receiver.receipts).toHaveLength(1); // the later events waited behind the first

    server = startServer(env);
    await waitReady(base);
    const events = await withSql(db.url, async (c) => (await c.query('select id from webhook_event order by seq')).rows.map((row) => row.id as string));
    expect(events).toHaveLength(5);
    // The hung attempt's lease (timeout + 5 s) runs out, then everything is delivered.
    const accepted = await until(() => receiver.receipts.filter((receipt) => receipt.status === 200), (list) => list.length === 5, 30_000);
    expect(accepted.map((receipt) => receipt.id)).toEqual(events);
    expect(receiver.receipts[0].id).toBe(events[0]); // the same id before and after the crash
    expect(accepted.every((receipt) => WebhookReceiver.verifies(secret, receipt))).toBe(true);
    const statuses = await withSql(db.url, async (c) => (await c.query('select status, count(*)::int as n from webhook_delivery group by status')).rows);
    expect(statuses).toEqual([{ status: 'SUCCEEDED', n: 5 }]);
  } finally {
    server.kill('SIGKILL');
    await receiver.stop();
    await db.drop();
  }
});
