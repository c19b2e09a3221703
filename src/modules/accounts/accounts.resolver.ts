import { Arg, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../auth/context';
import { me } from '../auth/context';
import type { AccountView } from './account.rows';
import { AccountType, UpdateSettingsInput } from './accounts.types';
import { WalletType } from '../ledger/ledger.types';
import { SynfluencerType } from '../synfluencers/synfluencers.types';
import { toWalletType } from '../ledger/ledger.mappers';
import { toSynfluencerType } from '../synfluencers/synfluencers.resolver';

export const toAccountType = (a: AccountView): AccountType => ({
  id: a.id,
  email: a.email,
  role: a.role,
  timezone: a.timezone,
  createdAt: a.createdAt,
  settings: { id: a.id, burnAlertThreshold: a.burnAlertThreshold, monthlyBudgetCap: a.monthlyBudgetCap, lowCreditEmails: a.lowCreditEmails },
});

@Resolver(() => AccountType)
export class AccountsResolver {
  @Authorized('WALLET_READ', 'USAGE_WRITE')
  @Query(() => AccountType, { description: 'The caller: the account of the access token or API key. UNAUTHENTICATED without one.' })
  async me(@Ctx() ctx: Context): Promise<AccountType> {
    const { account, wallet } = await ctx.services.accounts.getWithWallet(me(ctx).accountId);
    ctx.loaders.walletByAccount.prime(account.id, wallet);
    return toAccountType(account);
  }

  @Authorized('ADMIN')
  @Query(() => AccountType, { description: 'Admins: find an account by its email (NOT_FOUND when none), e.g. to grant credits.' })
  async accountByEmail(@Arg('email', { description: 'The email the account signed up with (any case).' }) email: string, @Ctx() ctx: Context): Promise<AccountType> {
    const { account, wallet } = await ctx.services.accounts.getByEmail(email);
    ctx.loaders.walletByAccount.prime(account.id, wallet);
    return toAccountType(account);
  }

  @Authorized('SESSION')
  @Mutation(() => AccountType, {
    description: 'Changes alert and budget settings. Every field optional; an explicit null turns a threshold or cap off. Needs a logged-in session (not an API key).',
  })
  async updateSettings(@Arg('input', () => UpdateSettingsInput, { description: 'The settings to change.' }) input: UpdateSettingsInput, @Ctx() ctx: Context): Promise<AccountType> {
    return toAccountType(await ctx.services.accounts.updateSettings(me(ctx).accountId, input));
  }

  @FieldResolver(() => WalletType, { description: "The account's one wallet." })
  async wallet(@Root() account: AccountType, @Ctx() ctx: Context): Promise<WalletType> {
    return toWalletType(await ctx.loaders.walletByAccount.load(account.id));
  }

  @FieldResolver(() => [SynfluencerType], { description: "The account's synfluencers, oldest first." })
  async synfluencers(
    @Root() account: AccountType,
    @Arg('includeArchived', () => Boolean, { nullable: true, defaultValue: false, description: 'Also list archived synfluencers.' }) includeArchived: boolean | null,
    @Ctx() ctx: Context,
  ): Promise<SynfluencerType[]> {
    return (await ctx.services.synfluencers.list(account.id, includeArchived ?? false)).map(toSynfluencerType);
  }
}
