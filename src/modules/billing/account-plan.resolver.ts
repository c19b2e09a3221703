import { Ctx, FieldResolver, Resolver, Root, UseMiddleware } from 'type-graphql';
import { KeyNeedsWalletRead, type Context } from '../auth/context';
import { AccountType } from '../accounts/accounts.types';
import { type CatalogPlan } from './billing.catalog';
import { formatMinor } from '../../shared/minor-units';
import { AccountPlanType, type PlanType } from './billing.types';

export const toPlanType = (p: CatalogPlan): PlanType => ({
  id: p.id,
  name: p.name,
  monthlyCredits: p.monthlyCredits,
  price: formatMinor(p.priceMinor, p.currency),
  currency: p.currency,
});

/** `Account.plan`: billing owns plans, so it adds the field to the accounts module's type. */
@Resolver(() => AccountType)
export class AccountPlanResolver {
  @UseMiddleware(KeyNeedsWalletRead)
  @FieldResolver(() => AccountPlanType, { nullable: true, description: 'The subscription plan and its next refill; null without a plan. Needs WALLET_READ for API keys.' })
  async plan(@Root() account: AccountType, @Ctx() ctx: Context): Promise<AccountPlanType | null> {
    const current = await ctx.services.billing.currentPlan(account.id);
    return current ? { plan: toPlanType(current.plan), renewsAt: current.renewsAt } : null;
  }
}
