import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';
import { fmt, gql, jwtKeys, pct, root, startServer, type BenchDb, type ServerProcess } from './harness';

/**
 * The dashboard (web/, served at /app/) in a real headless Chromium against the production
 * server process on the bench's PostgreSQL (fsync on):
 *  - JS shipped: every .js file of dist/web, gzipped here with zlib (level 9), summed.
 *  - Navigation to the first live balance painted: page.goto of /app/account with a stored
 *    session until the top-bar balance has its text (a MutationObserver installed before the
 *    page's own scripts records performance.now(), i.e. ms since navigation start), then the
 *    next animation frame (painted). Cold five times (each a new browser context: empty HTTP
 *    cache; the server has answered a few requests before, as a server in use has), then warm.
 *  - Commit-to-DOM latency of a balance change: a charge through the API; its commit time is
 *    the ledger row's createdAt from the answer (the database clock, set inside the committing
 *    transaction, so this slightly over-states the latency); the DOM time is when the
 *    MutationObserver saw the balance text change (epoch ms from performance.timeOrigin).
 *    One charge at a time, each awaited on screen, so none is coalesced away.
 */

// Functions passed to page.evaluate/addInitScript run in the browser; this file is compiled
// without the DOM library, so the few browser globals they use are declared here.
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any;
declare const document: any;
declare const MutationObserver: any;
declare const requestAnimationFrame: (fn: () => void) => number;

export interface DashboardBenchOptions {
  charges?: number;
  navigations?: number;
}

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function findChromium(): string | null {
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

/** Gzipped bytes of every file with `ext` under dist/web. */
function gzippedSize(dir: string, ext: string): { files: number; raw: number; gzip: number } {
  let files = 0;
  let raw = 0;
  let gzip = 0;
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith(ext)) {
        const buf = fs.readFileSync(p);
        files += 1;
        raw += buf.length;
        gzip += zlib.gzipSync(buf, { level: 9 }).length;
      }
    }
  };
  walk(dir);
  return { files, raw, gzip };
}

/** Installed before the page's scripts: records every text of the top-bar balance with its time. */
const OBSERVE_BALANCE = () => {
  const w = window as unknown as { balanceLog: { text: string; at: number; sinceNav: number }[] };
  w.balanceLog = [];
  let watched: { textContent: string | null } | null = null;
  const record = () => {
    const text = watched?.textContent ?? '';
    if (text && w.balanceLog[w.balanceLog.length - 1]?.text !== text) w.balanceLog.push({ text, at: performance.timeOrigin + performance.now(), sinceNav: performance.now() });
  };
  new MutationObserver(() => {
    const el = document.querySelector('[data-testid="balance"]');
    if (el !== watched) {
      watched = el;
      if (el) new MutationObserver(record).observe(el, { characterData: true, childList: true, subtree: true });
    }
    record();
  }).observe(document, { childList: true, subtree: true });
};

interface Session {
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
  lifetimeMs: number;
  accountId: string;
}

async function signUp(server: ServerProcess): Promise<{ session: Session; apiKey: string }> {
  const email = `bench-${Date.now()}@bench.dev`;
  const r = await gql<{ signUp: { accessToken: string; refreshToken: string; expiresAt: string; account: { id: string } } }>(
    server.url,
    'mutation($input: SignUpInput!) { signUp(input: $input) { accessToken refreshToken expiresAt account { id } } }',
    { input: { email, password: 'Bench-passw0rd', timezone: 'UTC' } },
  );
  const a = r.signUp;
  const expiresAt = Date.parse(a.expiresAt);
  const key = await gql<{ createApiKey: { secret: string } }>(server.url, 'mutation { createApiKey(name: "bench", scopes: [USAGE_WRITE, WALLET_READ]) { secret } }', {}, a.accessToken);
  return { session: { accessToken: a.accessToken, refreshToken: a.refreshToken, expiresAt, lifetimeMs: expiresAt - Date.now(), accountId: a.account.id }, apiKey: key.createApiKey.secret };
}

