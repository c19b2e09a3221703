import fs from 'node:fs';
import type { Page } from 'playwright-core';
import type { TestUser } from '../helpers/app';
import { PASSWORD } from '../helpers/app';
import { charge, createApiKey, DashboardHarness, waitForTestIdText } from '../helpers/dashboard';
import { describeWithBrowser } from '../helpers/browser';
import { ArchiveSynfluencerDocument, CreateSynfluencerDocument, LogInDocument, MeDocument } from '../generated/graphql';

/*
 * The usage cards follow the persona scope (top bar and card dropdown are one selection), the
 * history's CSV export contains exactly the filtered rows, the password policy is shown, and
 * a timezone change re-buckets the summary.
 */

interface Studio {
  user: TestUser;
  ava: string;
  ben: string;
}

describeWithBrowser('dashboard: usage, export and settings', () => {
  let h: DashboardHarness;
  beforeAll(async () => {
    h = await DashboardHarness.start();
  });
  afterAll(async () => {
    await h?.stop();
  });

  /** Two personas and four charges: Ava 1.5 (tiktok) + 0.5 (instagram), Ben 0.75 (tiktok), unassigned 0.1. */
  async function studio(): Promise<Studio> {
    const user = await h.t.signUp();
    const persona = async (name: string) =>
      (await h.t.ok(CreateSynfluencerDocument, { input: { name, handle: `@${name.toLowerCase()}`, platforms: ['tiktok', 'instagram'] } }, user.token)).createSynfluencer.id;
    const ava = await persona('Ava');
    const ben = await persona('Ben');
    const key = await createApiKey(h.t, user);
    for (const [amount, synfluencerId, platform] of [
      ['1.5', ava, 'tiktok'],
      ['0.5', ava, 'instagram'],
      ['0.75', ben, 'tiktok'],
      ['0.1', undefined, undefined],
    ] as const) {
      expect((await charge(h.t, key, amount, { synfluencerId, platform })).errors).toBeUndefined();
    }
    return { user, ava, ben };
  }

  const historyIds = (page: Page) => page.getByTestId('history-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')!));
  const historyPersonas = (page: Page) => page.getByTestId('history-row').evaluateAll((rows) => rows.map((r) => r.children[3].textContent));

  test('switching persona in the top bar changes the summary and the history, and the card dropdown follows (both ways)', async () => {
    const { page, context } = await h.page();
    const s = await studio();
    await h.logIn(page, s.user);
    await waitForTestIdText(page, 'summary-total', '$2.85', 5000);
    // The history loads separately from the summary: wait for its rows, four charges and the sign-up bonus.
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="history-row"]').length === 5);

    await page.getByTestId('command-dock').selectOption({ label: 'Ava' });
    await waitForTestIdText(page, 'summary-total', '$2.00', 5000);
    expect(await page.getByTestId('summary-scope').inputValue()).toBe(s.ava);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="history-row"]').length === 2);
    expect(await historyPersonas(page)).toEqual(['Ava', 'Ava']);
    await waitForTestIdText(page, 'by-platform', 'instagram', 2000);
    await h.screenshot(page, 'account-persona');

    // The card's dropdown drives the top bar too.
    await page.getByTestId('summary-scope').selectOption({ label: 'Ben' });
    await waitForTestIdText(page, 'summary-total', '$0.75', 5000);
    expect(await page.getByTestId('command-dock').inputValue()).toBe(s.ben);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="history-row"]').length === 1);
    expect(await historyPersonas(page)).toEqual(['Ben']);

    // The balance stays account-wide whatever the scope.
    await waitForTestIdText(page, 'card-balance', '2.15', 2000);
    await page.getByTestId('command-dock').selectOption({ label: 'All synfluencers' });
    await waitForTestIdText(page, 'summary-total', '$2.85', 5000);
    expect(await page.getByTestId('summary-scope').inputValue()).toBe('');
    await context.close();
  });

  test('an archived persona stays the scope it was, shown by name and marked archived; the card\'s dropdown offers archived personas for past usage, the top bar only the one selected', async () => {
    const { page, context } = await h.page();
    const s = await studio();
    await h.logIn(page, s.user);
    await page.getByTestId('command-dock').selectOption({ label: 'Ava' });
    await waitForTestIdText(page, 'summary-total', '$2.00', 5000);
    const optionTexts = (testId: string) => page.getByTestId(testId).locator('option').allTextContents();
    const selectedText = (testId: string) => page.getByTestId(testId).evaluate((el) => (el as HTMLSelectElement).selectedOptions[0]?.textContent);

    // Ava is archived (elsewhere: the API) while she is the scope; the page is loaded again.
    await h.t.ok(ArchiveSynfluencerDocument, { id: s.ava }, s.user.token);
    await page.reload();
    await waitForTestIdText(page, 'summary-total', '$2.00', 5000);
    expect(await selectedText('command-dock')).toBe('Ava (archived)');
    expect(await selectedText('summary-scope')).toBe('Ava (archived)');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="history-row"]').length === 2);
    expect(await historyPersonas(page)).toEqual(['Ava (archived)', 'Ava (archived)']);
    expect(await optionTexts('command-dock')).toEqual(['All synfluencers', 'Ben', 'Ava (archived)']);

    // Another choice: the top bar no longer offers her; the card's dropdown, a filter of past usage, does.
    await page.getByTestId('command-dock').selectOption({ label: 'All synfluencers' });
    await waitForTestIdText(page, 'summary-total', '$2.85', 5000);
    await waitForTestIdText(page, 'by-persona', 'Ava (archived)', 5000); // the breakdown names her as the history does
    expect(await optionTexts('command-dock')).toEqual(['All synfluencers', 'Ben']);
    expect(await optionTexts('summary-scope')).toEqual(['All synfluencers', 'Ben', 'Ava (archived)']);
    await page.getByTestId('summary-scope').selectOption({ label: 'Ava (archived)' });
    await waitForTestIdText(page, 'summary-total', '$2.00', 5000);
    expect(await selectedText('command-dock')).toBe('Ava (archived)');
    await context.close();
  });

  test('personas of the same name are told apart by their handle in both selectors', async () => {
    const user = await h.t.signUp();
    const create = async (name: string, handle: string) => (await h.t.ok(CreateSynfluencerDocument, { input: { name, handle } }, user.token)).createSynfluencer.id;
    await create('Ava', '@ava.fashion');
    const travel = await create('Ava', '@ava.travel');
    const old = await create('Ben', '@ben');
    await create('ben', '@ben.two'); // the same name but for case
    await create('Cleo', '@cleo');
    await h.t.ok(ArchiveSynfluencerDocument, { id: old }, user.token);
    const { page, context } = await h.page();
    await h.logIn(page, user);
    const optionTexts = async (testId: string) => (await page.getByTestId(testId).locator('option').allTextContents()).sort();
    await page.getByTestId('summary-scope').waitFor();
    expect(await optionTexts('command-dock')).toEqual(['All synfluencers', 'Ava (@ava.fashion)', 'Ava (@ava.travel)', 'Cleo', 'ben (@ben.two)'].sort());
    // The card's dropdown also offers the archived one, both details in one parenthesis.
    expect(await optionTexts('summary-scope')).toEqual(['All synfluencers', 'Ava (@ava.fashion)', 'Ava (@ava.travel)', 'Ben (@ben, archived)', 'Cleo', 'ben (@ben.two)'].sort());
    await page.getByTestId('command-dock').selectOption({ label: 'Ava (@ava.travel)' });
    expect(await page.getByTestId('summary-scope').inputValue()).toBe(travel);
    await context.close();
  });

  test("the CSV file is named after today's date in the account's timezone, not the UTC date", async () => {
    // A zone whose date differs from UTC's now: UTC+14 from 10:00 UTC, else UTC-11.
    const timezone = new Date().getUTCHours() >= 10 ? 'Pacific/Kiritimati' : 'Pacific/Pago_Pago';
    const dayThere = () => new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
    const { page, context } = await h.page(); // the browser's own zone is UTC
    await h.signUpAndLogIn(page, { timezone });
    await page.getByTestId('history-row').first().waitFor();
    const before = dayThere();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const after = dayThere();
    expect(before).not.toBe(new Date().toISOString().slice(0, 10)); // the check below tells the two apart
    expect([`usage-${before}.csv`, `usage-${after}.csv`]).toContain(download.suggestedFilename());
    // The file's createdAt is UTC (the API's column, kept for partners' scripts), the table the
    // account's zone: said next to the button, which it describes.
    const hint = `The table shows dates in ${timezone}; in the CSV file, createdAt is in UTC (e.g. 2026-03-05T14:30:00.000Z).`;
    expect(await page.getByTestId('export-hint').textContent()).toBe(hint);
    expect(await page.getByRole('button', { name: 'Export CSV' }).getAttribute('aria-describedby')).toBe(await page.getByTestId('export-hint').getAttribute('id'));
    const [header, bonus] = fs.readFileSync((await download.path())!, 'utf8').trim().split('\r\n');
    expect(header.split(',')[1]).toBe('createdAt');
    expect(bonus.split(',')[1]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    await context.close();
  });

  test('the CSV export downloads exactly the rows the current filters show', async () => {
    const { page, context } = await h.page();
    const s = await studio();
    await h.logIn(page, s.user);
    await page.getByTestId('history-row').first().waitFor();

    const exportRows = async (): Promise<string[]> => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
      const csv = fs.readFileSync((await download.path())!, 'utf8').trim().split('\r\n');
      expect(csv[0].startsWith('id,createdAt,kind,amount')).toBe(true);
      return csv.slice(1).map((line) => line.split(',')[0]);
    };

    // Kind = Usage and platform = tiktok: Ava's 1.5 and Ben's 0.75.
    await page.getByLabel('Kind').selectOption({ label: 'Usage' });
    await page.getByLabel('Platform').fill('tiktok');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="history-row"]').length === 2);
    const shown = await historyIds(page);
    expect(await exportRows()).toEqual(shown);

    // Narrowed by the persona scope as well: only Ava's.
    await page.getByTestId('command-dock').selectOption({ label: 'Ava' });
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="history-row"]').length === 1);
    const avaOnly = await historyIds(page);
    expect(avaOnly).toHaveLength(1);
    expect(await exportRows()).toEqual(avaOnly);

    // A date range that ends before today: nothing on screen, nothing in the file.
    await page.getByLabel('To', { exact: true }).fill('2020-01-31');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('No transactions match these filters.').waitFor();
    expect(await exportRows()).toEqual([]);

    // From after To is said, and neither shown nor exported.
    await page.getByLabel('From', { exact: true }).fill('2020-02-01');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('From must be on or before To.').waitFor();

    // Export takes the form as it is, applying it first: a filter chosen but not applied is not
    // left out of the file (the rows on screen follow it too).
    await page.getByRole('button', { name: 'Reset' }).click();
    await page.getByTestId('command-dock').selectOption({ index: 0 });
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="history-row"]').length > 2);
    await page.getByLabel('Platform').fill('tiktok');
    const exported = await exportRows();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="history-row"]').length === 2);
    expect(exported).toEqual(await historyIds(page));
    await context.close();
  });

  test('the platform filter offers the platforms of the usage and takes one typed in another case as their spelling, on screen and in the export', async () => {
    const { page, context } = await h.page();
    const s = await studio();
    await h.logIn(page, s.user);
    await page.getByTestId('history-row').first().waitFor();
    // The field suggests the platforms given with the usage, most spent first.
    await page.waitForFunction(() => document.querySelectorAll('#history-platforms option').length === 2);
    expect(await page.locator('#history-platforms option').evaluateAll((o) => o.map((e) => (e as HTMLOptionElement).value))).toEqual(['tiktok', 'instagram']);

    // The API matches a platform exactly; "Instagram" is taken as the "instagram" it was recorded as.
    await page.getByLabel('Platform').fill('Instagram');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="history-row"]').length === 1);
    expect(await page.getByTestId('history-row').textContent()).toContain('instagram');
    expect(await page.getByLabel('Platform').inputValue()).toBe('instagram');

    // Export applies the form the same way: " TIKTOK " is tiktok's two rows, shown and in the file.
    await page.getByLabel('Platform').fill(' TIKTOK ');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const exported = fs.readFileSync((await download.path())!, 'utf8').trim().split('\r\n').slice(1).map((line) => line.split(',')[0]);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="history-row"]').length === 2);
    expect(exported).toEqual(await historyIds(page));
    expect(await page.getByLabel('Platform').inputValue()).toBe('tiktok');

    // A platform the usage never had is sent as typed.
    await page.getByLabel('Platform').fill('YouTube');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('No transactions match these filters.').waitFor();
    expect(await page.getByLabel('Platform').inputValue()).toBe('YouTube');
    await context.close();
  });

  test('a weak new password shows the policy; a wrong current password is shown at its field; a good one keeps the session', async () => {
    const { page, context } = await h.page();
    const user = await h.signUpAndLogIn(page);
    const card = page.locator('#password');
    await expect(card.getByTestId('password-policy').textContent()).resolves.toContain('At least 8 characters');

    await card.getByLabel('Current password').fill(PASSWORD);
    await card.getByLabel('New password').fill('weakpass');
    await card.getByRole('button', { name: 'Change password' }).click();
    await card.getByText('This password is too weak. At least 8 characters, with an uppercase letter, a lowercase letter and a digit.').waitFor();
    expect(await card.getByLabel('New password').getAttribute('aria-invalid')).toBe('true');

    await card.getByLabel('Current password').fill('Wrong-passw0rd');
    await card.getByLabel('New password').fill('N3w-Secret-pass');
    await card.getByRole('button', { name: 'Change password' }).click();
    await card.getByText('The current password is not correct.').waitFor();

    await card.getByLabel('Current password').fill(PASSWORD);
    await card.getByRole('button', { name: 'Change password' }).click();
    await card.getByText('Password changed.').waitFor();
    // Still logged in (a fresh session with the new password), and the new password works.
    await page.reload();
    await waitForTestIdText(page, 'balance', '5.00', 10_000);
    const again = await h.t.gql(LogInDocument, { email: user.email, password: 'N3w-Secret-pass' });
    expect(again.errors).toBeUndefined();
    await context.close();
  });

  test('a timezone change re-buckets the summary', async () => {
    const { page, context } = await h.page();
    const s = await studio();
    await h.logIn(page, s.user);
    const buckets = () => page.getByTestId('summary').getAttribute('data-buckets');
    await waitForTestIdText(page, 'summary-total', '$2.85', 5000);
    const utc = (await buckets())!.split(' ');
    expect(utc.every((b) => b.includes('T00:00:00'))).toBe(true); // UTC midnights

    await page.getByTestId('timezone').selectOption('Pacific/Kiritimati'); // UTC+14
    await page.getByRole('button', { name: 'Save timezone' }).click();
    await page.getByText('Timezone set to Pacific/Kiritimati.').waitFor();
    await page.waitForFunction(() => (document.querySelector('[data-testid="summary"]')?.getAttribute('data-buckets') ?? '').includes('T10:00:00'));
    const kiritimati = (await buckets())!.split(' ');
    expect(kiritimati.every((b) => b.includes('T10:00:00'))).toBe(true); // local midnight is 10:00 UTC the day before
    await waitForTestIdText(page, 'summary-total', '$2.85', 2000); // same spend, new buckets
    expect(await page.getByText('times in Pacific/Kiritimati').count()).toBe(1);
    await context.close();
  });

  test('at 390 px the usage history keeps every column: the table scrolls sideways inside its own region, the date kept at its left edge', async () => {
    const { page, context } = await h.page({ width: 390, height: 844 });
    const s = await studio();
    await h.logIn(page, s.user);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="history-row"]').length === 5);
    const card = page.locator('#usage-history');
    expect(await card.locator('th').allTextContents()).toEqual(['Date', 'Kind', 'Description', 'Persona', 'Feature', 'Quantity', 'Amount', 'Balance after']);
    // None hidden: every header and cell takes room.
    expect(await card.locator('th, td').evaluateAll((cells) => cells.filter((c) => getComputedStyle(c).display === 'none' || c.getBoundingClientRect().width === 0).length)).toBe(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

    // The region scrolls (keyboard users focus it); at its right end the last column is in view,
    // and the date column still at the left edge.
    const region = page.getByRole('region', { name: 'Usage history table' });
    await region.focus();
    expect(await region.evaluate((el) => el === document.activeElement && el.scrollWidth > el.clientWidth)).toBe(true);
    await region.evaluate((el) => el.scrollTo({ left: el.scrollWidth }));
    const seen = await region.evaluate((el) => {
      const box = el.getBoundingClientRect();
      const headers = Array.from(el.querySelectorAll('th'));
      const last = headers[headers.length - 1].getBoundingClientRect();
      const date = headers[0].getBoundingClientRect();
      return { lastInView: last.left >= box.left && last.right <= box.right + 1, dateAtLeft: Math.abs(date.left - box.left) <= 1 };
    });
    expect(seen).toEqual({ lastInView: true, dateAtLeft: true });
    await h.screenshot(page, 'usage-history-390');
    await context.close();
  });

  test('time zones are offered by their current IANA names (Asia/Kolkata, Europe/Kyiv), which the server saves', async () => {
    const { page, context } = await h.page();
    await page.goto('/app/signup');
    const signUpZones = await page.getByLabel('Timezone').locator('option').allTextContents();
    expect(signUpZones).toEqual(expect.arrayContaining(['UTC', 'Asia/Kolkata', 'Europe/Kyiv', 'Asia/Ho_Chi_Minh']));
    expect(signUpZones.filter((z) => ['Asia/Calcutta', 'Europe/Kiev', 'Asia/Saigon'].includes(z))).toEqual([]);

    const user = await h.t.signUp();
    await h.logIn(page, user);
    // allTextContents does not wait: the Preferences select renders its options once loaded.
    await page.getByTestId('timezone').locator('option').first().waitFor({ state: 'attached' });
    const zones = await page.getByTestId('timezone').locator('option').allTextContents();
    expect(zones).toContain('Europe/Kyiv');
    expect(zones).not.toContain('Europe/Kiev');
    await page.getByTestId('timezone').selectOption('Europe/Kyiv');
    await page.getByRole('button', { name: 'Save timezone' }).click();
    await page.getByText('Timezone set to Europe/Kyiv.').waitFor();
    expect((await h.t.ok(MeDocument, {}, user.token)).me.timezone).toBe('Europe/Kyiv');
    await context.close();
  });

  test('the summary keeps the period it shows while another loads, marked busy, so the card does not jump', async () => {
    const { page, context } = await h.page();
    const s = await studio();
    await h.logIn(page, s.user);
    await waitForTestIdText(page, 'summary-total', '$2.85', 5000);
    const cardHeight = () => page.locator('#usage-summary').evaluate((el) => el.getBoundingClientRect().height);
    const before = await cardHeight();
    // Hold the next summary's answer for a second, as on a slow network.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/graphql', async (route) => {
      if ((route.request().postData() ?? '').includes('UsageSummary')) await held;
      await route.continue();
    });
    const chart = page.locator('#usage-summary svg');
    const ticks = async () => (await page.locator('#usage-summary .ticks').innerText()).split(/\s+/).filter(Boolean);
    expect(await chart.getAttribute('aria-label')).toMatch(/^Spend per day over 30 periods/);
    const dayTicks = await ticks();
    await page.getByText('Week', { exact: true }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="summary"]')?.getAttribute('aria-busy') === 'true');
    expect(await page.locator('#usage-summary .loading').count()).toBe(0);
    expect(await page.getByTestId('summary-total').textContent()).toBe('$2.85');
    expect(Math.abs((await cardHeight()) - before)).toBeLessThan(40);
    // The days still shown are drawn and named as days, not as the weeks being loaded.
    expect(await chart.getAttribute('aria-label')).toMatch(/^Spend per day over 30 periods/);
    expect(await ticks()).toEqual(dayTicks);
    release();
    await page.waitForFunction(() => document.querySelector('[data-testid="summary"]')?.getAttribute('aria-busy') === 'false');
    expect(await chart.getAttribute('aria-label')).toMatch(/^Spend per week over \d+ periods/);
    await page.unrouteAll({ behavior: 'ignoreErrors' });
    await context.close();
  });

  test('preferences saved in another tab reach this one: the timezone by push (its select follows, so Save here cannot undo it), low-credit emails when the tab is shown again', async () => {
    const { page, context } = await h.page();
    const user = await h.signUpAndLogIn(page);
    const other = await context.newPage();
    await other.goto('/app/account');
    await other.getByTestId('timezone').waitFor();
    await page.getByTestId('timezone').selectOption('Asia/Tokyo');
    await page.getByRole('button', { name: 'Save timezone' }).click();
    await page.getByText('Timezone set to Asia/Tokyo.').waitFor();
    await other.getByText('times in Asia/Tokyo').first().waitFor({ timeout: 5000 });
    await other.waitForFunction(() => (document.querySelector('[data-testid="timezone"]') as HTMLSelectElement | null)?.value === 'Asia/Tokyo', null, { timeout: 5000 });
    // Nothing to save (aria-disabled: a disabled button would drop the focus after a save).
    expect(await other.getByRole('button', { name: 'Save timezone' }).getAttribute('aria-disabled')).toBe('true');

    // A zone chosen but not saved is kept when another tab saves one.
    await other.getByTestId('timezone').selectOption('Europe/Berlin');
    await page.getByTestId('timezone').selectOption('America/New_York');
    await page.getByRole('button', { name: 'Save timezone' }).click();
    await other.getByText('times in America/New_York').first().waitFor({ timeout: 5000 });
    expect(await other.getByTestId('timezone').inputValue()).toBe('Europe/Berlin');

    // Low-credit emails take no wallet version, so nothing is pushed: the tab reads them again when it is shown.
    const emails = (tab: typeof page) => tab.getByLabel('Email me when credits run low (25 %, 10 % and 0 % left)');
    expect(await emails(other).isChecked()).toBe(true);
    await emails(page).click(); // controlled by the saved value: it turns off once the change is saved
    await page.getByText('Low-credit emails are off.').waitFor();
    expect((await h.t.ok(MeDocument, {}, user.token)).me.settings.lowCreditEmails).toBe(false);
    await other.evaluate(() => document.dispatchEvent(new Event('visibilitychange'))); // headless tabs are always "visible"
    for (const deadline = Date.now() + 5000; await emails(other).isChecked(); ) {
      if (Date.now() > deadline) throw new Error('the other tab still shows low-credit emails on');
      await other.waitForTimeout(50);
    }
    await context.close();
  });
});
