import type { Page } from 'playwright-core';
import { charge, createApiKey, DashboardHarness, waitForTestIdText } from '../helpers/dashboard';
import { describeWithBrowser } from '../helpers/browser';
import { ChargeUsageBatchDocument, ChargeUsageDocument, CreateSynfluencerDocument, GrantCreditsDocument, MeDocument, ReserveCreditsDocument, UpdateSettingsDocument } from '../generated/graphql';

/*
 * Links to a card (the top bar's "Change cap" goes to account#limits), and the details a
 * hands-on review found, each checked on the page as a customer sees it.
 */

/** Whether a card's heading has the focus, and whether it is inside the window. */
const headingState = (page: Page, cardId: string) =>
  page.evaluate((id) => {
    const heading = document.getElementById(`${id}-title`);
    const r = heading?.getBoundingClientRect();
    return { focused: heading !== null && document.activeElement === heading, inView: r !== undefined && r.top >= 0 && r.bottom <= innerHeight };
  }, cardId);

/** Whether an element (the first match) reaches past the right edge of the window or its own box. */
const overflows = (page: Page, selector: string) =>
  page.locator(selector).first().evaluate((el) => el.getBoundingClientRect().right > innerWidth || el.scrollWidth > el.clientWidth);

describeWithBrowser('dashboard: links to a card, and details', () => {
  let h: DashboardHarness;
  beforeAll(async () => {
    h = await DashboardHarness.start();
  });
  afterAll(async () => {
    await h?.stop();
  });

  test('"Change cap" from another page focuses the Alerts & budget heading and keeps it in view while the cards above load; so does a reload', async () => {
    const { page, context } = await h.page({ width: 1280, height: 900 });
    const user = await h.t.signUp();
    const key = await createApiKey(h.t, user);
    // A month's worth of history above the card, and the cap reached: the top bar offers "Change cap".
    for (let i = 0; i < 25; i++) expect((await charge(h.t, key, '0.01')).errors).toBeUndefined();
    await h.t.ok(UpdateSettingsDocument, { input: { monthlyBudgetCap: '0.25' } }, user.token);
    await h.logIn(page, user, '/app/messages');
    await page.getByRole('heading', { name: 'Messages', level: 1 }).waitFor();

    await page.getByRole('link', { name: 'Change cap' }).click();
    // Balance, Summary and History answer after the click and grow above the card.
    await page.getByTestId('history-row').first().waitFor();
    await page.waitForFunction(() => document.querySelectorAll('.loading').length === 0);
    await page.waitForTimeout(300);
    expect(await headingState(page, 'limits')).toEqual({ focused: true, inView: true });
    // Tab goes on from the card: its first field.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('limit-burnAlertThreshold');

    // The same link loaded as it is.
    await page.reload();
    await page.getByTestId('history-row').first().waitFor();
    await page.waitForFunction(() => document.querySelectorAll('.loading').length === 0);
    await page.waitForTimeout(300);
    expect(await headingState(page, 'limits')).toEqual({ focused: true, inView: true });
    await context.close();
  });

  test('notices show the amount as parsed: a budget cap typed "00012.50", an admin grant typed "007.50"; thousands commas as the screen shows them are read', async () => {
    const { page, context } = await h.page();
    const user = await h.signUpAndLogIn(page);
    await page.getByLabel('Monthly budget cap').fill('00012.50');
    await page.getByRole('button', { name: 'Save monthly budget cap' }).click();
    await page.getByText('Monthly budget cap set to $12.50.', { exact: true }).waitFor();

    const adminSide = await h.page();
    await h.logIn(adminSide.page, await h.t.admin(), '/app/admin');
    await adminSide.page.getByLabel('Account (email or id)').fill(user.email);
    await adminSide.page.getByLabel('Amount').fill('007.50');
    await adminSide.page.getByLabel('Reason').fill('goodwill');
    await adminSide.page.getByRole('button', { name: 'Grant credits' }).click();
    await adminSide.page.getByText(`Granted $7.50 to ${user.email}; their balance is now $12.50.`, { exact: true }).waitFor();
    // Amounts typed as the screen shows them, with thousands commas.
    await adminSide.page.getByLabel('Amount').fill('1,000.25');
    await adminSide.page.getByLabel('Reason').fill('bulk');
    await adminSide.page.getByRole('button', { name: 'Grant credits' }).click();
    await adminSide.page.getByText(`Granted $1,000.25 to ${user.email}; their balance is now $1,012.75.`, { exact: true }).waitFor();
    await page.getByLabel('Monthly budget cap').fill('2,500');
    await page.getByRole('button', { name: 'Save monthly budget cap' }).click();
    await page.getByText('Monthly budget cap set to $2,500.00.', { exact: true }).waitFor();
    expect((await h.t.ok(MeDocument, {}, user.token)).me.settings.monthlyBudgetCap).toBe('2500');
    await adminSide.context.close();
    await context.close();
  });

  test('at 375 px a long email under the Account heading and a long persona name wrap instead of widening the page', async () => {
    const { page, context } = await h.page({ width: 375, height: 800 });
    const user = await h.t.signUp({ email: `${'a'.repeat(48)}.${Date.now()}@studio-with-a-long-domain-name.example.com` });
    const name = `Supercalifragilisticexpialidocious${'X'.repeat(50)}`;
    await h.t.ok(CreateSynfluencerDocument, { input: { name, handle: '@long' } }, user.token);
    await h.logIn(page, user);
    await page.waitForFunction(() => document.querySelectorAll('.loading').length === 0);
    expect(await overflows(page, '.page > p.muted')).toBe(false);

    await page.getByRole('link', { name: 'Personas' }).click();
    await page.getByTestId('persona').first().waitFor();
    expect(await overflows(page, '[data-testid="persona"] .persona-info')).toBe(false);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await context.close();
  });

  test('at 375 px the webhook events\' checkboxes keep their size next to labels of two lines', async () => {
    const { page, context } = await h.page({ width: 375, height: 800 });
    await h.logIn(page, await h.t.signUp(), '/app/webhooks');
    await page.getByRole('group', { name: 'Events' }).waitFor();
    const widths = await page.getByRole('group', { name: 'Events' }).locator('.check input').evaluateAll((boxes) => boxes.map((b) => Math.round(b.getBoundingClientRect().width)));
    expect(new Set(widths).size).toBe(1);
    await context.close();
  });

  test('the API key name takes at most 100 characters, the server\'s limit', async () => {
    const { page, context } = await h.page();
    await h.logIn(page, await h.t.signUp(), '/app/api-keys');
    await page.getByLabel('Key name').fill('k'.repeat(120));
    expect(await page.getByLabel('Key name').inputValue()).toBe('k'.repeat(100));
    await context.close();
  });

  test('a persona name takes at most 100 characters, the server\'s limit, when created and when renamed; a handle 64 and its "@"', async () => {
    const { page, context } = await h.page();
    const user = await h.t.signUp();
    await h.t.ok(CreateSynfluencerDocument, { input: { name: 'Ava', handle: '@ava', platforms: [] } }, user.token);
    await h.logIn(page, user, '/app/personas');
    await page.getByLabel('Name', { exact: true }).fill('p'.repeat(120));
    expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('p'.repeat(100));
    await page.getByLabel('Handle', { exact: true }).fill(`@${'h'.repeat(80)}`);
    expect(await page.getByLabel('Handle', { exact: true }).inputValue()).toBe(`@${'h'.repeat(64)}`); // 64 and the "@"
    await page.getByRole('button', { name: 'Rename Ava' }).click();
    await page.getByLabel('New name for Ava').fill('r'.repeat(120));
    expect(await page.getByLabel('New name for Ava').inputValue()).toBe('r'.repeat(100));
    await context.close();
  });

  test('amounts and counts are grouped by thousands on screen, every digit kept; a field keeps the plain number', async () => {
    const { page, context } = await h.page();
    const user = await h.t.signUp();
    const key = await createApiKey(h.t, user);
    const admin = await h.t.admin();
    await h.t.ok(GrantCreditsDocument, { accountId: user.accountId, amount: '2000000', reason: 'big studio', idempotencyKey: `big-${user.accountId}` }, admin.token);
    // 12,345 seconds at 0.10: 1,234.50; then 1,000 charges of 0.001 in one batch.
    await h.t.ok(ChargeUsageDocument, { input: { feature: 'talking_head', quantity: 12345, idempotencyKey: `long-${user.accountId}` } }, key);
    const inputs = Array.from({ length: 1000 }, (_, i) => ({ feature: 'content_generation', providerCost: '0.001', idempotencyKey: `many-${i}` }));
    const batch = await h.t.ok(ChargeUsageBatchDocument, { inputs }, key);
    expect(batch.chargeUsageBatch.filter((r) => r.error)).toEqual([]);
    await h.t.ok(UpdateSettingsDocument, { input: { monthlyBudgetCap: '5000' } }, user.token);
    await h.logIn(page, user);

    // 2,000,005 - 1,234.5 - 1: the balance everywhere, with every digit.
    await waitForTestIdText(page, 'balance', '$1,998,769.50', 5000);
    expect(await page.getByTestId('balance').getAttribute('data-credits')).toBe('1998769.5'); // the API's own figure, for scripts
    await waitForTestIdText(page, 'card-balance', '$1,998,769.50', 5000);
    await waitForTestIdText(page, 'cap-meter-label', 'of $5,000.00 cap', 5000);
    await waitForTestIdText(page, 'summary-total', '$1,235.50', 5000);
    await waitForTestIdText(page, 'summary-count', '1,001', 5000);
    await waitForTestIdText(page, 'by-feature', '1,000', 5000);
    expect(await page.locator('[data-testid="summary"] svg title').allTextContents()).toContainEqual(expect.stringContaining('$1,235.50 (1,001 charges)'));
    expect(await page.getByTestId('runway').textContent()).toMatch(/^Runway: credits last about \d{1,3},\d{3} days/);
    // The talking head's row: its quantity, amount and balance after.
    await page.getByLabel('Feature').selectOption({ label: 'Talking head video (HeyGen)' });
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByTestId('history-row').filter({ hasText: '12,345 seconds' }).waitFor({ timeout: 5000 });
    const row = await page.getByTestId('history-row').allTextContents();
    expect(row).toHaveLength(1);
    expect(row[0]).toContain('-$1,234.50');
    expect(row[0]).toContain('$1,998,770.50');
    // The cap's field holds the number as the API has it, ready to edit and send back.
    expect(await page.locator('#limit-monthlyBudgetCap').inputValue()).toBe('5000');
    await page.getByText('Now: $5,000.00.').waitFor();
    await context.close();
  });

  test('long balances with six decimals stay inside their own figure, at 1280 px and 375 px, next to "Held for running jobs"', async () => {
    const user = await h.t.signUp();
    const key = await createApiKey(h.t, user);
    const admin = await h.t.admin();
    await h.t.ok(GrantCreditsDocument, { accountId: user.accountId, amount: '1234.567891', reason: 'odd digits', idempotencyKey: `odd-${user.accountId}` }, admin.token);
    expect((await charge(h.t, key, '0.123456')).errors).toBeUndefined();
    await h.t.ok(ReserveCreditsDocument, { input: { feature: 'content_generation', providerCost: '1.234567', idempotencyKey: `hold-${user.accountId}` } }, key);
    for (const width of [1280, 375]) {
      const { page, context } = await h.page({ width, height: 900 });
      await h.logIn(page, user);
      await waitForTestIdText(page, 'card-balance', '$1,238.209868', 5000);
      // Each figure's text (a Range: what is painted, even past its box) inside its own figure and the card, overlapping no other figure.
      const problems = await page.evaluate(() => {
        const figures = [...document.querySelectorAll('#balance-card .figure')];
        const card = document.getElementById('balance-card')!.getBoundingClientRect();
        const found: string[] = [];
        for (const figure of figures) {
          const range = document.createRange();
          range.selectNodeContents(figure.querySelector('dd')!);
          const text = range.getBoundingClientRect();
          const own = figure.getBoundingClientRect();
          const name = figure.querySelector('dt')!.textContent;
          if (text.right > own.right + 0.5 || text.right > card.right) found.push(`${name}: its figure ends at ${Math.round(own.right)}, its text at ${Math.round(text.right)}`);
          for (const other of figures) {
            if (other === figure) continue;
            const o = other.getBoundingClientRect();
            if (text.right > o.left + 0.5 && text.left < o.right - 0.5 && text.bottom > o.top + 0.5 && text.top < o.bottom - 0.5) found.push(`${name} is painted over ${other.querySelector('dt')!.textContent}`);
          }
        }
        return found;
      });
      expect({ width, problems }).toEqual({ width, problems: [] });
      await context.close();
    }
  });

  test('at a zero balance the runway says the credits are used up', async () => {
    const { page, context } = await h.page();
    const user = await h.t.signUp();
    expect((await charge(h.t, await createApiKey(h.t, user), '5')).errors).toBeUndefined(); // the whole sign-up bonus
    await h.logIn(page, user);
    await waitForTestIdText(page, 'runway', 'Runway: your credits are used up.', 5000);
    await context.close();
  });
});
