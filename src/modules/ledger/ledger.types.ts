import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Credits, JSON, PageInfo } from '../../shared/graphql';
import { SynfluencerType } from '../synfluencers/synfluencers.types';
import { CreditSource } from './credit-bucket.entity';
import { HoldStatus } from './hold.entity';
import { TransactionKind } from './ledger-transaction.entity';
import { WalletStatus } from './ledger.service';

registerEnumType(CreditSource, {
  name: 'CreditSource',
  description: 'Where the credits of a bucket came from; it decides the draw order and expiry.',
  valuesConfig: {
    SIGNUP_BONUS: { description: "The price book's bonus, granted once at sign-up (promotional)." },
    PLAN_ALLOCATION: { description: "A plan's monthly credits; they expire at the end of the billing period (no rollover) and are spent first." },
    PURCHASE: { description: 'A credit pack bought through Stripe; never expires and is spent last. Refundable while unused.' },
    ADMIN_GRANT: { description: 'Granted by an admin (grantCredits); never expires.' },
  },
});
registerEnumType(TransactionKind, {
  name: 'TransactionKind',
  description: 'Why a ledger transaction happened. Amounts are signed: credits in are positive, credits out negative.',
  valuesConfig: {
    SIGNUP_BONUS: { description: 'The sign-up bonus (positive).' },
    PURCHASE: { description: 'A credit pack paid through Stripe, credited by the verified webhook (positive).' },
    PLAN_ALLOCATION: { description: "A plan period's credits (positive)." },
    PLAN_EXPIRY: { description: "Unused plan credits removed at the end of their period, or any bucket's credits past their expiry (negative)." },
    ADMIN_GRANT: { description: 'Credits granted by an admin (positive).' },
    ADJUSTMENT: { description: 'A correction made by the service, e.g. credits given back when a refund failed.' },
    USAGE: { description: 'A charge for AI usage (chargeUsage; negative). Counts as spend.' },
    HOLD: { description: 'Credits moved from balance to held by reserveCredits (negative on the balance).' },
    CAPTURE: { description: 'The actual cost of a held job (captureHold; negative). Counts as spend.' },
    RELEASE: { description: 'Held credits returned to the balance: on release, on expiry, and before every capture (positive).' },
    REFUND: { description: 'Unused purchased credits removed because their payment was refunded (negative).' },
  },
});
registerEnumType(HoldStatus, {
  name: 'HoldStatus',
  description: 'Where a hold is in its life; only PENDING holds can be captured or released.',
  valuesConfig: {
    PENDING: { description: 'Credits are held, waiting for captureHold or releaseHold (until expiresAt).' },
    CAPTURED: { description: 'The actual cost was charged and the rest returned (final).' },
    RELEASED: { description: 'Everything held was returned by releaseHold (final).' },
    EXPIRED: { description: 'Not settled by expiresAt: everything held was returned automatically (final).' },
  },
});
registerEnumType(WalletStatus, {
  name: 'WalletStatus',
  description: 'Whether the wallet can be spent from now.',
  valuesConfig: {
    ACTIVE: { description: 'Credits can be spent.' },
    PAUSED: { description: 'The balance is zero: generation pauses.' },
    CAPPED: { description: 'The monthly budget cap is reached.' },
  },
});

@ObjectType('CreditBucket', {
  description:
    'One grant of credits. Spending draws from the bucket that expires first (plan allocation before promotional before purchased), oldest first on ties.',
})
export class CreditBucketType {
  @Field(() => ID, { description: 'Stable bucket id (requestRefund takes it for purchased buckets).' })
  id!: string;

  @Field(() => CreditSource, { description: 'Where the credits came from.' })
  source!: CreditSource;

  @Field(() => Credits, { description: 'Credits granted into the bucket.' })
  granted!: bigint;

  @Field(() => Credits, { description: 'Credits left in the bucket, held ones included; never negative.' })
  remaining!: bigint;

  @Field(() => Date, { nullable: true, description: 'When the remaining credits expire; null = never (purchased and granted credits).' })
  expiresAt!: Date | null;

  @Field({ description: 'When the credits were granted.' })
  createdAt!: Date;

  @Field(() => String, {
    nullable: true,
    description:
      'What was paid for the credits of a PURCHASE bucket, a decimal in `currency` (e.g. "9.00"); null for credits not bought. A refund (requestRefund) pays back amountPaid × the credits it removes ÷ granted, rounded down to the smallest currency unit.',
  })
  amountPaid!: string | null;

