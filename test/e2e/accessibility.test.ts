import { charge, createApiKey, DashboardHarness, seriousViolations } from '../helpers/dashboard';
import { describeWithBrowser } from '../helpers/browser';
import { CreateSynfluencerDocument, CreateWebhookEndpointDocument } from '../generated/graphql';

/*
 * axe-core on every page, at desktop width and at 360 px, with a screenshot of each in
 * artifacts/; and the log-in form with the keyboard alone.
 */

const PAGES = [
  { path: '/app/account', heading: 'Account' },
  { path: '/app/messages', heading: 'Messages' },
  { path: '/app/personas', heading: 'Personas' },
  { path: '/app/api-keys', heading: 'API keys' },
  { path: '/app/webhooks', heading: 'Webhooks' },
  { path: '/app/admin', heading: 'Admin' },
];

describeWithBrowser('dashboard: accessibility and small screens', () => {
  let h: DashboardHarness;
  beforeAll(async () => {
    h = await DashboardHarness.start();
    // Content on every page: a persona, usage, a low-credit message, an API key, a webhook endpoint.
    const admin = await h.t.admin();
    await h.t.ok(CreateSynfluencerDocument, { input: { name: 'Ava', handle: '@ava', platforms: ['tiktok'] } }, admin.token);
    // Names and keys as long as studios give them: the selects and breakdowns must not widen the page.
    const aurora = (await h.t.ok(CreateSynfluencerDocument, { input: { name: 'Aurora Vance – Lifestyle & Travel Creator', handle: '@aurora.vance.travels' } }, admin.token)).createSynfluencer;
    await h.t.ok(CreateSynfluencerDocument, { input: { name: 'Kai Nakamura (Gaming & Tech Reviews)', handle: '@kai' } }, admin.token);
    const key = await createApiKey(h.t, admin);
    for (const amount of ['1.5', '0.75', '2']) await charge(h.t, key, amount, { platform: 'tiktok' });
    await charge(h.t, key, '0.5', { platform: 'instagram_reels_business_account_feed', synfluencerId: aurora.id });
    const receiver = 'http://127.0.0.1:9/a-long-path/that-must-wrap-on-a-phone/webhooks/credits-and-billing';
    await h.t.ok(CreateWebhookEndpointDocument, { input: { url: receiver, events: ['LOW_CREDITS'], description: 'ops alerts' } }, admin.token);
  });
  afterAll(async () => {
    await h?.stop();
  });

  test('the log-in and sign-up forms have no serious or critical axe violations', async () => {
    for (const width of [1280, 360]) {
      const { page, context } = await h.page({ width });
      for (const path of ['/app/login', '/app/signup']) {
        await page.goto(path);
        await page.getByRole('heading', { level: 1 }).waitFor();
        expect({ path, width, violations: await seriousViolations(page) }).toEqual({ path, width, violations: [] });
        await h.screenshot(page, `${path.split('/').pop()}-${width}`);
      }
      await context.close();
    }
  });

  test.each([1280, 360])('every logged-in page at %i px: no serious or critical axe violations, nothing wider than the screen', async (width) => {
    const { page, context } = await h.page({ width, height: 800 });
    await h.logIn(page, await h.t.admin());
    for (const p of PAGES) {
      await page.goto(p.path);
      await page.getByRole('heading', { name: p.heading, level: 1 }).waitFor();
      // Scan the page as loaded: every loading placeholder gone (a page stuck loading fails here).
      await page.waitForFunction(() => document.querySelectorAll('.loading').length === 0);
      expect({ page: p.path, violations: await seriousViolations(page) }).toEqual({ page: p.path, violations: [] });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect({ page: p.path, overflow }).toEqual({ page: p.path, overflow: 0 });
      await h.screenshot(page, `${p.path.split('/').pop()}-${width}`);
    }
    await context.close();
  });

  test('keyboard only: skip link, log in, navigate to Messages', async () => {
    const { page, context } = await h.page();
    await page.goto('/app/login');
    await page.getByLabel('Email').waitFor(); // rendered by the app's script
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('email');
    await page.keyboard.type((await h.t.admin()).email);
    await page.keyboard.press('Tab');
    await page.keyboard.type('Sup3rSecret!');
    await page.keyboard.press('Enter');
    await page.getByTestId('balance').waitFor();

    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    // Tab along the top bar until the Messages link has the focus, then follow it.
    for (let i = 0; i < 10; i++) {
      await page.keyboard.press('Tab');
      if ((await page.evaluate(() => document.activeElement?.textContent ?? '')).startsWith('Messages')) break;
    }
    expect(await page.evaluate(() => document.activeElement?.textContent)).toMatch(/^Messages\d+ unread$/);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Messages', level: 1 }).waitFor();
    // Focus moves to the new page's heading (once the page's code is there), so a screen reader announces it.
    await page.waitForFunction(() => document.activeElement?.tagName === 'H1', null, { timeout: 5000 });
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Messages');
    await context.close();
  });
});
