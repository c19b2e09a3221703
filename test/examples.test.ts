import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { ApiError, partnerClient, payForRenderJob } from '../examples/partner/render-job';
import { startTestApp, type TestApp, type TestUser } from './helpers/app';
import { describeWithBrowser, launchBrowser } from './helpers/browser';
import { CreateApiKeyDocument, TransactionsPageDocument, WalletOnlyDocument } from './generated/graphql';

const execFileAsync = promisify(execFile);

/** A fetch that delivers the request to the server but loses the answer the first time a matching operation is sent. */
function losingFirstAnswerOf(operations: string[]): { fetch: typeof fetch; lost: string[] } {
  const lost: string[] = [];
  const lossy: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    const body = String(init?.body ?? '');
    const op = operations.find((name) => body.includes(`${name}(`) && !lost.includes(name));
    if (op) {
      await res.arrayBuffer(); // the server committed and answered; the answer never arrives
      lost.push(op);
      throw new TypeError('fetch failed: socket hang up');
    }
    return res;
  };
  return { fetch: lossy, lost };
}

describe('partner example (examples/partner/render-job.ts): API key, quote, reserve, capture, retries', () => {
  let t: TestApp;
  let user: TestUser;
  let apiKey: string;
  beforeAll(async () => {
    t = await startTestApp({ PRICE_BOOK: 'synfluencer', SIGNUP_BONUS: '100' });
    user = await t.signUp();
    const created = await t.ok(CreateApiKeyDocument, { name: 'render pipeline', scopes: ['USAGE_WRITE', 'WALLET_READ'] }, user.token);
    apiKey = created.createApiKey.secret;
  });
  afterAll(() => t.stop());

  const history = async () =>
    (await t.ok(TransactionsPageDocument, { first: 100 }, user.token)).transactions.edges.map((e) => e.node);

  it('pays for a render job: 60 s of ai_video held (7.8), 42.5 s captured (5.525)', async () => {
    const send = partnerClient({ url: t.url, apiKey });
    const result = await payForRenderJob(send, { jobId: 'job-1', feature: 'ai_video', estimatedSeconds: 60, render: async () => 42.5 });
    expect(result).toMatchObject({ quoted: '7.8', held: '7.8', captured: '5.525', balance: '94.475' });
  });

  it('retries after lost answers with the same request: one hold, one capture, charged once', async () => {
    const flaky = losingFirstAnswerOf(['reserveCredits', 'captureHold']);
    const retries: string[] = [];
    const send = partnerClient({ url: t.url, apiKey, fetch: flaky.fetch, retryDelayMs: 10, log: (line) => retries.push(line) });
    const before = (await t.ok(WalletOnlyDocument, {}, user.token)).me.wallet.balance;
    const result = await payForRenderJob(send, { jobId: 'job-2', feature: 'ai_video', estimatedSeconds: 60, render: async () => 42.5 });

    expect(flaky.lost).toEqual(['reserveCredits', 'captureHold']); // both answers were really lost
    expect(retries).toHaveLength(2);
    expect(result).toMatchObject({ held: '7.8', captured: '5.525' });
    const after = (await t.ok(WalletOnlyDocument, {}, user.token)).me.wallet.balance;
    expect(Number(before) - Number(after)).toBeCloseTo(5.525, 6);
    expect(result.balance).toBe(after); // the retried capture replayed the original charge
    const job2 = (await history()).filter((tx) => tx.idempotencyKey === 'job-2:reserve' || tx.kind === 'CAPTURE');
    expect(job2.filter((tx) => tx.kind === 'HOLD')).toHaveLength(1);
    expect((await history()).filter((tx) => tx.kind === 'CAPTURE')).toHaveLength(2); // job-1 and job-2, once each
  });

  it('surfaces a non-retryable error with its contract code and does not retry it', async () => {
    const attempts: string[] = [];
    const counting: typeof fetch = (input, init) => {
      attempts.push(String(init?.body));
      return fetch(input, init);
    };
    const send = partnerClient({ url: t.url, apiKey, fetch: counting, retryDelayMs: 10 });
    const job = payForRenderJob(send, { jobId: 'job-3', feature: 'ai_video', estimatedSeconds: 86_400, render: async () => 1 });
    await expect(job).rejects.toThrow(ApiError);
    await expect(job).rejects.toMatchObject({ code: 'INSUFFICIENT_CREDITS' });
    expect(attempts).toHaveLength(2); // the quote and one reservation
  });

  it('also runs as a script (npm run example:partner) against a running server', async () => {
    const root = path.resolve(__dirname, '..');
    const build = spawnSync(path.join(root, 'node_modules/.bin/tsc'), ['-p', 'examples/tsconfig.json'], { cwd: root, encoding: 'utf8' });
    expect(build.stdout + build.stderr).toBe('');
    // Asynchronously: the server under test runs in this process and must keep answering.
    const run = await execFileAsync(process.execPath, [path.join(root, 'dist/examples/partner/render-job.js')], {
      cwd: root,
      env: { ...process.env, API_URL: t.url, API_KEY: apiKey },
      timeout: 60_000,
    });
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/quoted 3\.9, held 3\.9, captured 3\.315; balance now \d+(\.\d+)?/);
  });
});