  @Field(() => String, { nullable: true, description: 'ISO 4217 currency of `amountPaid`, lower-case, e.g. "usd"; null for credits not bought.' })
  currency!: string | null;
}

@ObjectType('Wallet', {
  simpleResolvers: true,
  description:
    "An account's one wallet, shared by all of its synfluencers. Always balance + held = the sum of the buckets' remaining credits, and balance = the sum of the ledger's amounts.",
})
export class WalletType {
  @Field(() => ID, { description: 'Stable wallet id; balanceChanged events carry the same Wallet, so caches update it in place.' })
  id!: string;

  @Field(() => Credits, { description: 'What can be spent now (held credits excluded); never negative.' })
  balance!: bigint;

  @Field(() => Credits, { description: 'Credits reserved by pending holds; they return to the balance on release or expiry.' })
  held!: bigint;

  @Field(() => Credits, { description: 'All spend ever (USAGE and CAPTURE), positive.' })
  lifetimeSpend!: bigint;

  @Field(() => Credits, { description: 'All credits ever bought through Stripe.' })
  lifetimePurchased!: bigint;

  @Field(() => Credits, { description: "Spend in the current calendar month, in the account's timezone." })
  spentThisMonth!: bigint;

  @Field({ description: 'A decimal string that increases with every change to the wallet and never goes back; pass it to balanceChanged(afterVersion) to resume.' })
  version!: string;

  @Field(() => WalletStatus, { description: 'ACTIVE, PAUSED (balance zero) or CAPPED (monthly budget cap reached).' })
  status!: WalletStatus;

  @Field(() => Credits, { nullable: true, description: 'The monthly budget cap, if any (beyond the contract, for dashboards).' })
  monthlyBudgetCap!: bigint | null;

  @Field(() => Credits, {
    description:
      'The balance right after the latest credit (a purchase, top-up, plan allocation or grant): LOW_CREDITS fires when the balance falls to 25 %, 10 % and 0 % of it (beyond the contract, for dashboards).',
  })
  lowCreditReference!: bigint;

  /** resolved by WalletResolver.buckets */
  accountId!: string;
}

@ObjectType('Transaction', {
  simpleResolvers: true,
  description: 'One ledger row: a movement of credits. Never changed or deleted; corrections are new transactions.',
})
export class TransactionType {
  @Field(() => ID, { description: 'Stable transaction id.' })
  id!: string;

  @Field(() => TransactionKind, { description: 'Why the credits moved.' })
  kind!: TransactionKind;

  @Field(() => Credits, { description: 'Signed: credits in are positive, spend is negative.' })
  amount!: bigint;

  @Field(() => Credits, { description: "The wallet's balance right after this transaction." })
  balanceAfter!: bigint;

  @Field({ description: 'The wallet version this transaction produced (a decimal string).' })
  walletVersion!: string;

  @Field({ description: 'A human-readable line, e.g. "Talking head video (HeyGen): 30 seconds".' })
  description!: string;

  @Field(() => SynfluencerType, { nullable: true, description: 'The synfluencer the usage was for; null when none was given.' })
  synfluencer?: SynfluencerType | null;

  synfluencerId!: string | null;

  @Field(() => String, { nullable: true, description: 'The price book feature charged (usage, holds); null for credits in.' })
  feature!: string | null;

  @Field(() => String, { nullable: true, description: 'The platform given with the usage, e.g. "tiktok".' })
  platform!: string | null;

  @Field(() => String, { nullable: true, description: 'The automation id given with the usage.' })
  automationId!: string | null;

  @Field(() => String, { nullable: true, description: 'The AI provider that did the work, e.g. "heygen".' })
  provider!: string | null;

  @Field(() => Float, { nullable: true, description: 'How much was used, in `unit`s.' })
  quantity!: number | null;

  @Field(() => String, { nullable: true, description: 'What `quantity` counts: "second", "image", "provider cost", ...' })
  unit!: string | null;

  @Field(() => String, { nullable: true, description: 'The idempotency key the client sent with the operation, if any.' })
  idempotencyKey!: string | null;

  @Field(() => ID, { nullable: true, description: 'The hold this transaction belongs to (HOLD, CAPTURE, RELEASE).' })
  holdId!: string | null;

  @Field(() => [BucketDrawType], { description: 'The credit buckets this movement drew from or added to.' })
  draws!: BucketDrawType[];

  @Field(() => JSON, { nullable: true, description: 'The JSON object sent as `metadata` with the usage.' })
  metadata!: Record<string, unknown> | null;

  @Field({ description: 'When the transaction committed.' })
  createdAt!: Date;
}

