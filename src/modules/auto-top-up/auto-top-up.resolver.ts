import { Arg, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root, UseMiddleware } from 'type-graphql';
import { KeyNeedsWalletRead, me, type Context } from '../auth/context';
import { AccountSettings } from '../accounts/accounts.types';
import { formatMinor } from '../../shared/minor-units';
import { CheckoutSessionType } from '../billing/billing.types';
import type { AutoTopUpView } from './auto-top-up.service';
import { AutoTopUpSettingsType, UpdateAutoTopUpInput } from './auto-top-up.types';

const toSettings = (view: AutoTopUpView): AutoTopUpSettingsType => ({
  id: view.accountId,
  enabled: view.enabled,
  threshold: view.threshold,
  packId: view.packId,
  amount: view.credits,
  price: view.amountMinor === null || view.currency === null ? null : formatMinor(view.amountMinor, view.currency),
  currency: view.currency,
  monthlyMaximum: view.monthlyMaximum,
  topUpsThisMonth: view.topUpsThisMonth,
  consecutiveFailures: view.consecutiveFailures,
  stoppedAfterFailures: view.stoppedAfterFailures,
  paymentMethodSaved: view.paymentMethodSaved,
  paymentMethodSavedAt: view.paymentMethodSavedAt,
  lastFailure: view.lastFailure,
  retryAfter: view.retryAfter,
});

@Resolver(() => AccountSettings)
export class AutoTopUpResolver {
  @UseMiddleware(KeyNeedsWalletRead)
  @FieldResolver(() => AutoTopUpSettingsType, { description: 'Automatic top-up settings (change them with updateAutoTopUp). Needs WALLET_READ for API keys.' })
  async autoTopUp(@Root() settings: AccountSettings, @Ctx() ctx: Context): Promise<AutoTopUpSettingsType> {
    return toSettings(await ctx.services.autoTopUp.view(settings.id));
  }

  @Authorized('SESSION')
  @Mutation(() => AutoTopUpSettingsType, {
    description:
      'Changes auto top-up settings. Enabling is BILLING_NOT_CONFIGURED without a Stripe key, BILLING_DISABLED unless self-service billing is on (like purchases), and BAD_USER_INPUT without a saved card, a threshold and a pack or amount. Saving clears the failure count and `retryAfter`.',
  })
  async updateAutoTopUp(@Arg('input', () => UpdateAutoTopUpInput, { description: 'The settings to change.' }) input: UpdateAutoTopUpInput, @Ctx() ctx: Context): Promise<AutoTopUpSettingsType> {
    return toSettings(await ctx.services.autoTopUp.update(me(ctx).accountId, input));
  }

  @Authorized('SESSION')
  @Mutation(() => CheckoutSessionType, {
    description: 'A setup-mode Stripe Checkout session that saves a card for auto top-up without buying anything (buying a pack saves the card too). Gated like purchaseCredits.',
  })
  async setupAutoTopUpPaymentMethod(@Ctx() ctx: Context): Promise<CheckoutSessionType> {
    return ctx.services.autoTopUp.setupPaymentMethod(me(ctx).accountId);
  }
}
