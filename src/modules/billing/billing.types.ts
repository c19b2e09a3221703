import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Credits } from '../../shared/graphql';
import { RefundStatus } from './refund.entity';

registerEnumType(RefundStatus, {
  name: 'RefundStatus',
  valuesConfig: {
    PENDING: { description: 'Credits removed; the Stripe refund is not confirmed yet and is retried until it is.' },
    SUCCEEDED: { description: 'Stripe accepted the refund.' },
    FAILED: { description: 'Nothing was refunded (nothing left, or Stripe refused); any removed credits were given back.' },
  },
});

@ObjectType('CreditPack')
export class CreditPackType {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field({ description: 'Decimal price in `currency`, e.g. "9.00".' })
  price!: string;

  @Field()
  currency!: string;

  @Field(() => Credits)
  credits!: bigint;
}

@ObjectType('Plan')
export class PlanType {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => Credits, { description: 'Credits allocated each billing period; they expire at its end (no rollover).' })
  monthlyCredits!: bigint;

  @Field({ description: 'Decimal monthly price in `currency`, e.g. "29.00".' })
  price!: string;

  @Field()
  currency!: string;
}

@ObjectType('BillingSettings')
export class BillingSettingsType {
  @Field({ description: 'Whether an admin enabled self-service billing (purchases, plans, portal).' })
  selfServiceEnabled!: boolean;

  @Field({ description: 'Whether credit packs can be bought now (enabled, Stripe configured, packs on offer).' })
  topUpAvailable!: boolean;

  @Field({ description: 'Whether the Stripe billing portal can be opened now.' })
  portalAvailable!: boolean;

  @Field({ description: 'Whether this server has a Stripe key (beyond the contract).' })
  stripeConfigured!: boolean;
}

@ObjectType('CheckoutSession')
export class CheckoutSessionType {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'Stripe Checkout page to send the customer to.' })
  url!: string;
}

@ObjectType('BillingPortalSession')
export class BillingPortalSessionType {
  @Field()
  url!: string;
}

@ObjectType('Refund')
export class RefundType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  bucketId!: string;

  @Field(() => Credits, { description: 'Credits removed from the bucket.' })
  amount!: bigint;

  @Field(() => RefundStatus)
  status!: RefundStatus;

  @Field({ description: 'Money paid back, as a decimal in `currency`, e.g. "4.50".' })
  refundedAmount!: string;

  @Field(() => Int, { description: 'Money paid back in the smallest currency unit.' })
  refundedAmountMinor!: number;

  @Field()
  currency!: string;

  @Field()
  createdAt!: Date;
}

@ObjectType('AccountPlan', { description: "The account's subscription plan (influgen-style price books)." })
export class AccountPlanType {
  @Field(() => PlanType)
  plan!: PlanType;

  @Field(() => Date, { nullable: true, description: "When the current allocation expires and the next one is due (the paid period's end); null before the first allocation." })
  renewsAt!: Date | null;
}
