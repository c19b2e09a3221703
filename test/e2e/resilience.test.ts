import type { Page } from 'playwright-core';
import { DashboardHarness } from '../helpers/dashboard';
import { describeWithBrowser } from '../helpers/browser';

/*
 * The dashboard when things go wrong or get long: a page's code that fails to load, more
 * messages than one page holds, where the keyboard focus goes after an action, and forms that
 * forget what no longer applies.
 */

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
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.getByRole('button', { name: 'Try again' }).waitFor();
    await page.getByRole('heading', { name: 'This page could not be loaded', level: 1 }).waitFor();

    await context.setOffline(false);
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.getByRole('heading', { name: 'Personas', level: 1 }).waitFor();
    await page.getByText('Create a persona').waitFor();
    expect(await page.getByTestId('balance').isVisible()).toBe(true);
    expect(await marker(page)).toBe(42); // the import was tried again, without a reload
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
});
