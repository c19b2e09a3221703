import http from 'node:http';
import NodeWebSocket from 'ws';
import type { Browser, Page } from 'playwright-core';
import { loadConfig } from '../src/config';
import { originMatcher } from '../src/shared/cors';
import { startTestApp, type TestApp, type TestUser } from './helpers/app';
import { describeWithBrowser, launchBrowser } from './helpers/browser';

/** A blank page served on its own port: "a page on another origin" than the API. */
async function startPageServer(): Promise<{ origin: string; close: () => Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>partner page</title><p>partner page');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    origin: `http://localhost:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Opens the API's WebSocket with a given Origin header (as a browser would send). */
function upgradeWithOrigin(wsUrl: string, origin: string | undefined): Promise<'open' | number> {
  return new Promise((resolve) => {
    const socket = new NodeWebSocket(wsUrl, 'graphql-transport-ws', origin ? { origin } : {});
    socket.on('open', () => {
      socket.close();
      resolve('open');
    });
    socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    socket.on('error', () => resolve(-1));
  });
}

describe('CORS_ORIGINS configuration', () => {
  it('defaults to localhost and 127.0.0.1 on any port outside production, and to no origin in production', () => {
    const dev = originMatcher(loadConfig({ NODE_ENV: 'development' }).corsOrigins);
    expect(dev('http://localhost:5173')).toBe(true);
    expect(dev('http://127.0.0.1:8080')).toBe(true);
    expect(dev('http://localhost')).toBe(true); // any port includes the default one (browsers then send no port)
    expect(dev('https://localhost.evil.test:5173')).toBe(false);
    expect(dev('http://evil.test')).toBe(false);
    const prod = originMatcher(loadConfig({ NODE_ENV: 'production', JWT_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----', JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----' }).corsOrigins);
    expect(prod('http://localhost:5173')).toBe(false);
  });

  it('takes exact origins, any-port entries and *, and refuses entries that are not origins', () => {
    const allowed = originMatcher(loadConfig({ CORS_ORIGINS: 'https://app.example.com, http://localhost:*' }).corsOrigins);
    expect(allowed('https://app.example.com')).toBe(true);
    expect(allowed('https://APP.example.com')).toBe(true);
    expect(allowed('https://app.example.com:8443')).toBe(false);
    expect(allowed('http://app.example.com')).toBe(false);
    expect(allowed('http://localhost:3000')).toBe(true);
    expect(originMatcher(loadConfig({ CORS_ORIGINS: '*' }).corsOrigins)('https://anyone.test')).toBe(true);
    expect(() => loadConfig({ CORS_ORIGINS: 'https://app.example.com/' })).toThrow(/CORS_ORIGINS/);
    expect(() => loadConfig({ CORS_ORIGINS: 'app.example.com' })).toThrow(/CORS_ORIGINS/);
  });
});

describe('CORS on the wire (HTTP preflight, answers, WebSocket upgrade)', () => {
  const allowedOrigin = 'https://studio.example.com';
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ CORS_ORIGINS: allowedOrigin });
  });
  afterAll(() => t.stop());

  const preflight = (url: string, origin: string) =>
    fetch(url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' } });

  it('answers a preflight for /graphql from an allowed origin: Authorization and Content-Type allowed, no credentials', async () => {
    const res = await preflight(t.url, allowedOrigin);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(allowedOrigin);
    const allowedHeaders = res.headers.get('access-control-allow-headers')!.toLowerCase().split(',');
    expect(allowedHeaders).toEqual(expect.arrayContaining(['authorization', 'content-type']));
    // What stock clients add: Apollo Client's name and version, an MCP client's protocol version.
    expect(allowedHeaders).toEqual(expect.arrayContaining(['apollographql-client-name', 'apollographql-client-version', 'mcp-protocol-version']));
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    expect(Number(res.headers.get('access-control-max-age'))).toBeGreaterThan(0);
    expect(res.headers.get('vary')).toContain('Origin');
  });

  it('answers preflights for the other JSON routes too', async () => {
    const base = t.url.replace(/\/graphql$/, '');
    for (const path of ['/exports/usage.csv', '/readyz']) {
      const res = await preflight(`${base}${path}`, allowedOrigin);
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe(allowedOrigin);
    }
  });

  it('refuses a preflight from any other origin with a JSON 403 and no Access-Control headers', async () => {
    const res = await preflight(t.url, 'https://evil.example.net');
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0].extensions.code).toBe('FORBIDDEN');
  });

  it('marks answers to allowed origins (and only those) readable, exposing x-request-id', async () => {
    const ask = (origin: string) =>
      fetch(t.url, { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ priceBook { name } }' }) });
    const allowed = await ask(allowedOrigin);
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(allowedOrigin);
    expect(allowed.headers.get('access-control-expose-headers')!.toLowerCase()).toContain('x-request-id');
    const other = await ask('https://evil.example.net');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect(other.headers.get('vary')).toContain('Origin');
  });

  it('answers a refused upgrade with JSON in the GraphQL error shape: another origin 403 FORBIDDEN, another path 404 NOT_FOUND (they were text/html 403 and 400)', async () => {
    const refusal = (url: string, origin?: string) =>
      new Promise<{ status: number; contentType: string; body: unknown }>((resolve, reject) => {
        const socket = new NodeWebSocket(url, 'graphql-transport-ws', origin ? { origin } : {});
        socket.on('open', () => reject(new Error('the upgrade was accepted')));
        socket.on('unexpected-response', (_req, res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type']), body: JSON.parse(text) }));
        });
        socket.on('error', reject);
      });
    expect(await refusal(t.wsUrl, 'https://evil.example.net')).toEqual({
      status: 403,
      contentType: 'application/json; charset=utf-8',
      body: { errors: [{ message: 'Origin https://evil.example.net is not allowed: add it to CORS_ORIGINS', extensions: { code: 'FORBIDDEN' } }] },
    });
    for (const path of ['/', '/subscriptions', '/graphqlx', '/app/']) {
      const url = t.wsUrl.replace(/\/graphql$/, path);
      expect({ path, ...(await refusal(url)) }).toEqual({
        path,
        status: 404,
        contentType: 'application/json; charset=utf-8',
        body: { errors: [{ message: 'No WebSocket endpoint at this path: connect graphql-ws to /graphql', extensions: { code: 'NOT_FOUND' } }] },
      });
    }
    // Another path from a refused origin: the path is what is wrong first.
    expect((await refusal(t.wsUrl.replace(/\/graphql$/, '/nope'), 'https://evil.example.net')).status).toBe(404);
  });

  it('checks the same allowlist on the WebSocket upgrade: other origins get 403; same-origin pages and clients without Origin connect', async () => {
    expect(await upgradeWithOrigin(t.wsUrl, allowedOrigin)).toBe('open');
    expect(await upgradeWithOrigin(t.wsUrl, 'https://evil.example.net')).toBe(403);
    expect(await upgradeWithOrigin(t.wsUrl, undefined)).toBe('open');
    expect(await upgradeWithOrigin(t.wsUrl, t.url.replace(/\/graphql$/, ''))).toBe('open');
  });
});

