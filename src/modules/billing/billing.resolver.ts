import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../auth/context';
import { me } from '../auth/context';
import { formatMinor } from '../../shared/minor-units';
import { toPlanType } from './account-plan.resolver';
import type { RefundRow } from './billing.refunds';
import type { BillingSettingsView } from './billing.service';
import { BillingPortalSessionType, BillingSettingsType, CheckoutSessionType, CreditPackType, PlanType, RefundType } from './billing.types';

const toSettings = (s: BillingSettingsView): BillingSettingsType => ({
  id: 'billing',
  selfServiceEnabled: s.selfServiceEnabled,
  topUpAvailable: s.topUpAvailable,
  portalAvailable: s.portalAvailable,
  stripeConfigured: s.configured,
});

const toRefund = (r: RefundRow): RefundType => ({
  id: r.id,
  bucketId: r.bucketId,
  amount: r.credits,
  status: r.status,
  refundedAmount: formatMinor(r.amountMinor, r.currency),
  refundedAmountMinor: Number(r.amountMinor),
  currency: r.currency,
  createdAt: r.createdAt,
});

@Resolver()
export class BillingResolver {
  @Query(() => [CreditPackType], { description: 'Credit packs of the active price book. Public: prices are not secret.' })
  creditPacks(@Ctx() ctx: Context): CreditPackType[] {
    return ctx.services.billing.catalog.packs.map((p) => ({ id: p.id, name: p.name, price: formatMinor(p.priceMinor, p.currency), currency: p.currency, credits: p.credits }));
  }

  @Query(() => [PlanType], { description: 'Subscription plans of the active price book (none for pay-as-you-go books). Public.' })
  plans(@Ctx() ctx: Context): PlanType[] {
    return ctx.services.billing.catalog.plans.map(toPlanType);
  }

  @Authorized('WALLET_READ')
  @Query(() => BillingSettingsType, { description: 'Whether self-service billing is on and what is available (top-up, portal).' })
  async billingSettings(@Ctx() ctx: Context): Promise<BillingSettingsType> {
    return toSettings(await ctx.services.billing.settings());
  }

  @Authorized('ADMIN')
  @Mutation(() => BillingSettingsType, { description: 'Admins: turn self-service billing on or off (persisted and audited).' })
  async setSelfServiceBilling(@Arg('enabled', { description: 'true to let accounts buy packs, plans and open the portal themselves.' }) enabled: boolean, @Ctx() ctx: Context): Promise<BillingSettingsType> {
    return toSettings(await ctx.services.billing.setSelfService(me(ctx).accountId, enabled));
  }

  @Authorized('SESSION')
  @Mutation(() => CheckoutSessionType, {
    description:
      'A Stripe Checkout session (one-time payment) for a credit pack. BILLING_DISABLED unless an admin enabled self-service billing, BILLING_NOT_CONFIGURED without a Stripe key, NOT_FOUND for an unknown pack.',
  })
  async purchaseCredits(@Arg('packId', () => ID, { description: 'A CreditPack id.' }) packId: string, @Ctx() ctx: Context): Promise<CheckoutSessionType> {
    return ctx.services.billing.purchaseCredits(me(ctx).accountId, packId);
  }

  @Authorized('SESSION')
  @Mutation(() => CheckoutSessionType, {
    description:
      'A Stripe Checkout session (subscription) for a plan. BILLING_DISABLED, BILLING_NOT_CONFIGURED, NOT_FOUND for an unknown plan, BAD_USER_INPUT if the account already has a plan.',
  })
  async subscribeToPlan(@Arg('planId', () => ID, { description: 'A Plan id.' }) planId: string, @Ctx() ctx: Context): Promise<CheckoutSessionType> {
    return ctx.services.billing.subscribeToPlan(me(ctx).accountId, planId);
  }

  /** Offered as both a query and a mutation: it has a side effect at Stripe, but the contract reads like a query field. */
  @Authorized('SESSION')
  @Query(() => BillingPortalSessionType, { name: 'billingPortal', description: "A Stripe billing portal session for the account's customer. BILLING_DISABLED or BILLING_NOT_CONFIGURED when billing is off." })
  async billingPortalQuery(@Ctx() ctx: Context): Promise<BillingPortalSessionType> {
    return ctx.services.billing.billingPortal(me(ctx).accountId);
  }

  @Authorized('SESSION')
  @Mutation(() => BillingPortalSessionType, { name: 'billingPortal', description: "A Stripe billing portal session for the account's customer. BILLING_DISABLED or BILLING_NOT_CONFIGURED when billing is off." })
  async billingPortalMutation(@Ctx() ctx: Context): Promise<BillingPortalSessionType> {
    return ctx.services.billing.billingPortal(me(ctx).accountId);
  }

  @Authorized('SESSION')
  @Mutation(() => RefundType, {
    description:
      'Refunds the unused part of a purchased bucket through Stripe and removes those credits (credits first, then the money; never twice). Repeating it while PENDING returns the same refund. BAD_USER_INPUT when nothing is left to refund or the bucket was not bought through Stripe.',
  })
  async requestRefund(@Arg('bucketId', () => ID, { description: 'A CreditBucket with source PURCHASE.' }) bucketId: string, @Ctx() ctx: Context): Promise<RefundType> {
    return toRefund(await ctx.services.billing.refunds.request(me(ctx).accountId, bucketId));
  }

  @Authorized('SESSION')
  @Query(() => [RefundType], { description: "The account's refunds, newest first (at most 100)." })
  async refunds(@Ctx() ctx: Context): Promise<RefundType[]> {
    return (await ctx.services.billing.refunds.ofAccount(me(ctx).accountId)).map(toRefund);
  }
}