@ObjectType('BucketDraw', { simpleResolvers: true, description: 'The part of a transaction taken from (or added to) one credit bucket.' })
export class BucketDrawType {
  @Field(() => ID, { description: 'The CreditBucket id.' })
  bucketId!: string;

  @Field(() => Credits, { description: 'Credits taken from or added to that bucket, positive.' })
  amount!: bigint;
}

@ObjectType({ description: 'A transaction and its position in the history.' })
export class TransactionEdge {
  @Field({ description: 'Opaque; pass it as `after` or `before` to page from here.' })
  cursor!: string;

  @Field(() => TransactionType, { description: 'The transaction.' })
  node!: TransactionType;
}

@ObjectType({ description: 'A page of the usage history, newest first (Relay connection).' })
export class TransactionConnection {
  @Field(() => [TransactionEdge], { description: 'The transactions of this page, newest first.' })
  edges!: TransactionEdge[];

  @Field(() => PageInfo, { description: 'Cursors and whether more pages exist in either direction.' })
  pageInfo!: PageInfo;
}

@InputType({ description: 'Narrows the history; every given field must match.' })
export class TransactionFilterInput {
  @Field(() => ID, { nullable: true, description: "One of the account's synfluencers (NOT_FOUND otherwise)." })
  synfluencerId?: string | null;

  @Field(() => String, { nullable: true, description: 'A price book feature, e.g. "talking_head".' })
  feature?: string | null;

  @Field(() => String, { nullable: true, description: 'The platform given with the usage.' })
  platform?: string | null;

  @Field(() => String, { nullable: true, description: 'The automation id given with the usage.' })
  automationId?: string | null;

  @Field(() => [TransactionKind], { nullable: true, description: 'Only these kinds; empty or null = all kinds.' })
  kinds?: TransactionKind[] | null;

