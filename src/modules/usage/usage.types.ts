import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Credits } from '../../shared/graphql';
import { UsagePeriod } from './usage.service';

registerEnumType(UsagePeriod, {
  name: 'UsagePeriod',
  valuesConfig: {
    DAY: { description: "Calendar days in the account's timezone." },
    WEEK: { description: "ISO weeks (Monday start) in the account's timezone." },
    MONTH: { description: "Calendar months in the account's timezone." },
  },
});

@ObjectType('UsageBucket')
export class UsageBucketType {
  @Field({ description: "Start of the period in the account's timezone (for the first bucket possibly before `from`)." })
  start!: Date;

  @Field(() => Credits, { description: 'Spend (charges and captured holds) in this bucket, positive.' })
  total!: bigint;

  @Field(() => Int)
  count!: number;
}

@ObjectType('UsageBreakdown')
export class UsageBreakdownType {
  @Field(() => String, { nullable: true, description: 'The feature, platform, automation id or synfluencer id; null for usage without one.' })
  key!: string | null;

  @Field(() => String, { nullable: true, description: "Display name: the price book's feature label, the synfluencer's name." })
  label!: string | null;

  @Field(() => Credits)
  total!: bigint;

  @Field(() => Int)
  count!: number;
}

@ObjectType('UsageSummary')
export class UsageSummaryType {
  @Field(() => Credits, { description: 'Spend in [from, to): USAGE plus CAPTURE, positive. Held but uncaptured credits are not spend.' })
  total!: bigint;

  @Field(() => Int)
  count!: number;

  @Field(() => [UsageBucketType], { description: 'Every period in the range, oldest first, including empty ones.' })
  buckets!: UsageBucketType[];

  @Field(() => [UsageBreakdownType])
  byFeature!: UsageBreakdownType[];

  @Field(() => [UsageBreakdownType])
  byPlatform!: UsageBreakdownType[];

  @Field(() => [UsageBreakdownType])
  byAutomation!: UsageBreakdownType[];

  @Field(() => [UsageBreakdownType])
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

@ObjectType('Runway')
export class RunwayType {
  @Field(() => Credits, { description: "The last 7 days' spend divided by 7, rounded half up to the micro-credit." })
  dailyBurn!: bigint;

  @Field(() => Float, { nullable: true, description: 'Account-wide balance / dailyBurn; null when nothing was spent in the last 7 days.' })
  daysLeft!: number | null;

  @Field(() => Credits, { description: 'Spend in the last 7 days.' })
  spentLast7Days!: bigint;
}
