import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Credits } from '../../shared/graphql';
import { RefundStatus } from './refund.entity';

registerEnumType(RefundStatus, {
  name: 'RefundStatus',
  description: 'Where a refund is: credits are removed first, then Stripe pays back.',
  valuesConfig: {
    PENDING: { description: 'Credits removed; the Stripe refund is not confirmed yet and is retried until it is.' },
    SUCCEEDED: { description: 'Stripe accepted the refund.' },
    FAILED: { description: 'Nothing was refunded (nothing left, or Stripe refused); any removed credits were given back.' },
  },
});

@ObjectType('CreditPack', { description: 'A pack of credits that can be bought once through Stripe Checkout; purchased credits never expire.' })
export class CreditPackType {
  @Field(() => ID, { description: 'Pack id for purchaseCredits, e.g. "pack_25".' })
  id!: string;

  @Field({ description: 'Display name, e.g. "25 credits".' })
  name!: string;

  @Field({ description: 'Decimal price in `currency`, e.g. "9.00".' })
  price!: string;

  @Field({ description: 'ISO 4217 currency, lower-case, e.g. "usd".' })
  currency!: string;

  @Field(() => Credits, { description: 'Credits the pack adds once the payment is confirmed.' })
  credits!: bigint;
}

@ObjectType('Plan', { description: 'A monthly subscription that allocates credits each billing period.' })
export class PlanType {
  @Field(() => ID, { description: 'Plan id for subscribeToPlan, e.g. "growth".' })
  id!: string;

  @Field({ description: 'Display name, e.g. "Growth".' })
  name!: string;

  @Field(() => Credits, { description: 'Credits allocated each billing period; they expire at its end (no rollover).' })
  monthlyCredits!: bigint;

  @Field({ description: 'Decimal monthly price in `currency`, e.g. "29.00".' })
  price!: string;

  @Field({ description: 'ISO 4217 currency, lower-case, e.g. "usd".' })
  currency!: string;
}

@ObjectType('BillingSettings', { description: 'What billing can do on this service now (the same for every account).' })
export class BillingSettingsType {
  @Field(() => ID, { description: 'Always "billing": one settings object per service, so setSelfServiceBilling updates a cached billingSettings.' })
  id!: string;

  @Field({ description: 'Whether an admin enabled self-service billing (purchases, plans, portal).' })
  selfServiceEnabled!: boolean;

  @Field({ description: 'Whether credit packs can be bought now (enabled, Stripe configured, packs on offer).' })
  topUpAvailable!: boolean;

  @Field({ description: 'Whether the Stripe billing portal can be opened now.' })
  portalAvailable!: boolean;

  @Field({ description: 'Whether this server has a Stripe key (beyond the contract).' })
  stripeConfigured!: boolean;
}

@ObjectType('CheckoutSession', { description: 'A Stripe Checkout session; credits arrive when Stripe confirms the payment (webhook), announced by balanceChanged and a PURCHASE_COMPLETED message.' })
export class CheckoutSessionType {
  @Field(() => ID, { description: 'The Stripe Checkout session id.' })
  id!: string;

  @Field({ description: 'Stripe Checkout page to send the customer to.' })
  url!: string;
}

@ObjectType('BillingPortalSession', { description: "A Stripe billing portal session (invoices, payment methods, plan changes)." })
export class BillingPortalSessionType {
  @Field({ description: 'The portal page to send the customer to; valid for a short time.' })
  url!: string;
}

@ObjectType('Refund', { description: 'A refund of the unused credits of one purchased bucket.' })
export class RefundType {
  @Field(() => ID, { description: 'Stable refund id.' })
  id!: string;

  @Field(() => ID, { description: 'The purchased CreditBucket refunded.' })
  bucketId!: string;

  @Field(() => Credits, { description: 'Credits removed from the bucket.' })
  amount!: bigint;

  @Field(() => RefundStatus, { description: 'PENDING, SUCCEEDED or FAILED.' })
  status!: RefundStatus;

  @Field({ description: 'Money paid back, as a decimal in `currency`, e.g. "4.50".' })
  refundedAmount!: string;

  @Field(() => Int, { description: 'Money paid back in the smallest currency unit.' })
  refundedAmountMinor!: number;

  @Field({ description: 'ISO 4217 currency of the money paid back, lower-case.' })
  currency!: string;

  @Field({ description: 'When the refund was requested.' })
  createdAt!: Date;
}

@ObjectType('AccountPlan', { description: "The account's subscription plan (influgen-style price books)." })
export class AccountPlanType {
  @Field(() => PlanType, { description: 'The plan the account subscribes to.' })
  plan!: PlanType;

  @Field(() => Date, { nullable: true, description: "When the current allocation expires and the next one is due (the paid period's end); null before the first allocation." })
  renewsAt!: Date | null;
}