async function openDashboard(browser: Browser, server: ServerProcess, session: Session): Promise<{ page: Page; msToBalance: number; close: () => Promise<void> }> {
  const context = await browser.newContext({ baseURL: server.base });
  await context.addInitScript((s) => localStorage.setItem('credits.session', s), JSON.stringify(session));
  await context.addInitScript(OBSERVE_BALANCE);
  const page = await context.newPage();
  await page.goto('/app/account');
  await page.waitForFunction(() => (window as unknown as { balanceLog: unknown[] }).balanceLog.length > 0, null, { timeout: 30_000, polling: 'raf' });
  const msToBalance = await page.evaluate(
    () =>
      new Promise<number>((resolve) =>
        // The frame after the text was set: when it is on screen.
        requestAnimationFrame(() => resolve((window as unknown as { balanceLog: { sinceNav: number }[] }).balanceLog[0].sinceNav)),
      ),
  );
  return { page, msToBalance, close: () => context.close() };
}

/** Cold loads measured: each in a new browser context (empty HTTP cache). One sample alone swings by ±30 % on this machine. */
const COLD_RUNS = 5;

async function navigationTimes(browser: Browser, server: ServerProcess, session: Session, runs: number): Promise<{ cold: number[]; warm: number[] }> {
  const cold: number[] = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    const fresh = await openDashboard(browser, server, session);
    cold.push(fresh.msToBalance);
    await fresh.close();
  }
  const warm: number[] = [];
  // Warm: one context keeps its HTTP cache (hashed assets are immutable), new navigations.
  const context = await browser.newContext({ baseURL: server.base });
  await context.addInitScript((s) => localStorage.setItem('credits.session', s), JSON.stringify(session));
  await context.addInitScript(OBSERVE_BALANCE);
  const page = await context.newPage();
  for (let i = 0; i <= runs; i++) {
    await page.goto('/app/account');
    await page.waitForFunction(() => (window as unknown as { balanceLog: unknown[] }).balanceLog.length > 0, null, { timeout: 30_000, polling: 'raf' });
    const ms = await page.evaluate(() => new Promise<number>((r) => requestAnimationFrame(() => r((window as unknown as { balanceLog: { sinceNav: number }[] }).balanceLog[0].sinceNav))));
    if (i > 0) warm.push(ms); // the first fills the cache
  }
  await context.close();
  return { cold: cold.sort((a, b) => a - b), warm };
}

async function commitToDom(server: ServerProcess, page: Page, apiKey: string, charges: number): Promise<{ fromCommit: number[]; fromAnswer: number[] }> {
  const fromCommit: number[] = [];
  const fromAnswer: number[] = [];
  // Let the live subscription connect before measuring.
  await page.waitForSelector('.live-live', { timeout: 30_000 });
  for (let i = 0; i < charges; i++) {
    const r = await gql<{ chargeUsage: { transaction: { createdAt: string }; wallet: { balance: string } } }>(
      server.url,
      'mutation($input: ChargeUsageInput!) { chargeUsage(input: $input) { transaction { createdAt } wallet { balance } } }',
      { input: { feature: 'content_generation', providerCost: '0.01', idempotencyKey: `bench-dash-${i}-${Date.now()}` } },
      apiKey,
    );
    const answeredAt = Date.now();
    const [whole, frac = ''] = r.chargeUsage.wallet.balance.split('.');
    const shown = `${whole.replace(/\B(?=(\d{3})+$)/g, ',')}.${frac.padEnd(2, '0')}`; // as formatCredits shows it
    const at = await page.evaluate(
      (text) =>
        new Promise<number>((resolve, reject) => {
          const log = (window as unknown as { balanceLog: { text: string; at: number }[] }).balanceLog;
          const until = Date.now() + 10_000;
          const check = () => {
            const hit = log.find((e) => e.text.endsWith(text));
            if (hit) resolve(hit.at);
            else if (Date.now() > until) reject(new Error(`balance ${text} never shown`));
            else requestAnimationFrame(check);
          };
          check();
        }),
      shown,
    );
    fromCommit.push(at - Date.parse(r.chargeUsage.transaction.createdAt));
    fromAnswer.push(at - answeredAt);
  }
  return { fromCommit: fromCommit.sort((a, b) => a - b), fromAnswer: fromAnswer.sort((a, b) => a - b) };
}

