import type { Page } from 'playwright-core';
import { errorCode, PASSWORD, type TestApp, type TestUser } from '../helpers/app';
import { charge, createApiKey, DashboardHarness, waitForTestIdText } from '../helpers/dashboard';
import { describeWithBrowser } from '../helpers/browser';
import { ChargeUsageBatchDocument, CreateSynfluencerDocument, GrantCreditsDocument, LogInDocument, MarkMessagesReadDocument, MessagesDocument, UnreadMessageCountDocument } from '../generated/graphql';

/*
 * The dashboard when things go wrong or get long: a page's code that fails to load, more
 * messages than one page holds, where the keyboard focus goes after an action, and forms that
 * forget what no longer applies.
 */

/** What has the keyboard focus: its tag, accessible label, text, id and test id. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    return el ? { tag: el.tagName.toLowerCase(), label: el.getAttribute('aria-label'), text: (el.textContent ?? '').trim(), id: el.id, testId: el.getAttribute('data-testid') } : null;
  });

/**
 * Waits (up to 2 s) for the focus to land on what `expected` describes, then asserts it: the page
 * moves the focus once its mutation's refetch has resolved, which can come a frame after the
 * list the test waits for has re-rendered.
 */
async function expectFocus(page: Page, expected: Partial<Record<'tag' | 'label' | 'text' | 'id' | 'testId', string>>): Promise<void> {
  const matches = (now: Awaited<ReturnType<typeof focused>>) => now !== null && Object.entries(expected).every(([key, value]) => now[key as keyof typeof now] === value);
  for (const deadline = Date.now() + 2000; !matches(await focused(page)) && Date.now() < deadline; ) await page.waitForTimeout(20);
  expect(await focused(page)).toMatchObject(expected);
}

/**
 * Messages through the API only: each spend of the whole balance fires three LOW_CREDITS
 * (25, 10 and 0 %) and a CREDITS_DEPLETED message, and an admin grant starts a new cycle.
 */
async function makeMessages(t: TestApp, user: TestUser, cycles: number): Promise<void> {
  const key = await createApiKey(t, user);
  const admin = await t.admin();
  expect((await charge(t, key, '5')).errors).toBeUndefined(); // the sign-up bonus
  for (let i = 1; i < cycles; i++) {
    await t.ok(GrantCreditsDocument, { accountId: user.accountId, amount: '1', reason: 'refill', idempotencyKey: `refill-${user.accountId}-${i}` }, admin.token);
    expect((await charge(t, key, '1')).errors).toBeUndefined();
  }
}

