import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { PASSWORD, startTestApp, type TestApp, type TestUser } from './app';
import { ChargeUsageDocument, CreateApiKeyDocument } from '../generated/graphql';

/**
 * End-to-end tests of the dashboard in a real headless Chromium (Debian's `chromium` package,
 * driven by playwright-core) against the real app on a real database.
 *
 * No Chromium: the suite is skipped with a message saying so, except when CI=true, where a
 * missing browser is a failure (.ci/run installs it).
 */

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const ROOT = path.join(__dirname, '..', '..');
export const ARTIFACTS = path.join(ROOT, 'artifacts');

export function findChromium(): string | null {
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      const found = execFileSync('which', [name], { encoding: 'utf8' }).trim();
      if (found) return found;
    } catch {
      /* not on PATH */
    }
  }
  return null;
}

/** `describe` when a Chromium is installed; otherwise a loud skip, or a failing test under CI=true. */
export function describeInBrowser(name: string, fn: () => void): void {
  if (findChromium()) {
    describe(name, fn);
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      test('a Chromium is installed (CI=true)', () => {
        throw new Error('No Chromium found (`which chromium`): CI must install it (apt-get install -y chromium) so the browser tests run.');
      });
    });
    return;
  }
  console.warn(`\n  SKIPPED browser tests "${name}": no Chromium found (\`which chromium\`). Install it with: apt-get install -y chromium\n`);
  describe.skip(name, fn);
}

export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });

/** The app under test, its base URL, and one Chromium (each context is a fresh, isolated profile). */
export class DashboardHarness {
  private constructor(
    readonly t: TestApp,
    readonly browser: Browser,
    readonly base: string,
  ) {}

  /**
   * Boots the app on a known port (billing return URLs must name it) and launches Chromium.
   * Playwright gives every launch a fresh temporary user-data-dir and removes it on close.
   */
  static async start(env: Record<string, string> = {}): Promise<DashboardHarness> {
    if (!fs.existsSync(path.join(ROOT, 'dist', 'web', 'index.html'))) throw new Error('dist/web is missing: run `npm run build` first (npm test does)');
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const t = await startTestApp(
      {
        BILLING_SUCCESS_URL: `${base}/app/account?checkout=success&session_id={CHECKOUT_SESSION_ID}`,
        BILLING_CANCEL_URL: `${base}/app/account?checkout=cancel`,
        BILLING_PORTAL_RETURN_URL: `${base}/app/account`,
        ...env,
      },
      { port },
    );
    const browser = await chromium.launch({ executablePath: findChromium()!, args: CHROMIUM_FLAGS, headless: true });
    return new DashboardHarness(t, browser, base);
  }

  async stop(): Promise<void> {
    await this.browser?.close();
    await this.t?.stop();
  }

  /** A new isolated browser profile and page; page errors fail loudly in the test output. */
  async page(opts: { width?: number; height?: number } = {}): Promise<{ context: BrowserContext; page: Page }> {
    const context = await this.browser.newContext({
      baseURL: this.base,
      viewport: { width: opts.width ?? 1280, height: opts.height ?? 900 },
      acceptDownloads: true,
      timezoneId: 'UTC',
      locale: 'en-US',
    });
    const page = await context.newPage();
    page.on('pageerror', (err) => console.error(`page error: ${err.message}\n${err.stack ?? ''}`));
    if (process.env.E2E_DEBUG) page.on('console', (m) => console.log(`console ${m.type()}: ${m.text()}`));
    if (process.env.E2E_DEBUG) page.on('response', (r) => r.url().includes('/graphql') && r.request().postData()?.includes('Refresh') && void r.text().then((t) => console.log('refresh ->', t.slice(0, 200))));
    return { context, page };
  }

  /** Logs in through the form (the stable hooks: "Email", "Password", "Log in") and waits for the balance. */
  async logIn(page: Page, user: { email: string; password?: string }, to = '/app/account'): Promise<void> {
    await page.goto(to);
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password ?? PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByTestId('balance').waitFor();
  }

  async signUpAndLogIn(page: Page, opts: { timezone?: string; email?: string } = {}): Promise<TestUser> {
    const user = await this.t.signUp(opts);
    await this.logIn(page, user);
    return user;
  }

  /** Full-page screenshot into artifacts/ (git-ignored). */
  async screenshot(page: Page, name: string): Promise<void> {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
  }
}

/**
 * Resolves once the element with `data-testid` contains `expected` (checked in the page on every
 * animation frame, so the time measured is the page's, not a polling interval's).
 */
export async function waitForTestIdText(page: Page, testId: string, expected: string, timeoutMs: number): Promise<void> {
  try {
    await page.waitForFunction(
      ([id, text]) => Array.from(document.querySelectorAll(`[data-testid="${id}"]`)).some((el) => (el.textContent ?? '').includes(text)),
      [testId, expected] as const,
      { timeout: timeoutMs, polling: 'raf' },
    );
  } catch {
    const seen = await page.getByTestId(testId).allTextContents().catch(() => []);
    const body = seen.length ? '' : ` (page text: ${JSON.stringify(((await page.textContent('body').catch(() => '')) ?? '').slice(0, 300))})`;
    throw new Error(`[data-testid=${testId}] did not contain "${expected}" within ${timeoutMs} ms; it shows ${JSON.stringify(seen)}${body}`);
  }
}

// ---------------------------------------------------------------- the API side of a test (a partner's pipeline)

export async function createApiKey(t: TestApp, user: TestUser): Promise<string> {
  const r = await t.ok(CreateApiKeyDocument, { name: 'render pipeline', scopes: ['USAGE_WRITE', 'WALLET_READ'] }, user.token);
  return r.createApiKey.secret;
}

let chargeSeq = 0;
/** A PASS_THROUGH charge of exactly `amount` credits (synfluencer preset, markup 1). */
export function charge(t: TestApp, key: string, amount: string, extra: { synfluencerId?: string; platform?: string; feature?: string } = {}) {
  return t.gql(ChargeUsageDocument, { input: { feature: extra.feature ?? 'content_generation', providerCost: amount, idempotencyKey: `e2e-${Date.now()}-${++chargeSeq}`, ...extra } }, key);
}
