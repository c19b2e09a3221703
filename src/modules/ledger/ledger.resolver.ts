import { Arg, Authorized, Ctx, Float, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, UseMiddleware } from 'type-graphql';
import type { Context } from '../auth/context';
import { KeyNeedsWalletRead, me } from '../auth/context';
import { Role } from '../accounts/account.entity';
import { DomainError, ErrorCode, badInput, publicError, serviceUnavailable } from '../../shared/errors';
import { isUuid } from '../../shared/ids';
import { Credits } from '../../shared/graphql';
import { SynfluencerType } from '../synfluencers/synfluencers.types';
import { toSynfluencerType } from '../synfluencers/synfluencers.resolver';
import { CreditSource } from './credit-bucket.entity';
import {
  BatchChargeResultType,
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
import { formatMinor } from '../../shared/minor-units';
import { toChargeType, toHoldType, toTransactionType } from './ledger.mappers';
import { MAX_BATCH_ITEMS } from './ledger.service';

/** An API key or user acts on its own account; only an admin session may name another. */
function targetAccount(ctx: Context, accountId: string | null | undefined): string {
  const p = me(ctx);
  if (!accountId || accountId === p.accountId) return p.accountId;
  if (p.via !== 'session' || p.role !== Role.ADMIN) throw new DomainError(ErrorCode.FORBIDDEN, 'Only admins may act on another account');
  if (!isUuid(accountId)) throw new DomainError(ErrorCode.NOT_FOUND, 'Account not found');
  return accountId;
}

const KEY_OF_SETTLEMENT =
  'Optional; makes a retry after a lost response safe: the same key with the same arguments returns the original answer, other arguments are IDEMPOTENCY_CONFLICT. Applied at most once per account, forever, like every idempotency key (1 to 255 characters).';

@Resolver()
export class LedgerResolver {
  @Authorized('USAGE_WRITE')
  @Mutation(() => ChargeType, {
    description:
      'Charges usage at the price book rate. Atomic and idempotent: the whole amount is debited and one USAGE transaction written, or nothing changes. Retrying with the same idempotencyKey and input returns the original Charge (no second debit). Errors: INSUFFICIENT_CREDITS, BUDGET_CAP_EXCEEDED, IDEMPOTENCY_CONFLICT, BAD_USER_INPUT.',
  })
  async chargeUsage(@Arg('input', () => ChargeUsageInput, { description: 'What was used and its idempotency key.' }) input: ChargeUsageInput, @Ctx() ctx: Context): Promise<ChargeType> {
    return toChargeType(await ctx.services.ledger.charge(targetAccount(ctx, input.accountId), input));
  }

  @Authorized('USAGE_WRITE')
  @Mutation(() => [BatchChargeResultType], {
    description: `Charges up to ${MAX_BATCH_ITEMS.toLocaleString('en-US')} usages in one call; more is BAD_USER_INPUT for the whole call. Each item is its own atomic, idempotent charge with the same semantics as chargeUsage (its key replays its original Charge). Partial success is normal: every item succeeds or fails on its own, and the results come back in input order, each with either its charge or its error (INSUFFICIENT_CREDITS, BUDGET_CAP_EXCEEDED, IDEMPOTENCY_CONFLICT, BAD_USER_INPUT, NOT_FOUND, FORBIDDEN, ...). Items for one wallet apply in input order, each against the balance the items before it left. An API key charges its own account; an admin may name an account per item.`,
  })
  async chargeUsageBatch(
    @Arg('inputs', () => [ChargeUsageInput], { description: `The charges, at most ${MAX_BATCH_ITEMS.toLocaleString('en-US')}; each with its own idempotency key.` }) inputs: ChargeUsageInput[],
    @Ctx() ctx: Context,
  ): Promise<BatchChargeResultType[]> {
    const outcomes = await ctx.services.ledger.chargeBatch(inputs, (input) => targetAccount(ctx, input.accountId));
    const errorOptions = { exposeInternals: ctx.services.config.nodeEnv === 'development', log: (err: unknown) => ctx.services.log.error({ err }, 'chargeUsageBatch item failed') };
    const results = outcomes.map((outcome) =>
      outcome.ok ? { charge: toChargeType(outcome.charge), error: null } : { charge: null, error: publicError(outcome.error, errorOptions) },
    );
    // Nothing charged and the database unreachable: the whole call is 503 with Retry-After (every
    // item is idempotent, so resending the batch is the right retry), as for chargeUsage.
    const unavailable = results.some((result) => result.error?.code === ErrorCode.SERVICE_UNAVAILABLE);
    if (unavailable && results.every((result) => result.charge === null)) throw serviceUnavailable();
    return results;
  }

  @Authorized('USAGE_WRITE')
  @Mutation(() => HoldType, {
    description:
      'Moves the quoted amount from balance to held until captured, released or expired, so a job never starts without the credits to pay for it. Idempotent by idempotencyKey. Errors: INSUFFICIENT_CREDITS, BUDGET_CAP_EXCEEDED, IDEMPOTENCY_CONFLICT, BAD_USER_INPUT.',
  })
  async reserveCredits(@Arg('input', () => ReserveInput, { description: 'The estimated usage, its idempotency key and the hold lifetime.' }) input: ReserveInput, @Ctx() ctx: Context): Promise<HoldType> {
    return toHoldType(await ctx.services.ledger.reserve(targetAccount(ctx, input.accountId), input));
  }

  @Authorized('USAGE_WRITE')
  @Mutation(() => ChargeType, {
    description:
      'Charges the actual usage of a pending hold and returns the rest to the balance (more than held draws the difference from the balance; an actual usage that prices to 0 returns the whole hold and writes a CAPTURE of 0). Returns the CAPTURE transaction, the wallet and the captured hold. With an idempotencyKey a retry returns the original Charge instead of HOLD_NOT_PENDING. Errors: HOLD_NOT_PENDING (already captured, released or expired), INSUFFICIENT_CREDITS, BUDGET_CAP_EXCEEDED, IDEMPOTENCY_CONFLICT, NOT_FOUND.',
  })
  async captureHold(
    @Arg('id', () => ID, { description: 'The hold to capture.' }) id: string,
    @Arg('quantity', () => Float, { nullable: true, description: "The actual quantity (same units as the hold's feature); default: the reserved quantity." })
    quantity: number | null,
    @Arg('providerCost', () => Credits, { nullable: true, description: "The provider's actual cost, required to capture a PASS_THROUGH hold." })
    providerCost: bigint | null,
    @Arg('idempotencyKey', () => String, { nullable: true, description: KEY_OF_SETTLEMENT }) idempotencyKey: string | null,
    @Ctx() ctx: Context,
  ): Promise<ChargeType> {
    return toChargeType(await ctx.services.ledger.capture(me(ctx).accountId, id, { quantity, providerCost, idempotencyKey }));
  }

  @Authorized('USAGE_WRITE')
  @Mutation(() => HoldType, {
    description:
      'Returns everything a pending hold holds to the balance; returns the hold (status RELEASED). With an idempotencyKey a retry returns the hold again instead of HOLD_NOT_PENDING. Errors: HOLD_NOT_PENDING, IDEMPOTENCY_CONFLICT, NOT_FOUND.',
  })
  async releaseHold(
    @Arg('id', () => ID, { description: 'The hold to release.' }) id: string,
    @Arg('idempotencyKey', () => String, { nullable: true, description: KEY_OF_SETTLEMENT }) idempotencyKey: string | null,
    @Ctx() ctx: Context,
  ): Promise<HoldType> {
    return toHoldType(await ctx.services.ledger.release(me(ctx).accountId, id, idempotencyKey));
  }

  @Authorized('USAGE_WRITE', 'WALLET_READ')
  @Query(() => HoldType, { description: "One of the account's holds; NOT_FOUND for another account's." })
  async hold(@Arg('id', () => ID, { description: 'The hold id.' }) id: string, @Ctx() ctx: Context): Promise<HoldType> {
    return toHoldType(await ctx.services.ledger.hold(me(ctx).accountId, id));
  }

  @Authorized('WALLET_READ')
  @Query(() => TransactionConnection, {
    description:
      'Newest first: the usage history and audit trail, as a Relay connection. Page older with first/after, newer with last/before (default 20, at most 100 per page). Cursors stay valid while new transactions arrive.',
  })
  async transactions(
    @Arg('first', () => Int, { nullable: true, description: 'Up to this many transactions after `after` (older); default 20, at most 100.' }) first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'A cursor from this connection: start after it.' }) after: string | null,
    @Arg('last', () => Int, { nullable: true, description: 'Up to this many transactions before `before` (newer); at most 100. Not with `first`.' }) last: number | null,
    @Arg('before', () => String, { nullable: true, description: 'A cursor from this connection: end before it.' }) before: string | null,
    @Arg('filter', () => TransactionFilterInput, { nullable: true, description: 'Only transactions matching every given field.' }) filter: TransactionFilterInput | null,
    @Ctx() ctx: Context,
  ): Promise<TransactionConnection> {
    const page = await ctx.services.history.transactions(me(ctx).accountId, filter ?? {}, { first, after, last, before });
    return { edges: page.edges.map((e) => ({ cursor: e.cursor, node: toTransactionType(e.node) })), pageInfo: page.pageInfo };
  }

  @Authorized('ADMIN')
  @Mutation(() => TransactionType, { description: 'Admins: grant credits to an account (an ADMIN_GRANT bucket that never expires).' })
  async grantCredits(
    @Arg('accountId', () => ID, { description: 'The account to credit.' }) accountId: string,
    @Arg('amount', () => Credits, { description: 'Credits to grant, greater than 0.' }) amount: bigint,
    @Arg('reason', { description: 'Why, 1 to 500 characters; kept on the transaction.' }) reason: string,
    @Arg('idempotencyKey', { description: 'Applied at most once per account: a retry returns the original transaction.' }) idempotencyKey: string,
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
  @Query(() => LedgerCheck, {
    description:
      'Admins: checks invariants #1, #2, #6 and #8 of docs/invariants.md against the stored rows of every wallet (or one account):\n' +
      "- #1 balances add up: balance + held equals the buckets' remaining credits, balance the sum of the wallet's ledger, held the sum of its pending holds;\n" +
      "- #2 nothing is negative: balance, held and every bucket's remaining;\n" +
      "- #6 the monthly budget cap holds: no calendar month's spend (account timezone) is above the cap;\n" +
      '- #8 expired credits are never spent: no usage charge drew a bucket past its expiry.',
  })
  async ledgerCheck(@Arg('accountId', () => ID, { nullable: true, description: 'Check only this account (NOT_FOUND if there is none); null = every wallet.' }) accountId: string | null, @Ctx() ctx: Context): Promise<LedgerCheck> {
    const { violations, walletsChecked } = await ctx.services.ledger.verifyAll(accountId ?? undefined);
    return { ok: violations.length === 0, walletsChecked, violations };
  }
}

