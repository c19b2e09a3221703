import fs from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { loadConfig } from '../src/config';
import { explorerDir } from '../src/site/site';
import { startTestApp, type TestApp, type TestUser } from './helpers/app';
import { artifactPath, describeWithBrowser, launchBrowser } from './helpers/browser';
import { ChargeUsageDocument } from './generated/graphql';

const origin = (t: TestApp) => t.url.replace(/\/graphql$/, '');

describe('landing page and explorer routes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  it('GET / says what the service is and links the explorer, the dashboard, health, metrics and docs', async () => {
    const res = await fetch(`${origin(t)}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    expect(html).toContain('credits and billing service');
    for (const href of ['/graphql', '/app/', '/healthz', '/readyz', '/metrics', '/docs/partners.md', '/CHANGELOG.md', '/schema/schema.graphql']) {
      expect(html).toContain(`href="${href}"`);
    }
  });

  it('serves the partner docs, the changelog and the SDL as text', async () => {
    for (const [path, needle] of [
      ['/docs/partners.md', '# Partner guide'],
      ['/CHANGELOG.md', '## Unreleased'],
      ['/schema/schema.graphql', 'type Wallet'],
    ]) {
      const res = await fetch(`${origin(t)}${path}`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain(needle);
    }
  });

  it("every relative link of the served partner guide resolves on the server (README, examples, codegen.yml, schema, changelog)", async () => {
    const guideUrl = `${origin(t)}/docs/partners.md`;
    const guide = await (await fetch(guideUrl)).text();
    const targets = [...new Set([...guide.matchAll(/\]\((\.\.?\/[^)#\s]+)/g)].map((m) => new URL(m[1], guideUrl).pathname))];
    expect(targets).toEqual(expect.arrayContaining(['/README.md', '/codegen.yml', '/examples/partner/render-job.ts', '/examples/browser/live-balance.ts', '/schema/schema.graphql', '/CHANGELOG.md']));
    const answers = await Promise.all(targets.map(async (target) => [target, (await fetch(`${origin(t)}${target}`)).status]));
    expect(answers.filter(([, status]) => status !== 200)).toEqual([]);
  });

  it('GET /graphql answers a browser (Accept: text/html) with the explorer built from local assets, and GraphQL clients as before', async () => {
    const page = await fetch(t.url, { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(page.status).toBe(200);
    // No other site may frame it: it holds a bearer token and runs mutations.
    expect(page.headers.get('content-security-policy')).toBe("frame-ancestors 'none'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    const html = await page.text();
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]).filter((a) => !a.startsWith('data:'));
    expect(assets.length).toBeGreaterThan(0);
    for (const asset of assets) {
      expect(asset.startsWith('/explorer/')).toBe(true); // nothing from a CDN
      const res = await fetch(`${origin(t)}${asset}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toContain('immutable');
    }
    const api = await fetch(`${t.url}?query=${encodeURIComponent('{ priceBook { name } }')}`, { headers: { accept: 'application/json', 'apollo-require-preflight': '1' } });
    expect(api.status).toBe(200);
    expect(await api.json()).toEqual({ data: { priceBook: { name: 'synfluencer' } } });
  });

  it('is on by default except in production, and GRAPHQL_EXPLORER turns it on or off', async () => {
    const keys = { JWT_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----', JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----' };
    expect(loadConfig({ NODE_ENV: 'development' }).explorer).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production', ...keys }).explorer).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', GRAPHQL_EXPLORER: 'on', ...keys }).explorer).toBe(true);
    const off = await startTestApp({ GRAPHQL_EXPLORER: 'off' });
    try {
      const res = await fetch(off.url, { headers: { accept: 'text/html' } });
      expect(res.headers.get('content-type')).not.toContain('text/html');
      expect((await fetch(`${origin(off)}/`).then((r) => r.text())).includes('href="/graphql"')).toBe(false);
    } finally {
      await off.stop();
    }
  });
});