describeWithBrowser('CORS from a page on another origin, in headless Chromium', () => {
  let t: TestApp;
  let user: TestUser;
  let browser: Browser;
  let allowedPage: Awaited<ReturnType<typeof startPageServer>>;
  let otherPage: Awaited<ReturnType<typeof startPageServer>>;

  beforeAll(async () => {
    allowedPage = await startPageServer();
    otherPage = await startPageServer();
    // The API on 127.0.0.1, the pages on localhost: different origins even on one machine.
    t = await startTestApp({ CORS_ORIGINS: allowedPage.origin });
    user = await t.signUp();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
    await allowedPage?.close();
    await otherPage?.close();
  });

  async function openPage(origin: string): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(`${origin}/`);
    return page;
  }

  /** In the page: a POST with Authorization and JSON (so the browser must preflight). */
  const callApi = (page: Page) =>
    page.evaluate(
      async ({ api, token }) => {
        try {
          const res = await fetch(api, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: JSON.stringify({ query: '{ me { email wallet { balance } } }' }),
          });
          return { status: res.status, requestId: res.headers.get('x-request-id'), body: await res.json() };
        } catch (err) {
          return { failed: String(err) };
        }
      },
      { api: t.url, token: user.token },
    );

  /** In the page: graphql-ws by hand (connection_init, one subscription), reporting what came back. */
  const subscribeFromPage = (page: Page) =>
    page.evaluate(
      ({ wsUrl, token }) =>
        new Promise<{ opened: boolean; first?: string; balance?: string; closeCode?: number }>((resolve) => {
          let opened = false;
          const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
          const done = (result: { first?: string; balance?: string; closeCode?: number }) => {
            resolve({ opened, ...result });
            socket.close();
          };
          socket.onopen = () => {
            opened = true;
            socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
          };
          socket.onmessage = (event) => {
            const message = JSON.parse(String(event.data));
            if (message.type === 'connection_ack') {
              socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription { balanceChanged(afterVersion: "0") { balance version } }' } }));
            } else {
              done({ first: message.type, balance: message.payload?.data?.balanceChanged?.balance });
            }
          };
          socket.onclose = (event) => done({ closeCode: event.code });
          setTimeout(() => done({}), 10_000);
        }),
      { wsUrl: t.wsUrl, token: user.token },
    );

  it('a page on an allowed origin calls /graphql with a bearer token (preflighted) and reads the answer', async () => {
    const page = await openPage(allowedPage.origin);
    const result = await callApi(page);
    expect(result).toMatchObject({ status: 200, body: { data: { me: { email: user.email, wallet: { balance: '5' } } } } });
    expect((result as { requestId: string }).requestId).toBeTruthy(); // an exposed header
    await page.close();
  });

  it('a page on an allowed origin subscribes over the WebSocket and gets the current balance', async () => {
    const page = await openPage(allowedPage.origin);
    expect(await subscribeFromPage(page)).toMatchObject({ opened: true, first: 'next', balance: '5' });
    await page.close();
  });

  it('a page on any other origin can neither read an answer nor open the WebSocket', async () => {
    const page = await openPage(otherPage.origin);
    const result = await callApi(page);
    expect(result).toEqual({ failed: expect.stringContaining('Failed to fetch') });
    const socket = await subscribeFromPage(page);
    expect(socket.opened).toBe(false);
    expect(socket.first).toBeUndefined();
    await page.close();
  });
});
