import { createTestDatabase, withSql } from './helpers/db';
import { compiledServerEnv, postGraphql, startCompiledServer, waitReady } from './helpers/compiled-server';
import { WebhookReceiver } from './helpers/webhook-receiver';
import { ChargeUsageDocument, CreateWebhookEndpointDocument, SignUpDocument } from './generated/graphql';
import { until } from './helpers/until';

/**
 * The compiled server (`node dist/src/index.js`) is killed with SIGKILL while a webhook delivery
 * is in flight and more committed events wait behind it, then restarted. Every committed event is
 * still delivered, in order, with the same webhook-id as before the crash: nothing is lost.
 */
it('loses no webhook when the server is killed mid-delivery: after restart every committed event arrives, in order, with its original id', async () => {
  const db = await createTestDatabase();
  const receiver = await new WebhookReceiver().start();
  let crashed = false;
  receiver.answer = () => (crashed ? 200 : 'hang'); // the first delivery hangs until the server dies
  const { env, base } = await compiledServerEnv(db.url, {
    PRICE_BOOK: 'influgen',
    SIGNUP_BONUS: '100',
    PASSWORD_HASH_COST: '12',
    // The receiver is a local http server: allowed here explicitly (production refuses both by default).
    WEBHOOK_REQUIRE_HTTPS: 'off',
    WEBHOOK_BLOCK_PRIVATE_TARGETS: 'off',
    WEBHOOK_TIMEOUT_MS: '2000',
    WEBHOOK_POLL_MS: '100',
    WEBHOOK_RETRY_BASE_MS: '100',
  });
  let server = startCompiledServer(env);
  try {
    await waitReady(base);
    const token = (await postGraphql(base, SignUpDocument, { input: { email: 'hooks-crash@test.dev', password: 'Crash-Test-1' } })).data!.signUp.accessToken;
    const created = await postGraphql(base, CreateWebhookEndpointDocument, { input: { url: receiver.url, events: ['LOW_CREDITS', 'CREDITS_DEPLETED', 'WALLET_PAUSED'] } }, token);
    const secret = created.data!.createWebhookEndpoint.secret;

    // Not TestApp.charge: this server is the compiled one in a child process, reached with postGraphql.
    const charge = (quantity: number, key: string) => postGraphql(base, ChargeUsageDocument, { input: { feature: 'caption', quantity, idempotencyKey: key } }, token);
    expect((await charge(75, 'c1')).errors).toBeUndefined(); // LOW_CREDITS 25 %: its delivery hangs
    await until(() => receiver.receipts.length, (n) => n === 1, 10_000);
    expect((await charge(15, 'c2')).errors).toBeUndefined(); // LOW_CREDITS 10 %
    expect((await charge(10, 'c3')).errors).toBeUndefined(); // LOW_CREDITS 0 %, CREDITS_DEPLETED, WALLET_PAUSED
    server.kill('SIGKILL');
    crashed = true;
    await new Promise((r) => setTimeout(r, 200));
    expect(receiver.receipts).toHaveLength(1); // the later events waited behind the first

    server = startCompiledServer(env);
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
