import { Arg, Authorized, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../auth/context';
import { me } from '../auth/context';
import { WalletType } from '../ledger/ledger.types';
import { UsagePeriod } from './usage.service';
import { RunwayType, UsageSummaryType } from './usage.types';

@Resolver()
export class UsageResolver {
  @Authorized('WALLET_READ')
  @Query(() => UsageSummaryType, {
    description:
      "Spend by day, ISO week or month in the account's timezone, with breakdowns. Default range: the last 30 days, 12 weeks or 12 months (including the current one); at most 3700 days. BAD_USER_INPUT when from is not before to, or either lies outside 1970-01-01 to 9000-01-01.",
  })
  async usageSummary(
    @Arg('period', () => UsagePeriod, { description: 'Bucket length: DAY, WEEK or MONTH.' }) period: UsagePeriod,
    @Arg('synfluencerId', () => ID, { nullable: true, description: 'Only this synfluencer\'s usage; null = all. Balance figures stay account-wide.' }) synfluencerId: string | null,
    @Arg('from', () => Date, { nullable: true, description: 'Start of the range (inclusive); default: see above.' }) from: Date | null,
    @Arg('to', () => Date, { nullable: true, description: 'End of the range (exclusive); default: the end of the current period.' }) to: Date | null,
    @Ctx() ctx: Context,
  ): Promise<UsageSummaryType> {
    return ctx.services.usage.summary(me(ctx).accountId, period, { synfluencerId, from, to });
  }
}

@Resolver(() => WalletType)
export class WalletRunwayResolver {
  @Authorized('WALLET_READ')
  @FieldResolver(() => RunwayType, { description: "How long the balance lasts at the last 7 days' spend rate (all synfluencers or one)." })
  async runway(@Root() wallet: WalletType, @Arg('synfluencerId', () => ID, { nullable: true, description: "Burn rate of this synfluencer's usage only; null = all." }) synfluencerId: string | null, @Ctx() ctx: Context): Promise<RunwayType> {
    const r = await ctx.services.usage.runway(wallet.accountId, wallet.balance, synfluencerId);
    return { dailyBurn: r.dailyBurn, daysLeft: r.daysLeft, spentLast7Days: r.spent7d };
  }
}