@Resolver(() => WalletType)
export class WalletResolver {
  @UseMiddleware(KeyNeedsWalletRead)
  @FieldResolver(() => [CreditBucketType], { description: "The wallet's credit buckets, oldest first, spent ones included. Needs WALLET_READ for API keys." })
  async buckets(@Root() wallet: WalletType, @Ctx() ctx: Context): Promise<CreditBucketType[]> {
    const buckets = await ctx.loaders.bucketsByWallet.load(wallet.id);
    return buckets.map((b) => ({ ...b, amountPaid: b.amountPaidMinor === null || b.currency === null ? null : formatMinor(BigInt(b.amountPaidMinor), b.currency), currency: b.amountPaidMinor === null ? null : b.currency }));
  }
}

@Resolver(() => TransactionType)
export class TransactionResolver {
  @FieldResolver(() => SynfluencerType, { nullable: true, description: 'The synfluencer the usage was for; null when none was given.' })
  async synfluencer(@Root() t: TransactionType, @Ctx() ctx: Context): Promise<SynfluencerType | null> {
    if (!t.synfluencerId) return null;
    const s = await ctx.loaders.synfluencer.load(t.synfluencerId);
    return s ? toSynfluencerType(s) : null;
  }
}

@Resolver(() => ChargeType)
export class ChargeResolver {
  /** Read after the capture committed: a captured hold is final, so this is the state the capture left. */
  @FieldResolver(() => HoldType, { nullable: true, description: 'captureHold: the captured hold (status CAPTURED); null for chargeUsage.' })
  async hold(@Root() charge: ChargeType, @Ctx() ctx: Context): Promise<HoldType | null> {
    const holdId = charge.transaction.holdId;
    if (!holdId) return null;
    return toHoldType(await ctx.services.ledger.hold(charge.wallet.accountId, holdId));
  }
}

@Resolver(() => HoldType)
export class HoldResolver {
  @FieldResolver(() => SynfluencerType, { nullable: true, description: 'The synfluencer the job is for, if one was given.' })
  async synfluencer(@Root() h: HoldType, @Ctx() ctx: Context): Promise<SynfluencerType | null> {
    if (!h.synfluencerId) return null;
    const s = await ctx.loaders.synfluencer.load(h.synfluencerId);
    return s ? toSynfluencerType(s) : null;
  }
}
