import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Credits } from '../../shared/graphql';

@ObjectType('AutoTopUpSettings', {
  description:
    "Automatic top-up: when a spend leaves the balance below `threshold`, one top-up (a pack or an amount) is charged to the saved card, off-session, and credited when Stripe confirms the payment. Never two at once for a wallet; at most `monthlyMaximum` a month. Its id is the account's id.",
})
export class AutoTopUpSettingsType {
  @Field(() => ID, { description: "The account's id." })
  id!: string;

  @Field({ description: 'Whether top-ups start.' })
  enabled!: boolean;

  @Field(() => Credits, { nullable: true, description: 'A spend that leaves the balance below this starts a top-up.' })
  threshold!: bigint | null;

  @Field(() => ID, { nullable: true, description: 'The credit pack bought by each top-up; null for a custom amount.' })
  packId!: string | null;

  @Field(() => Credits, { nullable: true, description: 'Credits added by each top-up.' })
  amount!: bigint | null;

  @Field(() => String, { nullable: true, description: 'What each top-up costs, e.g. "9.00" (in `currency`).' })
  price!: string | null;

  @Field(() => String, { nullable: true, description: 'ISO currency code of `price`, lower case.' })
  currency!: string | null;

  @Field(() => Int, { description: 'Top-ups per calendar month (account timezone) at most; failed ones do not count.' })
  monthlyMaximum!: number;

  @Field(() => Int, { description: 'Top-ups started this month that did not fail.' })
  topUpsThisMonth!: number;

  @Field(() => Int, { description: 'Top-ups that failed in a row since the last success or save; a bank asking for authentication sets it to the limit at once.' })
  consecutiveFailures!: number;

  @Field({ description: 'True when failures stopped top-ups: save the settings (or a new card) to start again.' })
  stoppedAfterFailures!: boolean;

  @Field({ description: 'Whether a card is saved for off-session payments (a pack bought through Checkout, or setupAutoTopUpPaymentMethod).' })
  paymentMethodSaved!: boolean;

  @Field(() => Date, { nullable: true, description: 'When Stripe last saved a card for top-ups; a new card (setupAutoTopUpPaymentMethod) moves it. Null without a card.' })
  paymentMethodSavedAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Why the last failed top-up failed, e.g. "card_declined: ...".' })
  lastFailure!: string | null;

  @Field(() => Date, {
    nullable: true,
    description:
      'When a failed top-up may be tried again: after a failure none starts before this (the spacing doubles with each failure in a row). Null when none is waiting: no failure since the last success or save, that time has passed, or failures stopped top-ups.',
  })
  retryAfter!: Date | null;
}

@InputType({ description: 'Auto top-up settings to change; omitted fields stay as they are. Saving also clears the failure count and `retryAfter`.' })
export class UpdateAutoTopUpInput {
  @Field(() => Boolean, { nullable: true, description: 'Turn top-ups on (needs self-service billing, a saved card, a threshold and a pack or amount) or off.' })
  enabled?: boolean | null;

  @Field(() => Credits, { nullable: true, description: 'Greater than 0.' })
  threshold?: bigint | null;

  @Field(() => ID, { nullable: true, description: 'A CreditPack id to buy each time (instead of amount).' })
  packId?: string | null;

  @Field(() => Credits, { nullable: true, description: "Credits to buy each time at the price book's credit value (instead of packId); at least 0.50 and at most 999,999.99 in money (what a card can be charged at once)." })
  amount?: bigint | null;

  @Field(() => Int, { nullable: true, description: 'Top-ups per month at most, 1 to 100 (default 3).' })
  monthlyMaximum?: number | null;
}