export async function benchDashboard(db: BenchDb, opts: DashboardBenchOptions = {}): Promise<string> {
  const charges = opts.charges ?? Number(process.env.BENCH_DASHBOARD_CHARGES ?? 200);
  const navigations = opts.navigations ?? 10;
  const webDir = path.join(root, 'dist', 'web');
  const rows: string[] = ['## Dashboard (web/, headless Chromium)', '', '| metric | result | target |', '|---|---|---|'];

  if (!fs.existsSync(path.join(webDir, 'index.html'))) return [...rows, '| dist/web | missing: run `npm run build` | |'].join('\n');
  const js = gzippedSize(webDir, '.js');
  const css = gzippedSize(webDir, '.css');
  rows.push(`| JS shipped, gzipped (${js.files} file${js.files === 1 ? '' : 's'}, ${fmt(js.raw / 1024)} KB raw) | ${fmt(js.gzip / 1024, 1)} KB | ≤ 250 KB |`);
  rows.push(`| CSS shipped, gzipped | ${fmt(css.gzip / 1024, 1)} KB | |`);

  const executablePath = findChromium();
  if (!executablePath) return [...rows, '| browser figures | skipped: no Chromium (`apt-get install -y chromium`) | |'].join('\n');

  const server = await startServer({ DATABASE_URL: await db.createDatabase('bench_dashboard'), SIGNUP_BONUS: '100000', PRICE_BOOK: 'synfluencer', ...(await jwtKeys()) });
  const browser = await chromium.launch({ executablePath, args: FLAGS, headless: true });
  try {
    const { session, apiKey } = await signUp(server);
    // "Cold" is the browser's (empty HTTP cache, no compiled code), not the server's first requests.
    for (let i = 0; i < 20; i++) await gql(server.url, '{ me { id wallet { balance } } unreadMessageCount priceBook { name } billingSettings { topUpAvailable } }', {}, session.accessToken);
    const nav = await navigationTimes(browser, server, session, navigations);
    const warm = [...nav.warm].sort((a, b) => a - b);
    rows.push(`| navigation → first live balance painted, cold cache (p50 / max of ${nav.cold.length}; the first is the browser's first page) | ${fmt(pct(nav.cold, 50))} / ${fmt(nav.cold[nav.cold.length - 1])} ms | ≤ 1000 ms |`);
    rows.push(`| navigation → first live balance painted, warm (p50 / max of ${warm.length}) | ${fmt(pct(warm, 50))} / ${fmt(warm[warm.length - 1])} ms | ≤ 1000 ms |`);

    const open = await openDashboard(browser, server, session);
    const latency = await commitToDom(server, open.page, apiKey, charges);
    await open.close();
    rows.push(`| commit → DOM, balance change (p50 / p99 / max of ${charges}; commit = ledger createdAt) | ${fmt(pct(latency.fromCommit, 50), 1)} / ${fmt(pct(latency.fromCommit, 99), 1)} / ${fmt(latency.fromCommit[latency.fromCommit.length - 1], 1)} ms | |`);
    rows.push(`| HTTP answer received → DOM (p50 / p99; negative: the push won the race) | ${fmt(pct(latency.fromAnswer, 50), 1)} / ${fmt(pct(latency.fromAnswer, 99), 1)} ms | |`);
  } finally {
    await browser.close();
    await server.stop();
  }
  return rows.join('\n');
}
