import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Credits } from '../../shared/graphql';
import { UsagePeriod } from './usage.service';

registerEnumType(UsagePeriod, {
  name: 'UsagePeriod',
  description: 'The length of the buckets of a usage summary.',
  valuesConfig: {
    DAY: { description: "Calendar days in the account's timezone." },
    WEEK: { description: "ISO weeks (Monday start) in the account's timezone." },
    MONTH: { description: "Calendar months in the account's timezone." },
  },
});

@ObjectType('UsageBucket', { description: 'Spend in one period of a usage summary.' })
export class UsageBucketType {
  @Field({ description: "Start of the period in the account's timezone (for the first bucket possibly before `from`)." })
  start!: Date;

  @Field(() => Credits, { description: 'Spend (charges and captured holds) in this bucket, positive.' })
  total!: bigint;

  @Field(() => Int, { description: 'How many spend transactions fell in this bucket.' })
  count!: number;
}

@ObjectType('UsageBreakdown', { description: 'Spend for one feature, platform, automation or synfluencer over the whole range.' })
export class UsageBreakdownType {
  @Field(() => String, { nullable: true, description: 'The feature, platform, automation id or synfluencer id; null for usage without one.' })
  key!: string | null;

  @Field(() => String, { nullable: true, description: "Display name: the price book's feature label, the synfluencer's name." })
  label!: string | null;

  @Field(() => Credits, { description: 'Spend for this key in the range, positive.' })
  total!: bigint;

  @Field(() => Int, { description: 'How many spend transactions.' })
  count!: number;
}

@ObjectType('UsageSummary', { description: "Spend over a range in the account's timezone, by period and broken down; answered from a daily rollup, not a ledger scan." })
export class UsageSummaryType {
  @Field(() => Credits, { description: 'Spend in [from, to): USAGE plus CAPTURE, positive. Held but uncaptured credits are not spend.' })
  total!: bigint;

  @Field(() => Int, { description: 'How many spend transactions in the range.' })
  count!: number;

  @Field(() => [UsageBucketType], { description: 'Every period in the range, oldest first, including empty ones.' })
  buckets!: UsageBucketType[];

  @Field(() => [UsageBreakdownType], { description: 'Spend per price book feature, largest first.' })
  byFeature!: UsageBreakdownType[];

  @Field(() => [UsageBreakdownType], { description: 'Spend per platform given with the usage, largest first.' })
  byPlatform!: UsageBreakdownType[];

  @Field(() => [UsageBreakdownType], { description: 'Spend per automation id given with the usage, largest first.' })
  byAutomation!: UsageBreakdownType[];

  @Field(() => [UsageBreakdownType], { description: 'Spend per synfluencer, largest first (key = synfluencer id, label = its name).' })
  bySynfluencer!: UsageBreakdownType[];

  @Field(() => UsagePeriod, { description: 'Beyond the contract: the period asked for.' })
  period!: UsagePeriod;

  @Field({ description: 'Beyond the contract: the timezone the buckets are in.' })
  timezone!: string;

  @Field({ description: 'Beyond the contract: start of the range covered (inclusive).' })
  from!: Date;

  @Field({ description: 'Beyond the contract: end of the range covered (exclusive).' })
  to!: Date;
}

@ObjectType('Runway', { description: "How long the balance lasts at the recent spend rate." })
export class RunwayType {
  @Field(() => Credits, { description: "The last 7 days' spend divided by 7, rounded half up to the micro-credit." })
  dailyBurn!: bigint;

  @Field(() => Float, { nullable: true, description: 'Account-wide balance / dailyBurn; null when nothing was spent in the last 7 days.' })
  daysLeft!: number | null;

  @Field(() => Credits, { description: 'Spend in the last 7 days.' })
  spentLast7Days!: bigint;
}
