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
    await context.close();
  });
});
