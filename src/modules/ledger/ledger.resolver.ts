import { Arg, Authorized, Ctx, Float, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../auth/context';
import { me } from '../auth/context';
import { Role } from '../accounts/account.entity';
import { DomainError, ErrorCode, badInput } from '../../shared/errors';
import { isUuid } from '../../shared/ids';
import { Credits } from '../../shared/graphql';
import { SynfluencerType } from '../synfluencers/synfluencers.types';
import { toSynfluencerType } from '../synfluencers/synfluencers.resolver';
import { CreditSource } from './credit-bucket.entity';
import {
  ChargeType,
  ChargeUsageInput,
  CreditBucketType,
  HoldType,
  LedgerCheck,
  ReserveInput,
  TransactionConnection,
  TransactionFilterInput,
  TransactionType,
  WalletType,
} from './ledger.types';
import { toHoldType, toTransactionType, toWalletType } from './ledger.mappers';

/** An API key or user acts on its own account; only an admin session may name another. */
function targetAccount(ctx: Context, accountId: string | null | undefined): string {
  const p = me(ctx);
  if (!accountId || accountId === p.accountId) return p.accountId;
  if (p.via !== 'session' || p.role !== Role.ADMIN) throw new DomainError(ErrorCode.FORBIDDEN, 'Only admins may act on another account');
  if (!isUuid(accountId)) throw new DomainError(ErrorCode.NOT_FOUND, 'Account not found');
  return accountId;
}

@Resolver()
export class LedgerResolver {
  @Authorized('USAGE_WRITE')
  @Mutation(() => ChargeType, { description: 'Atomic and idempotent: the whole amount is debited and one USAGE transaction written, or nothing changes.' })
  async chargeUsage(@Arg('input', () => ChargeUsageInput) input: ChargeUsageInput, @Ctx() ctx: Context): Promise<ChargeType> {
    const r = await ctx.services.ledger.charge(targetAccount(ctx, input.accountId), input);
    return { transaction: toTransactionType(r.transaction), wallet: toWalletType(r.wallet) };
  }

  @Authorized('USAGE_WRITE')
  @Mutation(() => HoldType, { description: 'Moves the quoted amount from balance to held until captured, released or expired.' })
  async reserveCredits(@Arg('input', () => ReserveInput) input: ReserveInput, @Ctx() ctx: Context): Promise<HoldType> {
    return toHoldType(await ctx.services.ledger.reserve(targetAccount(ctx, input.accountId), input));
  }

  @Authorized('USAGE_WRITE')
  @Mutation(() => ChargeType, { description: 'Charges the actual usage and returns the rest of the hold to the balance.' })
  async captureHold(
    @Arg('id', () => ID) id: string,
    @Arg('quantity', () => Float, { nullable: true }) quantity: number | null,
    @Arg('providerCost', () => Credits, { nullable: true }) providerCost: bigint | null,
    @Ctx() ctx: Context,
  ): Promise<ChargeType> {
    const r = await ctx.services.ledger.capture(me(ctx).accountId, id, quantity, providerCost);
    return { transaction: toTransactionType(r.transaction), wallet: toWalletType(r.wallet) };
  }

  @Authorized('USAGE_WRITE')
  @Mutation(() => HoldType)
  async releaseHold(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<HoldType> {
    return toHoldType(await ctx.services.ledger.release(me(ctx).accountId, id));
  }

  @Authorized('USAGE_WRITE', 'WALLET_READ')
  @Query(() => HoldType)
  async hold(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<HoldType> {
    return toHoldType(await ctx.services.ledger.hold(me(ctx).accountId, id));
  }

  @Authorized('WALLET_READ')
  @Query(() => TransactionConnection, { description: 'Newest first: the usage history and audit trail.' })
  async transactions(
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('filter', () => TransactionFilterInput, { nullable: true }) filter: TransactionFilterInput | null,
    @Ctx() ctx: Context,
  ): Promise<TransactionConnection> {
    const page = await ctx.services.ledger.transactions(me(ctx).accountId, filter ?? {}, first, after);
    return { edges: page.edges.map((e) => ({ cursor: e.cursor, node: toTransactionType(e.node) })), pageInfo: page.pageInfo };
  }

  @Authorized('ADMIN')
  @Mutation(() => TransactionType, { description: 'Admins: grant credits to an account (an ADMIN_GRANT bucket that never expires).' })
  async grantCredits(
    @Arg('accountId', () => ID) accountId: string,
    @Arg('amount', () => Credits) amount: bigint,
    @Arg('reason') reason: string,
    @Arg('idempotencyKey') idempotencyKey: string,
    @Ctx() ctx: Context,
  ): Promise<TransactionType> {
    if (!isUuid(accountId)) throw new DomainError(ErrorCode.NOT_FOUND, 'Account not found');
    ctx.services.ledger.assertClientKey(idempotencyKey);
    const text = reason.trim();
    if (text.length === 0 || text.length > 500) throw badInput('reason must be 1 to 500 characters');
    const r = await ctx.services.ledger.grant(accountId, {
      source: CreditSource.ADMIN_GRANT,
      amount,
      description: `Admin grant: ${text}`,
      idempotencyKey,
      metadata: { grantedBy: me(ctx).accountId, reason: text },
    });
    return toTransactionType(r.transaction);
  }

  @Authorized('ADMIN')
  @Query(() => LedgerCheck, { description: 'Admins: checks invariants 1, 2 and 6 for every wallet (or one account).' })
  async ledgerCheck(@Arg('accountId', () => ID, { nullable: true }) accountId: string | null, @Ctx() ctx: Context): Promise<LedgerCheck> {
    const { violations, walletsChecked } = await ctx.services.ledger.verifyAll(accountId ?? undefined);
    return { ok: violations.length === 0, walletsChecked, violations };
  }
}

@Resolver(() => WalletType)
export class WalletResolver {
  @FieldResolver(() => [CreditBucketType])
  async buckets(@Root() wallet: WalletType, @Ctx() ctx: Context): Promise<CreditBucketType[]> {
    return ctx.loaders.bucketsByWallet.load(wallet.id);
  }
}

@Resolver(() => TransactionType)
export class TransactionResolver {
  @FieldResolver(() => SynfluencerType, { nullable: true })
  async synfluencer(@Root() t: TransactionType, @Ctx() ctx: Context): Promise<SynfluencerType | null> {
    if (!t.synfluencerId) return null;
    const s = await ctx.loaders.synfluencer.load(t.synfluencerId);
    return s ? toSynfluencerType(s) : null;
  }
}

@Resolver(() => HoldType)
export class HoldResolver {
  @FieldResolver(() => SynfluencerType, { nullable: true })
  async synfluencer(@Root() h: HoldType, @Ctx() ctx: Context): Promise<SynfluencerType | null> {
    if (!h.synfluencerId) return null;
    const s = await ctx.loaders.synfluencer.load(h.synfluencerId);
    return s ? toSynfluencerType(s) : null;
  }
}
