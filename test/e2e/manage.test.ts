import { errorCode } from '../helpers/app';
import { charge, DashboardHarness } from '../helpers/dashboard';
import { describeWithBrowser } from '../helpers/browser';

/* Personas and API keys, managed in the UI and checked through the API. */

describeWithBrowser('dashboard: personas and API keys', () => {
  let h: DashboardHarness;
  beforeAll(async () => {
    h = await DashboardHarness.start();
  });
  afterAll(async () => {
    await h?.stop();
  });

  test('personas: create, rename and archive; the top-bar selector follows', async () => {
    const { page, context } = await h.page();
    await h.signUpAndLogIn(page);
    await page.getByRole('link', { name: 'Personas' }).click();
    await page.getByText('No personas yet. Create one to track its usage on its own.').waitFor();

    await page.getByLabel('Name', { exact: true }).fill('Nova');
    await page.getByLabel('Handle').fill('@nova');
    await page.getByLabel('Platforms (comma-separated)').fill('tiktok, youtube');
    await page.getByRole('button', { name: 'Create persona' }).click();
    await page.getByText('Nova was created.').waitFor();
    await page.getByTestId('persona').filter({ hasText: 'tiktok, youtube' }).waitFor();
    await page.waitForFunction(() => Array.from(document.querySelectorAll('[data-testid="command-dock"] option')).some((o) => o.textContent === 'Nova'));

    await page.getByRole('button', { name: 'Rename Nova' }).click();
    await page.getByLabel('New name for Nova').fill('Nova Prime');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('persona').filter({ hasText: 'Nova Prime' }).waitFor();
    await page.waitForFunction(() => Array.from(document.querySelectorAll('[data-testid="command-dock"] option')).some((o) => o.textContent === 'Nova Prime'));

    await page.getByRole('button', { name: 'Archive Nova Prime' }).click();
    await page.getByRole('button', { name: 'Yes, archive' }).click();
    await page.getByText('No personas yet. Create one to track its usage on its own.').waitFor();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="command-dock"] option').length === 1);
    await page.getByLabel('Show archived').check();
    await page.getByTestId('persona').filter({ hasText: 'archived' }).waitFor();
    await context.close();
  });

  test('API keys: the secret is shown once and copies; it charges; the list shows its last use; revoked, it stops working', async () => {
    const { page, context } = await h.page();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: h.base });
    await h.signUpAndLogIn(page);
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByText('No API keys yet.').waitFor();

    await page.getByLabel('Key name').fill('render pipeline');
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = await page.getByTestId('api-key-secret').inputValue();
    expect(secret).toMatch(/^sfk_/);
    await page.getByRole('button', { name: 'Copy', exact: true }).click();
    await page.getByText('Copied to the clipboard.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    await page.getByTestId('api-key').filter({ hasText: 'last used never' }).waitFor();

    expect((await charge(h.t, secret, '0.5')).errors).toBeUndefined();
    await page.reload();
    await page.getByTestId('api-key').filter({ hasText: 'render pipeline' }).waitFor();
    expect(await page.getByTestId('api-key-secret').count()).toBe(0); // shown once, gone after a reload
    await page.waitForFunction(() => !document.querySelector('[data-testid="api-key"]')?.textContent?.includes('last used never'));

    // Revoking asks first; keeping it changes nothing and gives the focus back to Revoke.
    await page.getByRole('button', { name: 'Revoke render pipeline' }).click();
    await page.getByRole('button', { name: 'Keep it' }).click();
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Revoke render pipeline');
    expect((await charge(h.t, secret, '0.01')).errors).toBeUndefined();
    await page.getByRole('button', { name: 'Revoke render pipeline' }).click();
    await page.getByRole('button', { name: 'Yes, revoke' }).click();
    await page.getByTestId('api-key').filter({ hasText: 'revoked' }).waitFor();
    expect(await page.getByRole('group', { name: 'Confirm revoking render pipeline' }).count()).toBe(0);
    expect(errorCode(await charge(h.t, secret, '0.5'))).toBe('UNAUTHENTICATED');
    await context.close();
  });
});
