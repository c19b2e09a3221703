import { randomUUID } from 'node:crypto';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { startTestApp, type TestApp } from './helpers/app';
import { Recorder, sleep } from './helpers/subscriptions';
import { BalanceChangedDocument, ChargeUsageDocument, CreateApiKeyDocument, RefreshTokenDocument } from './generated/graphql';

// Class 7 of the hardening issue: an access token expiring on a live socket closes it with a code
// the stock graphql-ws client retries (4419, not 4401), so a client whose connectionParams is a
// function reconnects with a fresh token and its subscription resumes, with no other code.
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ ACCESS_TOKEN_TTL_SECONDS: '10', PRICE_BOOK: 'influgen', SIGNUP_BONUS: '100' });
});
afterAll(() => t.stop());

const expiryOf = (jwt: string) => 1000 * (JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()).exp as number);

it('the stock client reconnects with a fresh token after expiry and the subscription carries on (10 s token lifetime)', async () => {
  const u = await t.signUp();
  const pipelineKey = (await t.ok(CreateApiKeyDocument, { name: 'pipeline', scopes: ['USAGE_WRITE'] }, u.token)).createApiKey.secret;
  let session = { accessToken: u.token, refreshToken: u.refreshToken };
  const closes: number[] = [];
  let connections = 0;
  let refreshes = 0;
  const client = createClient({
    url: t.wsUrl,
    webSocketImpl: WebSocket,
    // All the application provides: a token that is valid when the client (re)connects.
    connectionParams: async () => {
      if (expiryOf(session.accessToken) - Date.now() < 2000) {
        session = (await t.ok(RefreshTokenDocument, { refreshToken: session.refreshToken })).refreshToken;
        refreshes++;
      }
      return { authorization: `Bearer ${session.accessToken}` };
    },
    on: { connected: () => connections++, closed: (e) => closes.push((e as { code: number }).code) },
  });
  try {
    const rec = Recorder.start(client, BalanceChangedDocument, { afterVersion: '0' });
    expect((await rec.waitFor(() => true)).data.balanceChanged.version).toBe('1');
    // The server closes the socket when the 10 s token expires...
    for (let i = 0; i < 150 && !closes.includes(4419); i++) await sleep(100);
    expect(closes).toContain(4419);
    // ...and a change committed while the client is reconnecting still reaches it.
    const charged = await t.gql(ChargeUsageDocument, { input: { feature: 'caption', quantity: 1, idempotencyKey: randomUUID() } }, pipelineKey);
    expect(charged.errors).toBeUndefined();
    const after = await rec.waitFor((d) => d.balanceChanged.version === '2', 15_000);
    expect(after.data.balanceChanged.balance).toBe('99');
    expect(connections).toBe(2);
    expect(refreshes).toBeGreaterThanOrEqual(1);
    expect(rec.errors).toBeNull();
    expect(rec.completed).toBe(false);
    // Versions a subscriber sees only go up.
    const versions = rec.events.map((e) => Number(e.data.balanceChanged.version));
    expect(versions).toEqual([...versions].sort((x, y) => x - y));
  } finally {
    await client.dispose();
  }
});
