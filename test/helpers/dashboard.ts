import fs from 'node:fs';
import { AxeBuilder } from '@axe-core/playwright';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { PASSWORD, startTestApp, type TestApp, type TestUser } from './app';
import { artifactPath, launchBrowser } from './browser';
import { freePort } from './compiled-server';
import { ChargeUsageDocument, CreateApiKeyDocument } from '../generated/graphql';

/**
 * The dashboard (web/, served at /app/) end to end: the real app on a real database, the built
 * dist/web, and a headless Chromium (test/helpers/browser.ts). Suites wrap themselves in
 * `describeWithBrowser`, so they are skipped with a message without a Chromium and fail under
 * CI=true.
 */

const ROOT = path.join(__dirname, '..', '..');

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
        BILLING_SETUP_SUCCESS_URL: `${base}/app/account?checkout=card_saved&session_id={CHECKOUT_SESSION_ID}`,
        BILLING_SETUP_CANCEL_URL: `${base}/app/account?checkout=card_cancel`,
        BILLING_PORTAL_RETURN_URL: `${base}/app/account`,
        ...env,
      },
      { port },
    );
    const browser = await launchBrowser();
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
    await page.screenshot({ path: artifactPath(`${name}.png`), fullPage: true });
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

/**
 * Records, inside the page, when each `data-testid` element first contains its text (epoch ms
 * from performance.timeOrigin, the same clock as Date.now() here). Returns a function that waits
 * for all of them and answers the times: latency is then measured by the page itself, not by the
 * round trips of the test harness (which a loaded machine stretches).
 */
export async function recordWhenShown(page: Page, expected: Record<string, string>): Promise<(timeoutMs: number) => Promise<Record<string, number>>> {
  await page.evaluate((texts) => {
    const w = window as unknown as { shownAt: Record<string, number> };
    w.shownAt = {};
    const check = () => {
      for (const [id, text] of Object.entries(texts)) {
        if (w.shownAt[id] === undefined && Array.from(document.querySelectorAll(`[data-testid="${id}"]`)).some((el) => (el.textContent ?? '').includes(text))) {
          w.shownAt[id] = performance.timeOrigin + performance.now();
        }
      }
    };
    check();
    new MutationObserver(check).observe(document.body, { subtree: true, childList: true, characterData: true });
  }, expected);
  return async (timeoutMs) => {
    await page.waitForFunction((ids) => ids.every((id) => (window as unknown as { shownAt: Record<string, number> }).shownAt[id] !== undefined), Object.keys(expected), { timeout: timeoutMs });
    return page.evaluate(() => (window as unknown as { shownAt: Record<string, number> }).shownAt);
  };
}

/** axe-core's serious and critical violations on the page (or inside `include`, a CSS selector), one line each. */
export async function seriousViolations(page: Page, include?: string): Promise<string[]> {
  const builder = new AxeBuilder({ page });
  const result = await (include ? builder.include(include) : builder).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
}