describeWithBrowser('dashboard: resilience', () => {
  let h: DashboardHarness;
  beforeAll(async () => {
    h = await DashboardHarness.start();
  });
  afterAll(async () => {
    await h?.stop();
  });

  const marker = (page: Page) => page.evaluate(() => (window as unknown as { marker?: number }).marker);
  const setMarker = (page: Page) => page.evaluate(() => ((window as unknown as { marker?: number }).marker = 42));

  test('offline, a page whose code fails to load says so under the top bar; navigation recovers; Try again loads it once online', async () => {
    const { page, context } = await h.page();
    await h.signUpAndLogIn(page);
    await setMarker(page);
    await context.setOffline(true);

    await page.getByRole('link', { name: 'Personas' }).click();
    await page.getByRole('heading', { name: 'This page could not be loaded', level: 1 }).waitFor();
    await page.getByText('Check your connection, then try again.').waitFor();
    expect(await page.getByTestId('balance').isVisible()).toBe(true);
    expect(await page.getByRole('navigation', { name: 'Main' }).isVisible()).toBe(true);

    // A page already loaded still works, and coming back tries the import again.
    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByRole('heading', { name: 'Account', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'Personas' }).click();
    await page.getByRole('heading', { name: 'This page could not be loaded', level: 1 }).waitFor();
    // Still offline: Try again fails again and does not reload (that would show the browser's offline page).
    // Pressed with the keyboard, it keeps the focus while it tries and after it failed.
    await page.getByRole('button', { name: 'Try again' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Try again' }).waitFor();
    await page.getByRole('heading', { name: 'This page could not be loaded', level: 1 }).waitFor();
    await expectFocus(page, { tag: 'button', text: 'Try again' });

    await context.setOffline(false);
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.getByRole('heading', { name: 'Personas', level: 1 }).waitFor();
    await page.getByText('Create a persona').waitFor();
    expect(await page.getByTestId('balance').isVisible()).toBe(true); // still logged in
    // Whether that took a reload depends on the browser: one that keeps a failed import (Chromium
    // 150 does) fails the import again, finds the server answering and reloads the app (App.tsx).
    await context.close();
  });

  test("after a redeploy (the page's chunk answers 404), Try again reloads the app, which loads the page", async () => {
    const { page, context } = await h.page();
    await h.signUpAndLogIn(page);
    await page.route('**/app/assets/PersonasPage-*.js', (route) => route.fulfill({ status: 404, body: 'not found' }));
    await page.getByRole('link', { name: 'Personas' }).click();
    await page.getByRole('heading', { name: 'This page could not be loaded', level: 1 }).waitFor();
    expect(await page.getByTestId('balance').isVisible()).toBe(true);

    // Still missing while the server answers: Try again reloads (here the chunk is still missing after the reload).
    await setMarker(page);
    await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Try again' }).click()]);
    await page.getByRole('heading', { name: 'This page could not be loaded', level: 1 }).waitFor();
    expect(await marker(page)).toBeUndefined();
    expect(await page.getByTestId('balance').isVisible()).toBe(true);

    // The new version is there: Try again loads the page.
    await page.unroute('**/app/assets/PersonasPage-*.js');
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.getByRole('heading', { name: 'Personas', level: 1 }).waitFor();
    await page.getByText('Create a persona').waitFor();
    await context.close();
  });

  test('more messages than a page holds: the unread count is the server\'s, Show older reaches them all, Mark all read marks every one; the focus follows', async () => {
    const { page, context } = await h.page();
    const user = await h.t.signUp();
    await makeMessages(h.t, user, 21); // 84 messages
    // The 4 oldest read: 80 unread, 4 read, the read ones beyond the first page of all messages.
    const all = await h.t.ok(MessagesDocument, { first: 100 }, user.token);
    expect(all.messages.edges).toHaveLength(84);
    await h.t.ok(MarkMessagesReadDocument, { ids: all.messages.edges.slice(-4).map((e) => e.node.id) }, user.token);

    await h.logIn(page, user, '/app/messages');
    await waitForTestIdText(page, 'unread-count', '80', 5000);
    await page.getByRole('heading', { name: 'Unread (80)', level: 2 }).waitFor();
    const unreadList = page.getByRole('region', { name: /^Unread/ }).getByTestId('message');
    const readList = page.getByRole('region', { name: 'Read', exact: true }).getByTestId('message');
    await page.waitForFunction(() => document.querySelectorAll('.message.unread').length === 50);
    // The read ones come after 80 unread: the list goes on past pages with none to show.
    await readList.nth(3).waitFor();
    expect(await readList.count()).toBe(4);

    await page.getByRole('button', { name: 'Show older unread messages' }).click();
    await unreadList.nth(79).waitFor();
    expect(await unreadList.count()).toBe(80);
    expect(await page.getByRole('button', { name: 'Show older unread messages' }).count()).toBe(0);
    // The focus is on the first message of the page asked for.
    expect(await page.evaluate(() => document.activeElement === document.querySelectorAll('.message.unread')[50])).toBe(true);

    // Mark read on an older message: the focus goes to the next one's Mark read.
    const nextTitle = await unreadList.nth(61).locator('h3').textContent();
    await unreadList.nth(60).getByRole('button', { name: /^Mark read/ }).click();
    await page.getByRole('heading', { name: 'Unread (79)', level: 2 }).waitFor();
    await waitForTestIdText(page, 'unread-count', '79', 5000);
    expect(await focused(page)).toMatchObject({ tag: 'button', text: `Mark read: ${nextTitle}` });

    await page.getByRole('button', { name: 'Mark all read' }).click();
    await page.getByRole('heading', { name: 'Unread (0)', level: 2 }).waitFor();
    await waitForTestIdText(page, 'unread-count', '0', 5000);
    await page.getByText('You have read everything.').waitFor();
    expect((await h.t.ok(UnreadMessageCountDocument, {}, user.token)).unreadMessageCount).toBe(0);
    await expectFocus(page, { tag: 'h2', id: 'unread-title' });
    // Every message is under Read now, paged.
    await page.getByRole('button', { name: 'Show older read messages' }).click();
    await readList.nth(83).waitFor();
    await context.close();
  });

  test('personas: Rename starts from the current name, Escape and Cancel end it and give the focus back to Rename; archiving leaves the focus on the list', async () => {
    const { page, context } = await h.page();
    const user = await h.signUpAndLogIn(page);
    await h.t.ok(CreateSynfluencerDocument, { input: { name: 'Nova', handle: '@nova', platforms: ['tiktok'] } }, user.token);
    await page.getByRole('link', { name: 'Personas' }).click();
    await page.getByTestId('persona').filter({ hasText: 'Nova' }).waitFor();

    await page.getByRole('button', { name: 'Rename Nova' }).click();
    await page.getByLabel('New name for Nova').fill('Abandoned');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expectFocus(page, { tag: 'button', label: 'Rename Nova' });

    // The abandoned draft is gone; Escape cancels too.
    await page.getByRole('button', { name: 'Rename Nova' }).click();
    expect(await page.getByLabel('New name for Nova').inputValue()).toBe('Nova');
    await page.getByLabel('New name for Nova').fill('Also abandoned');
    await page.keyboard.press('Escape');
    await page.getByLabel('New name for Nova').waitFor({ state: 'detached' });
    await expectFocus(page, { tag: 'button', label: 'Rename Nova' });
    await page.getByRole('button', { name: 'Rename Nova' }).click();
    expect(await page.getByLabel('New name for Nova').inputValue()).toBe('Nova');
    await page.keyboard.press('Escape');

    await page.getByRole('button', { name: 'Archive Nova' }).click();
    await page.getByRole('button', { name: 'Yes, archive' }).click();
    await page.getByText('No personas yet. Create one to track its usage on its own.').waitFor();
    await expectFocus(page, { tag: 'h2', text: 'Your personas' });
    await context.close();
  });

  test('API keys: the new secret takes the focus, selected for copying; after "I saved it" and "Yes, revoke" the focus stays on the page', async () => {
    const { page, context } = await h.page();
    await h.signUpAndLogIn(page);
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByLabel('Key name').fill('render pipeline');
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByTestId('api-key-secret').waitFor();
    await expectFocus(page, { tag: 'input', testId: 'api-key-secret' });
    const selection = await page.evaluate(() => {
      const input = document.activeElement as HTMLInputElement;
      return [input.selectionStart, input.selectionEnd];
    });
    expect(selection).toEqual([0, (await page.getByTestId('api-key-secret').inputValue()).length]); // all of it selected: Ctrl+C copies it
    await page.getByRole('button', { name: 'I saved it' }).click();
    await page.getByTestId('api-key-secret').waitFor({ state: 'detached' });
    await expectFocus(page, { tag: 'h2', text: 'Create an API key' });

    await page.getByRole('button', { name: 'Revoke render pipeline' }).click();
    await page.getByRole('button', { name: 'Yes, revoke' }).click();
    await page.getByTestId('api-key').filter({ hasText: 'revoked' }).waitFor();
    await expectFocus(page, { tag: 'h2', text: 'Your keys' });
    await context.close();
  });

  test('messages marked read in one tab leave the unread count and the lists of another tab right', async () => {
    const { page, context } = await h.page();
    const user = await h.signUpAndLogIn(page);
    const key = await createApiKey(h.t, user);
    expect((await charge(h.t, key, '3.8')).errors).toBeUndefined(); // 25 % left
    expect((await charge(h.t, key, '0.8')).errors).toBeUndefined(); // 8 % left: the 10 % level
    const other = await context.newPage();
    for (const p of [page, other]) {
      await p.goto('/app/messages');
      await waitForTestIdText(p, 'unread-count', '2', 5000);
    }

    await page.getByRole('button', { name: /^Mark read/ }).first().click();
    await waitForTestIdText(page, 'unread-count', '1', 5000);
    await waitForTestIdText(other, 'unread-count', '1', 3000);
    await other.getByRole('heading', { name: 'Unread (1)' }).waitFor({ timeout: 3000 });
    expect(await other.getByRole('button', { name: /^Mark read/ }).count()).toBe(1);

    await page.getByRole('button', { name: 'Mark all read' }).click();
    await waitForTestIdText(other, 'unread-count', '0', 3000);
    await other.getByText('You have read everything.').waitFor({ timeout: 3000 });
    await context.close();
  });

  test('keyboard only: Save and Clear budget cap, Save timezone, Change password, Create persona and Dismiss keep the focus on the page', async () => {
    const { page, context } = await h.page();
    const user = await h.signUpAndLogIn(page);
    const key = await createApiKey(h.t, user); // before the new password ends the user's sessions
    const press = async (name: string) => page.keyboard.press(name);

    // Save: the button that was pressed keeps the focus while its request runs, and after.
    await page.getByLabel('Monthly budget cap').focus();
    await page.keyboard.type('3');
    await press('Tab');
    await expectFocus(page, { tag: 'button', text: 'Save monthly budget cap' });
    await press('Enter');
    await page.getByText('Monthly budget cap set to $3.00.').waitFor();
    await expectFocus(page, { tag: 'button', text: 'Save monthly budget cap' });
    // Clear: its button goes, the field takes the focus.
    await press('Tab');
    await expectFocus(page, { tag: 'button', text: 'Clear monthly budget cap' });
    await press('Enter');
    await page.getByText('Monthly budget cap cleared.').waitFor();
    await expectFocus(page, { tag: 'input', id: 'limit-monthlyBudgetCap' });

    await page.getByTestId('timezone').focus();
    await page.getByTestId('timezone').selectOption('Europe/Berlin');
    await press('Tab');
    await expectFocus(page, { tag: 'button', text: 'Save timezone' });
    await press('Enter');
    await page.getByText('Timezone set to Europe/Berlin.').waitFor();
    await expectFocus(page, { tag: 'button', text: 'Save timezone' });

    await page.getByLabel('Current password').focus();
    await page.keyboard.type(user.password);
    await press('Tab');
    await page.keyboard.type('N3wSecret!');
    await page.locator('#password').getByRole('button', { name: 'Change password' }).focus();
    await press('Enter');
    await page.getByText('Password changed. Other sessions were logged out.').waitFor({ timeout: 10_000 });
    await expectFocus(page, { tag: 'button', text: 'Change password' });

    await page.getByRole('link', { name: 'Personas' }).click();
    const create = page.locator('#create-persona');
    await create.getByLabel('Name').focus();
    await page.keyboard.type('Nova');
    await press('Tab');
    await page.keyboard.type('@nova');
    await create.getByRole('button', { name: 'Create persona' }).focus();
    await press('Enter');
    await create.getByText('Nova was created.').waitFor();
    await expectFocus(page, { tag: 'button', text: 'Create persona' });

    // Dismiss: the banner goes with its button; the main region takes the focus.
    expect((await charge(h.t, key, '3.8')).errors).toBeUndefined();
    await page.getByTestId('low-credit-banner').getByRole('button', { name: 'Dismiss' }).focus();
    await press('Enter');
    await page.getByTestId('low-credit-banner').waitFor({ state: 'detached' });
    await expectFocus(page, { tag: 'main', id: 'main' });
    await context.close();
  });

  test('keyboard only: Log in and Sign up keep the focus when refused; Next and Previous of the usage history keep it while their page loads', async () => {
    const { page, context } = await h.page();
    const taken = await h.t.signUp();
    // Answers come a little later, as on a real network: the buttons are busy for a moment.
    await page.route('**/graphql', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      await route.continue().catch(() => undefined);
    });
    await page.goto('/app/login');
    await page.getByLabel('Email').fill(taken.email);
    await page.getByLabel('Password').fill('Wrong-passw0rd');
    await page.getByRole('button', { name: 'Log in' }).focus();
    await page.keyboard.press('Enter');
    await page.getByText('That email and password do not match.').waitFor();
    await expectFocus(page, { tag: 'button', text: 'Log in' });

    await page.goto('/app/signup');
    await page.getByLabel('Email').fill(taken.email);
    await page.getByLabel('Password').fill('Sup3rSecret!');
    await page.getByRole('button', { name: 'Sign up' }).focus();
    await page.keyboard.press('Enter');
    await page.getByText('An account with this email already exists.').waitFor();
    await expectFocus(page, { tag: 'button', text: 'Sign up' });
    await page.unrouteAll({ behavior: 'ignoreErrors' });

    // 45 charges and the sign-up bonus: three pages of 20. Each page is held back a moment.
    const user = await h.t.signUp();
    const inputs = Array.from({ length: 45 }, (_, i) => ({ feature: 'content_generation', providerCost: '0.01', idempotencyKey: `page-${i}` }));
    expect((await h.t.ok(ChargeUsageBatchDocument, { inputs }, await createApiKey(h.t, user))).chargeUsageBatch.filter((r) => r.error)).toEqual([]);
    await h.logIn(page, user);
    await page.getByTestId('history-row').nth(19).waitFor();
    await page.route('**/graphql', async (route) => {
      if ((route.request().postData() ?? '').includes('UsageHistory')) await new Promise((resolve) => setTimeout(resolve, 300));
      await route.continue().catch(() => undefined);
    });
    const pager = page.getByRole('navigation', { name: 'History pages' });
    const pageShown = (n: number) => pager.getByText(`Page ${n}`).waitFor();
    await pager.getByRole('button', { name: 'Next' }).focus();
    await page.keyboard.press('Enter');
    await pageShown(2);
    await page.getByTestId('history-row').nth(19).waitFor();
    await expectFocus(page, { tag: 'button', text: 'Next' });
    await page.keyboard.press('Enter');
    await pageShown(3);
    await page.getByTestId('history-row').nth(5).waitFor();
    await expectFocus(page, { tag: 'button', text: 'Next' });
    // The last page: Next says it cannot go on, keeps the focus, and Enter does nothing.
    expect(await pager.getByRole('button', { name: 'Next' }).getAttribute('aria-disabled')).toBe('true');
    await page.keyboard.press('Enter');
    await page.waitForTimeout(500);
    await pageShown(3);
    expect(await page.getByTestId('history-row').count()).toBe(6);
    await pager.getByRole('button', { name: 'Previous' }).focus();
    await page.keyboard.press('Enter');
    await pageShown(2);
    await page.keyboard.press('Enter');
    await pageShown(1);
    await page.getByTestId('history-row').nth(19).waitFor();
    await expectFocus(page, { tag: 'button', text: 'Previous' });
    expect(await pager.getByRole('button', { name: 'Previous' }).getAttribute('aria-disabled')).toBe('true');
    await page.unrouteAll({ behavior: 'ignoreErrors' });
    await context.close();
  });

  test('sign-up: a server error goes once an input changes; "Log in instead?" is a link to the log-in page', async () => {
    const { page, context } = await h.page();
    const taken = await h.t.signUp();
    await page.goto('/app/signup');
    await page.getByLabel('Email').fill(taken.email);
    await page.getByLabel('Password').fill('Sup3rSecret!');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByText('An account with this email already exists.').waitFor();

    await page.getByLabel('Email').fill(`other-${taken.email}`);
    expect(await page.getByText('An account with this email already exists.').count()).toBe(0);
    await page.getByLabel('Password').fill('weak');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByText('This password is too weak.').waitFor();
    expect(await page.getByRole('alert').allTextContents()).toEqual([expect.stringContaining('This password is too weak.')]);

    await page.getByLabel('Email').fill(taken.email);
    await page.getByLabel('Password').fill('Sup3rSecret!');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('link', { name: 'Log in instead?' }).click();
    await page.getByRole('heading', { name: 'Log in', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/app/login');

    // Log-in alike: a wrong password's answer goes once the password is typed again.
    await page.getByLabel('Email').fill(taken.email);
    await page.getByLabel('Password').fill('Wrong-passw0rd');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByText('That email and password do not match.').waitFor();
    await page.getByLabel('Password').fill('Sup3rSecret');
    expect(await page.getByText('That email and password do not match.').count()).toBe(0);
    await context.close();
  });

  test("log-in refused after too many failures says how long to wait, from the server's retryAfterSeconds", async () => {
    const user = await h.t.signUp();
    // The server allows 10 failures per email in a 15-minute window (LOGIN_MAX_FAILURES, LOGIN_WINDOW_SECONDS).
    for (let i = 0; i < 10; i++) expect(errorCode(await h.t.gql(LogInDocument, { email: user.email, password: 'Wrong-passw0rd' }))).toBe('INVALID_CREDENTIALS');
    const { page, context } = await h.page();
    await page.goto('/app/login');
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    // retryAfterSeconds is 900 or a second less: said in whole minutes.
    await page.getByRole('alert').filter({ hasText: 'Too many attempts. Please try again in 15 minutes.' }).waitFor();
    await context.close();
  });
});
