import type { Page } from 'playwright-core';
import { charge, createApiKey, DashboardHarness, waitForTestIdText } from '../helpers/dashboard';
import { describeWithBrowser } from '../helpers/browser';
import { RefreshTokenDocument } from '../generated/graphql';

/*
 * Sessions with a 10-second access-token lifetime: the WebSocket is closed whenever the token
 * that opened it expires, and the page must reconnect with a fresh token (rotating the refresh
 * token, shared by two tabs) and resume after the last version it saw, without a reload.
 */

const storedSession = (page: Page) => page.evaluate(() => JSON.parse(localStorage.getItem('credits.session') ?? 'null') as { accessToken: string; refreshToken: string } | null);

describeWithBrowser('dashboard: sessions across token expiry', () => {
  let h: DashboardHarness;
  beforeAll(async () => {
    h = await DashboardHarness.start({ ACCESS_TOKEN_TTL_SECONDS: '10' });
  });
  afterAll(async () => {
    await h?.stop();
  });

  test('with a 10-second access-token lifetime the live balance keeps updating for 30 s, in two tabs, without a reload', async () => {
    const { page, context } = await h.page();
    const user = await h.t.signUp();
    const key = await createApiKey(h.t, user); // while the sign-up's 10-second token is valid
    await h.logIn(page, user);
    const second = await context.newPage();
    await second.goto('/app/account');
    await waitForTestIdText(second, 'balance', '$5.00', 10_000);
    for (const p of [page, second]) await p.evaluate(() => ((window as unknown as { marker: number }).marker = 1));
    const firstToken = (await storedSession(page))!.accessToken;

    const started = Date.now();
    let cents = 500;
    let rounds = 0;
    while (Date.now() - started < 32_000) {
      expect((await charge(h.t, key, '0.01')).errors).toBeUndefined();
      cents -= 1;
      rounds += 1;
      const expected = `$${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
      // The contract's 2 s bound on delivery to a connected subscriber, plus one reconnect
      // (the socket closes whenever its token expires).
      await waitForTestIdText(page, 'balance', expected, 3000);
      await waitForTestIdText(second, 'balance', expected, 3000);
      await page.waitForTimeout(1500);
    }
    expect(rounds).toBeGreaterThanOrEqual(10);
    // Tokens were rotated (three lifetimes passed), both tabs are still the same documents, still logged in.
    expect((await storedSession(page))!.accessToken).not.toBe(firstToken);
    for (const p of [page, second]) expect(await p.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(1);
    expect(await page.getByRole('button', { name: 'Log in' }).count()).toBe(0);
    await context.close();
  });

  test('a refresh answered 503 SERVICE_UNAVAILABLE keeps the session, and the next refresh succeeds', async () => {
    const { page, context } = await h.page();
    let refused = 0;
    // What the API answers while PostgreSQL is unreachable: a GraphQL error, not a refusal.
    await page.route('**/graphql', async (route) => {
      if (refused === 0 && (route.request().postData() ?? '').includes('refreshToken(')) {
        refused += 1;
        return route.fulfill({
          status: 503,
          contentType: 'application/json',
          headers: { 'retry-after': '1' },
          body: JSON.stringify({ errors: [{ message: 'The database is unreachable; retry later', extensions: { code: 'SERVICE_UNAVAILABLE' } }] }),
        });
      }
      return route.continue();
    });
    await h.signUpAndLogIn(page);
    const loggedIn = (await storedSession(page))!.refreshToken;
    // The socket's token expires after 10 s: its reconnect refreshes (503), then again (success).
    await page.waitForFunction((before) => {
      const s = JSON.parse(localStorage.getItem('credits.session') ?? 'null') as { refreshToken: string } | null;
      return s !== null && s.refreshToken !== before;
    }, loggedIn, { timeout: 25_000 });
    expect(refused).toBe(1);
    expect(await page.getByRole('button', { name: 'Log in' }).count()).toBe(0);
    await page.getByTestId('balance').waitFor();
    await context.close();
  });

  test('a reused refresh token logs out cleanly', async () => {
    const { page, context } = await h.page();
    await h.signUpAndLogIn(page);
    // Someone else uses the page's refresh token first: the page's next refresh is a reuse,
    // which the server answers by revoking the whole session.
    const stolen = (await storedSession(page))!.refreshToken;
    expect((await h.t.gql(RefreshTokenDocument, { refreshToken: stolen })).errors).toBeUndefined();

    await page.getByRole('button', { name: 'Log in' }).waitFor({ timeout: 20_000 });
    await page.getByText('Your session ended. For your security, please log in again.').waitFor();
    expect(await storedSession(page)).toBeNull();
    await context.close();
  });
});
