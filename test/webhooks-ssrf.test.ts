import { randomUUID } from 'node:crypto';
import { startTestApp, errorCode, type TestApp } from './helpers/app';
import { withSql } from './helpers/db';
import { sharedJwtEnv, sleep } from './helpers/subscriptions';
import { WebhookReceiver } from './helpers/webhook-receiver';
import { ChargeUsageDocument, CreateWebhookEndpointDocument, WebhookDeliveriesDocument } from './generated/graphql';

/**
 * Server-side request forgery: with the production configuration (NODE_ENV=production, so https
 * is required and private targets are refused) webhooks are only sent to public addresses,
 * checked at creation and again against the address a delivery actually resolves to.
 */
let t: TestApp;
const receiver = new WebhookReceiver();

beforeAll(async () => {
  await receiver.start();
  t = await startTestApp({
    NODE_ENV: 'production',
    PASSWORD_HASH_COST: '12',
    ...sharedJwtEnv(),
    PRICE_BOOK: 'influgen',
    SIGNUP_BONUS: '100',
    WEBHOOK_POLL_MS: '100',
    WEBHOOK_ALLOWED_TARGETS: '10.1.2.0/24,hooks.on-prem.test',
  });
});
afterAll(async () => {
  await t?.stop();
  await receiver.stop();
});

const create = (token: string, url: string) => t.gql(CreateWebhookEndpointDocument, { input: { url, events: ['WALLET_PAUSED'] } }, token);

it('refuses http, loopback, private, link-local, metadata and mapped addresses at creation; accepts public and allowlisted targets', async () => {
  const u = await t.signUp();
  for (const url of [
    'http://93.184.215.14/hook', // https is required
    'https://127.0.0.1/hook',
    'https://localhost/hook', // a name that resolves to loopback
    'https://[::1]/hook',
    'https://[::ffff:127.0.0.1]/hook',
    'https://10.0.0.5/hook',
    'https://192.168.1.10/hook',
    'https://172.20.0.1/hook',
    'https://169.254.169.254/latest/meta-data/',
    'https://100.100.100.200/latest/meta-data/',
    'https://[fd00:ec2::254]/latest/meta-data/',
    'https://[fe80::1]/hook',
    'https://0.0.0.0/hook',
    'https://does-not-resolve.invalid/hook',
  ]) {
    const refused = await create(u.token, url);
    expect([url, errorCode(refused)]).toEqual([url, 'BAD_USER_INPUT']);
  }
  for (const url of ['https://93.184.215.14/hook', 'https://10.1.2.3/hook', 'https://hooks.on-prem.test/hook']) {
    const accepted = await create(u.token, url);
    expect([url, accepted.errors]).toEqual([url, undefined]);
  }
});

it('refuses at delivery time a name that now resolves to a private address (DNS rebinding): no connection is made', async () => {
  const u = await t.signUp();
  // As if `localhost` had resolved to a public address when the endpoint was created.
  const endpointId = randomUUID();
  await withSql(t.dbUrl, (c) =>
    c.query(`insert into webhook_endpoint (id, account_id, url, events, secret) values ($1, $2, $3, '{WALLET_PAUSED}', $4)`, [
      endpointId,
      u.accountId,
      `https://localhost:${receiver.port}/hooks`,
      `whsec_${Buffer.alloc(32, 7).toString('base64')}`,
    ]),
  );
  const charged = await t.gql(ChargeUsageDocument, { input: { feature: 'caption', quantity: 100, idempotencyKey: randomUUID() } }, u.token);
  expect(charged.errors).toBeUndefined();

  const deadline = Date.now() + 10_000;
  let attempts: { error: string | null; statusCode: number | null }[] = [];
  while (attempts.length === 0 && Date.now() < deadline) {
    await sleep(100);
    const page = (await t.ok(WebhookDeliveriesDocument, { endpointId }, u.token)).webhookDeliveries;
    attempts = page.edges[0]?.node.attempts ?? [];
  }
  expect(attempts[0]).toMatchObject({ statusCode: null, error: expect.stringMatching(/^refused: localhost resolves to (127\.0\.0\.1|::1), not a public address$/) });
  expect(receiver.connections).toBe(0);
  expect(receiver.receipts).toHaveLength(0);
});
