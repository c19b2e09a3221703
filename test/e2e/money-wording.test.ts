import { charge, createApiKey, DashboardHarness, waitForTestIdText } from '../helpers/dashboard';
import { describeWithBrowser } from '../helpers/browser';
import { FakeStripe } from '../helpers/fake-stripe';
import { SetSelfServiceBillingDocument } from '../generated/graphql';

/*
 * Money as the synfluencer preset shows it (one credit is one dollar, so credits read as money:
 * a $5.00 sign-up bonus, packs of $10.00 of credits for $10.00): the figures a customer reads
 * must add up and name one unit. Stripe is the local Stripe-compatible server with hosted pages.
 */

const WHSEC = 'whsec_dashboard_money_wording';

describeWithBrowser('dashboard: money wording (credits shown as money)', () => {
  let h: DashboardHarness;
  let fake: FakeStripe;
  beforeAll(async () => {
    fake = await new FakeStripe().start();
    h = await DashboardHarness.start({ STRIPE_SECRET_KEY: 'sk_test_fake', STRIPE_WEBHOOK_SECRET: WHSEC, STRIPE_API_BASE: fake.url });
    fake.hostPages({ webhookUrl: `${h.base}/webhooks/stripe`, webhookSecret: WHSEC });
    fake.intents.sendWebhooksTo(`${h.base}/webhooks/stripe`, WHSEC);
    await h.t.ok(SetSelfServiceBillingDocument, { enabled: true }, (await h.t.admin()).token);
  });
  afterAll(async () => {
    await h?.stop();
    await fake?.stop();
  });

  test('a monthly cap set below what the month already spent says how far past it the month is, not "100 %"', async () => {
    const { page, context } = await h.page();
    const user = await h.signUpAndLogIn(page);
    const key = await createApiKey(h.t, user);
    expect((await charge(h.t, key, '4')).errors).toBeUndefined();
    await waitForTestIdText(page, 'balance', '$1.00', 5000);

    const limits = page.locator('#limits');
    await limits.getByLabel('Monthly budget cap').fill('3');
    await limits.getByRole('button', { name: 'Save monthly budget cap' }).click();
    await limits.getByText('Monthly budget cap set to $3.00.').waitFor();
    // $4.00 of a $3.00 cap is 133 %; the meter itself stops at full.
    await waitForTestIdText(page, 'cap-meter-label', 'Spent this month: $4.00 of $3.00 cap (133 %)', 5000);
    expect(await page.locator('.cap-meter meter').getAttribute('value')).toBe('100');
    // Just past the cap ($4.00 of $3.98, 100.5 %) is not "100 %", which reads as exactly at the cap.
    await limits.getByLabel('Monthly budget cap').fill('3.98');
    await limits.getByRole('button', { name: 'Save monthly budget cap' }).click();
    await waitForTestIdText(page, 'cap-meter-label', 'Spent this month: $4.00 of $3.98 cap (over 100 %)', 5000);
    await context.close();
  });

  test('auto top-up names packs as the Buy credits card does, and says what the card is charged when rounding up to a cent changes it', async () => {
    const { page, context } = await h.page();
    await h.signUpAndLogIn(page);
    const card = page.locator('#auto-top-up');
    await waitForTestIdText(page, 'auto-top-up-state', 'Off.', 5000);

    // The packs read as on the Buy credits card ("$10.00 of credits for $10.00"), never in another unit.
    await page.locator('#top-up').getByText('$10.00 of credits').waitFor();
    // The Buy button is heard as it is read.
    await page.locator('#top-up').getByRole('button', { name: 'Buy $10.00 of credits for $10.00' }).waitFor();
    const options = await card.getByLabel('Buy each time').locator('option').allTextContents();
    expect(options).toContain('$10.00 of credits for $10.00');
    expect(options.filter((o) => /\d credits/.test(o))).toEqual([]);

    await card.getByRole('button', { name: 'Save a card' }).click();
    await page.waitForURL(`${fake.url}/checkout/**`);
    await page.getByRole('button', { name: 'Save card' }).click();
    await page.getByText('Your card is saved for auto top-up.').waitFor({ timeout: 10_000 });

    // $12.345 of credits cost $12.35 (rounded up to a whole cent): the state says both.
    await card.getByLabel('Top up automatically').check();
    await card.getByLabel('When the balance falls below').fill('2');
    // The field says its unit: credits are shown as dollars here.
    expect(await page.getByTestId('auto-top-up-threshold-unit').textContent()).toBe('An amount in USD, as the balance is shown.');
    await card.getByLabel('Buy each time').selectOption('custom');
    await card.getByLabel('Credits to buy').fill('12.345');
    await waitForTestIdText(page, 'auto-top-up-price', 'Your card is charged $12.35 each time', 1000);
    await card.getByLabel('At most this many top-ups a month').fill('2');
    await card.getByRole('button', { name: 'Save auto top-up' }).click();
    await card.getByText('Auto top-up settings saved.').waitFor();
    await waitForTestIdText(page, 'auto-top-up-state', 'On: when the balance falls below $2.00, buys $12.345 of credits for $12.35. 0 of at most 2 this month.', 5000);

    // A pack whose price equals its credits needs no price: "$10.00 of credits", said once.
    await card.getByLabel('Buy each time').selectOption({ label: '$10.00 of credits for $10.00' });
    await card.getByRole('button', { name: 'Save auto top-up' }).click();
    await waitForTestIdText(page, 'auto-top-up-state', 'On: when the balance falls below $2.00, buys $10.00 of credits. 0 of at most 2 this month.', 5000);
    await context.close();
  });
});