describeWithBrowser('explorer in headless Chromium', () => {
  let t: TestApp;
  let user: TestUser;
  let browser: Browser;
  let context: BrowserContext; // one browser profile: the token entered once stays in its localStorage
  const external: string[] = [];

  beforeAll(async () => {
    expect(fs.existsSync(`${explorerDir()}/index.html`)).toBe(true); // npm run build builds it
    t = await startTestApp();
    user = await t.signUp();
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1400, height: 860 } });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  /** A page that records (and blocks) every request leaving this server: the explorer must work offline. */
  async function openOffline(path: string): Promise<Page> {
    const page = await context.newPage();
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(origin(t)) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
      external.push(url);
      return route.abort();
    });
    // The explorer is ready to run documents once it holds the schema (its introspection query answered).
    const schemaLoaded = path.startsWith('/graphql') ? page.waitForResponse((res) => res.url() === t.url && (res.request().postData() ?? '').includes('IntrospectionQuery')) : null;
    await page.goto(`${origin(t)}${path}`);
    await schemaLoaded;
    return page;
  }

  const responseText = (page: Page) => page.locator('.graphiql-response .view-lines').innerText().then((text) => text.replace(/\u00a0/g, ' '));

  const responseIncludes = (page: Page, text: string, timeout: number) =>
    page
      .waitForFunction((t) => document.querySelector('.graphiql-response')?.textContent?.includes(t) ?? false, text, { timeout })
      .then(() => true)
      .catch(() => false);

  /**
   * Presses GraphiQL's run button until the answer shows `expected`. On a loaded machine the
   * editor may not have taken the document yet when the button is first pressed (nothing runs);
   * a press while an operation runs would stop it, so it is pressed only while it says Execute.
   */
  async function runUntil(page: Page, expected: string, attempts = 6): Promise<void> {
    for (let i = 0; i < attempts; i++) {
      const execute = page.getByRole('button', { name: /^Execute query/ });
      if (await execute.isVisible()) await execute.click();
      if (await responseIncludes(page, expected, 5000)) return;
    }
    throw new Error(`the explorer never showed ${expected}: ${await responseText(page)}`);
  }

  async function useToken(page: Page, token: string): Promise<void> {
    await page.getByLabel('Access token or API key').fill(token);
    await page.getByRole('button', { name: 'Use', exact: true }).click();
  }

  it('runs a query with the token entered once in the bar (sent as Authorization)', async () => {
    const page = await openOffline(`/graphql?query=${encodeURIComponent('query Wallet { me { email wallet { balance } } }')}`);
    await useToken(page, user.token);
    const sent = page.waitForRequest((req) => req.url() === t.url && req.method() === 'POST' && (req.postData() ?? '').includes('Wallet'));
    await runUntil(page, 'balance');
    expect((await sent).headers()['authorization']).toBe(`Bearer ${user.token}`);
    const text = await responseText(page);
    expect(text).toContain(user.email);
    expect(text).toMatch(/"balance": "5"/);
    // The documentation pane shows the schema's own descriptions, starting at the root types.
    await page.getByRole('button', { name: 'Show Documentation Explorer' }).click();
    await page.locator('.graphiql-doc-explorer').getByText('Query', { exact: true }).click();
    await page.locator('.graphiql-doc-explorer').getByText(/^Reads\. Send/).waitFor();
    await page.screenshot({ path: artifactPath('explorer.png') });
    await page.close();
  });

  it('keeps the token for the next visit and streams a subscription over graphql-ws', async () => {
    const subscription = 'subscription Live { balanceChanged(afterVersion: "0") { balance version cause } }';
    const page = await openOffline(`/graphql?query=${encodeURIComponent(subscription)}`);
    await runUntil(page, '"5"');
    await t.ok(ChargeUsageDocument, { input: { feature: 'talking_head', quantity: 10, idempotencyKey: 'explorer-live-1' } }, user.token);
    expect(await responseIncludes(page, '"4"', 10_000)).toBe(true);
    expect(await responseText(page)).toContain('"cause": "USAGE"');
    await page.screenshot({ path: artifactPath('explorer-subscription.png') });
    await page.close();
  });

  it('the landing page renders (screenshot) and nothing in either page reached beyond this server', async () => {
    const page = await openOffline('/');
    await page.getByRole('heading', { name: 'Synfluencer credits API' }).waitFor();
    await page.screenshot({ path: artifactPath('landing.png'), fullPage: true });
    await page.close();
    expect(external).toEqual([]);
  });
});