  @Field(() => Date, { nullable: true, description: 'Committed at or after this instant.' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Committed before this instant (exclusive). With from, it must be later than from: BAD_USER_INPUT otherwise.' })
  to?: Date | null;
}

@ObjectType('Charge', { simpleResolvers: true, description: 'The result of a charge or a capture: the ledger row written and the wallet after it.' })
export class ChargeType {
  @Field(() => TransactionType, { description: 'The USAGE (chargeUsage) or CAPTURE (captureHold) transaction.' })
  transaction!: TransactionType;

  @Field(() => WalletType, { description: 'The wallet as this answer leaves it: right after the charge, or, for a replay of its idempotency key, as it is now (same id as me.wallet: caches update in place). The transaction is always the original one.' })
  wallet!: WalletType;

  @Field(() => HoldType, { nullable: true, description: 'captureHold: the captured hold (status CAPTURED), so a cached hold updates too; null for chargeUsage.' })
  hold?: HoldType | null;
}

@ObjectType('Hold', {
  simpleResolvers: true,
  description:
    'Credits reserved for a job whose cost is known only at its end (e.g. video by the second): moved from balance to held, then captured, released or expired.',
})
export class HoldType {
  @Field(() => ID, { description: 'Stable hold id (captureHold and releaseHold take it).' })
  id!: string;

  @Field(() => HoldStatus, { description: 'PENDING until captured, released or expired.' })
  status!: HoldStatus;

  @Field(() => Credits, { description: 'Credits held (the quoted estimate).' })
  amount!: bigint;

  @Field(() => Credits, { nullable: true, description: 'Credits actually charged by the capture; null unless CAPTURED. May exceed `amount`.' })
  captured!: bigint | null;

  @Field({ description: 'A PENDING hold is released automatically at this instant.' })
  expiresAt!: Date;

  @Field({ description: 'When the credits were reserved.' })
  createdAt!: Date;

  @Field({ description: 'The price book feature the hold is for.' })
  feature!: string;

  @Field(() => SynfluencerType, { nullable: true, description: 'The synfluencer the job is for, if one was given.' })
  synfluencer?: SynfluencerType | null;

  synfluencerId!: string | null;
}

@InputType({
  description:
    'What was (or will be) used: the price book feature and its quantity, and who it was for. Usage that prices to 0 credits (prices round half up to 0.000001) is BAD_USER_INPUT for quotes, charges and holds: the ledger records no free rows.',
})
export class UsageInput {
  @Field({ description: 'A feature of the active price book (see priceBook.features); anything else is BAD_USER_INPUT.' })
  feature!: string;

  @Field(() => Float, {
    nullable: true,
    description:
      'Seconds of output for PER_SECOND (required, > 0, at most 86400; so little that it prices to 0 credits is BAD_USER_INPUT), a whole number of operations for FIXED (default 1, at most 1000); for PASS_THROUGH recorded but not priced (default 1).',
  })
  quantity?: number | null;

  @Field(() => Credits, {
    nullable: true,
    description:
      "The provider's actual cost in credits: required for PASS_THROUGH features (at most 1,000,000), refused for the others. A cost that prices to 0 credits is BAD_USER_INPUT (captureHold alone accepts 0).",
  })
  providerCost?: bigint | null;

  @Field(() => ID, { nullable: true, description: "One of the account's synfluencers, for usage reports (NOT_FOUND otherwise)." })
  synfluencerId?: string | null;

  @Field(() => String, { nullable: true, description: 'Free text for reports, e.g. "instagram"; at most 200 characters.' })
  platform?: string | null;

  @Field(() => String, { nullable: true, description: 'Your automation or workflow id, for reports; at most 200 characters.' })
  automationId?: string | null;

  @Field(() => String, {
    nullable: true,
    description: "The AI provider; must be the feature's own provider where the price book names one. At most 200 characters.",
  })
  provider?: string | null;

  @Field(() => JSON, { nullable: true, description: 'A JSON object kept on the transaction (at most 4 KiB serialized); not interpreted.' })
  metadata?: Record<string, unknown> | null;
}

@InputType({ description: 'A charge: the usage, and the key that makes retrying it safe.' })
export class ChargeUsageInput extends UsageInput {
  @Field({
    description:
      'Applied at most once per account, forever (1 to 255 characters). Retrying with the same key and input returns the original Charge; the same key with other input is IDEMPOTENCY_CONFLICT.',
  })
  idempotencyKey!: string;

  @Field(() => ID, { nullable: true, description: 'Admins only: the account to charge. An API key always charges its own account.' })
  accountId?: string | null;
}

@InputType({ description: 'A hold: the estimated usage, the key that makes retrying it safe, and how long to hold.' })
export class ReserveInput extends UsageInput {
  @Field({
    description:
      'Applied at most once per account, forever (1 to 255 characters). Retrying with the same key and input returns the original Hold; other input is IDEMPOTENCY_CONFLICT.',
  })
  idempotencyKey!: string;

  @Field(() => Int, { nullable: true, description: 'Seconds until the hold expires and returns its credits: default 900, 1 to 86400.' })
  expiresInSeconds?: number | null;

  @Field(() => ID, { nullable: true, description: 'Admins only: the account to hold credits on.' })
  accountId?: string | null;
}

@ObjectType({ description: 'One broken ledger invariant found by ledgerCheck.' })
export class InvariantViolationType {
  @Field(() => ID, { description: 'The wallet concerned.' })
  walletId!: string;

  @Field(() => ID, { description: "The wallet's account." })
  accountId!: string;

  @Field(() => Int, { description: 'The invariant number (1, 2, 6 or 8; see docs/invariants.md).' })
  invariant!: number;

  @Field({ description: 'What does not add up, with the figures.' })
  message!: string;
}

@ObjectType({ description: 'The result of ledgerCheck.' })
export class LedgerCheck {
  @Field({ description: 'true when no invariant is broken.' })
  ok!: boolean;

  @Field(() => Int, { description: 'How many wallets were checked.' })
  walletsChecked!: number;

  @Field(() => [InvariantViolationType], { description: 'Every violation found; empty when ok.' })
  violations!: InvariantViolationType[];
}

@ObjectType('BatchItemError', { simpleResolvers: true, description: 'Why one item of chargeUsageBatch was not charged. Nothing was written for that item.' })
export class BatchItemErrorType {
  @Field({ description: 'The contract error code, as `extensions.code` would carry it: INSUFFICIENT_CREDITS, BUDGET_CAP_EXCEEDED, IDEMPOTENCY_CONFLICT, BAD_USER_INPUT, NOT_FOUND, FORBIDDEN, ...' })
  code!: string;

  @Field({ description: 'What went wrong, for people.' })
  message!: string;
}

@ObjectType('BatchChargeResult', { simpleResolvers: true, description: 'The outcome of one item of chargeUsageBatch, at the same position as its input: exactly one of charge and error is set.' })
export class BatchChargeResultType {
  @Field(() => ChargeType, { nullable: true, description: 'The charge, when the item was charged (or replayed: the original charge of its idempotency key).' })
  charge!: ChargeType | null;

  @Field(() => BatchItemErrorType, { nullable: true, description: 'Why the item was not charged; null when it was.' })
  error!: BatchItemErrorType | null;
}
