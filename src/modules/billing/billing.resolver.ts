import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../auth/context';
import { me } from '../auth/context';
import { formatMinor } from './billing.catalog';
import { toPlanType } from './account-plan.resolver';
import type { BillingSettingsView, RefundRow } from './billing.service';
import { BillingPortalSessionType, BillingSettingsType, CheckoutSessionType, CreditPackType, PlanType, RefundType } from './billing.types';

const toSettings = (s: BillingSettingsView): BillingSettingsType => ({
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

  @Query(() => [PlanType], { description: 'Subscription plans of the active price book (none for pay-as-you-go books).' })
  plans(@Ctx() ctx: Context): PlanType[] {
    return ctx.services.billing.catalog.plans.map(toPlanType);
  }

  @Authorized('WALLET_READ')
  @Query(() => BillingSettingsType)
  async billingSettings(@Ctx() ctx: Context): Promise<BillingSettingsType> {
    return toSettings(await ctx.services.billing.settings());
  }

  @Authorized('ADMIN')
  @Mutation(() => BillingSettingsType, { description: 'Admins: turn self-service billing on or off (persisted and audited).' })
  async setSelfServiceBilling(@Arg('enabled') enabled: boolean, @Ctx() ctx: Context): Promise<BillingSettingsType> {
    return toSettings(await ctx.services.billing.setSelfService(me(ctx).accountId, enabled));
  }

  @Authorized('SESSION')
  @Mutation(() => CheckoutSessionType, { description: 'A Stripe Checkout session (one-time payment) for a credit pack.' })
  async purchaseCredits(@Arg('packId', () => ID) packId: string, @Ctx() ctx: Context): Promise<CheckoutSessionType> {
    return ctx.services.billing.purchaseCredits(me(ctx).accountId, packId);
  }

  @Authorized('SESSION')
  @Mutation(() => CheckoutSessionType, { description: 'A Stripe Checkout session (subscription) for a plan.' })
  async subscribeToPlan(@Arg('planId', () => ID) planId: string, @Ctx() ctx: Context): Promise<CheckoutSessionType> {
    return ctx.services.billing.subscribeToPlan(me(ctx).accountId, planId);
  }

  /** Offered as both a query and a mutation: it has a side effect at Stripe, but the contract reads like a query field. */
  @Authorized('SESSION')
  @Query(() => BillingPortalSessionType, { name: 'billingPortal', description: "A Stripe billing portal session for the account's customer." })
  async billingPortalQuery(@Ctx() ctx: Context): Promise<BillingPortalSessionType> {
    return ctx.services.billing.billingPortal(me(ctx).accountId);
  }

  @Authorized('SESSION')
  @Mutation(() => BillingPortalSessionType, { name: 'billingPortal', description: "A Stripe billing portal session for the account's customer." })
  async billingPortalMutation(@Ctx() ctx: Context): Promise<BillingPortalSessionType> {
    return ctx.services.billing.billingPortal(me(ctx).accountId);
  }

  @Authorized('SESSION')
  @Mutation(() => RefundType, { description: 'Refunds the unused part of a purchased bucket through Stripe and removes those credits.' })
  async requestRefund(@Arg('bucketId', () => ID) bucketId: string, @Ctx() ctx: Context): Promise<RefundType> {
    return toRefund(await ctx.services.billing.requestRefund(me(ctx).accountId, bucketId));
  }

  @Authorized('SESSION')
  @Query(() => [RefundType], { description: "The account's refunds, newest first (at most 100)." })
  async refunds(@Ctx() ctx: Context): Promise<RefundType[]> {
    return (await ctx.services.billing.refunds(me(ctx).accountId)).map(toRefund);
  }
}