describeWithBrowser('browser example (examples/browser/live-balance.ts) in headless Chromium: live balance, token refreshed on reconnect', () => {
  const TOKEN_TTL_SECONDS = 10;
  let t: TestApp;
  let user: TestUser;
  let browser: Browser;
  let page: http.Server;
  let pageOrigin: string;
  const bundleDir = fs.mkdtempSync(path.join(os.tmpdir(), 'live-balance-'));

  beforeAll(async () => {
    const root = path.resolve(__dirname, '..');
    const build = spawnSync(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'examples/browser/vite.config.ts', '--outDir', bundleDir], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' },
    });
    expect(build.status).toBe(0);
    const script = fs.readFileSync(path.join(bundleDir, 'live-balance.js'));
    // A partner's page on its own origin (localhost:*, allowed by the default CORS_ORIGINS outside production).
    page = http.createServer((req, res) => {
      if (req.url === '/live-balance.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><p>Balance: <span id="balance">…</span></p><script src="/live-balance.js"></script>');
    });
    await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
    pageOrigin = `http://localhost:${(page.address() as { port: number }).port}`;
    t = await startTestApp({ ACCESS_TOKEN_TTL_SECONDS: String(TOKEN_TTL_SECONDS) });
    user = await t.signUp();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
    await new Promise((resolve) => page?.close(resolve));
    fs.rmSync(bundleDir, { recursive: true, force: true });
  });

  const logIn = async (fields: string[]) => {
    const r = await t.gql<{ logIn: { accessToken: string; refreshToken: string; expiresAt: string } }, { email: string; password: string }>(
      `mutation ($email: String!, $password: String!) { logIn(email: $email, password: $password) { ${fields.join(' ')} } }`,
      { email: user.email, password: user.password },
    );
    return r.data!.logIn;
  };

  it('shows each committed balance, and keeps doing so after the access token expired (refreshed on reconnect)', async () => {
    const tab = await browser.newPage();
    await tab.goto(`${pageOrigin}/`);
    const session = await logIn(['accessToken', 'refreshToken', 'expiresAt']);
    await tab.evaluate(
      ({ url, session }) => {
        const w = window as unknown as { LiveBalance: typeof import('../examples/browser/live-balance'); sessions: unknown[]; errors: unknown[] };
        w.sessions = [];
        w.errors = [];
        w.LiveBalance.startLiveBalance({
          url,
          session,
          refreshWithinMs: 2000,
          onSession: (s) => w.sessions.push(s),
          onError: (e) => w.errors.push(String(e)),
          onBalance: (e) => (document.getElementById('balance')!.textContent = e.balance),
        });
      },
      { url: t.url, session },
    );
    const charge = async (key: string) => {
      const { accessToken } = await logIn(['accessToken']); // the test's own token expires too
      await t.chargeOk(accessToken, { feature: 'talking_head', quantity: 10, idempotencyKey: key });
    };
    const shows = (balance: string, timeout = 10_000) => tab.waitForFunction((b) => document.getElementById('balance')?.textContent === b, balance, { timeout });

    await tab.waitForTimeout(500); // the subscription starts lazily; the next change is the first event
    await charge('live-1');
    await shows('4');

    // Past the access token's lifetime: the server closes the socket, the snippet reconnects
    // with a refreshed token and resumes after the last version it saw.
    await tab.waitForTimeout((TOKEN_TTL_SECONDS + 2) * 1000);
    await charge('live-2');
    await shows('3', 15_000);
    const state = await tab.evaluate(() => {
      const w = window as unknown as { sessions: { accessToken: string }[]; errors: string[] };
      return { sessions: w.sessions, errors: w.errors };
    });
    expect(state.errors).toEqual([]);
    expect(state.sessions.length).toBeGreaterThanOrEqual(1); // the token was refreshed
    expect(state.sessions[0].accessToken).not.toBe(session.accessToken);
    await tab.close();
  });
});
