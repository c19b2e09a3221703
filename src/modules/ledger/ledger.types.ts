import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Credits, JSON, PageInfo } from '../../shared/graphql';
import { SynfluencerType } from '../synfluencers/synfluencers.types';
import { CreditSource } from './credit-bucket.entity';
import { HoldStatus } from './hold.entity';
import { TransactionKind } from './ledger-transaction.entity';
import { WalletStatus } from './ledger.service';

registerEnumType(CreditSource, { name: 'CreditSource' });
registerEnumType(TransactionKind, { name: 'TransactionKind' });
registerEnumType(HoldStatus, { name: 'HoldStatus' });
registerEnumType(WalletStatus, {
  name: 'WalletStatus',
  valuesConfig: {
    ACTIVE: { description: 'Credits can be spent.' },
    PAUSED: { description: 'The balance is zero: generation pauses.' },
    CAPPED: { description: 'The monthly budget cap is reached.' },
  },
});

@ObjectType('CreditBucket')
export class CreditBucketType {
  @Field(() => ID)
  id!: string;

  @Field(() => CreditSource)
  source!: CreditSource;

  @Field(() => Credits)
  granted!: bigint;

  @Field(() => Credits)
  remaining!: bigint;

  @Field(() => Date, { nullable: true })
  expiresAt!: Date | null;

  @Field()
  createdAt!: Date;
}

@ObjectType('Wallet')
export class WalletType {
  @Field(() => ID)
  id!: string;

  @Field(() => Credits, { description: 'What can be spent now (held credits excluded).' })
  balance!: bigint;

  @Field(() => Credits)
  held!: bigint;

  @Field(() => Credits)
  lifetimeSpend!: bigint;

  @Field(() => Credits)
  lifetimePurchased!: bigint;

  @Field(() => Credits, { description: "Spend in the current calendar month, in the account's timezone." })
  spentThisMonth!: bigint;

  @Field({ description: 'Increases with every change to the wallet; never goes back.' })
  version!: string;

  @Field(() => WalletStatus)
  status!: WalletStatus;

  @Field(() => Credits, { nullable: true, description: 'The monthly budget cap, if any (beyond the contract, for dashboards).' })
  monthlyBudgetCap!: bigint | null;

  /** resolved by WalletResolver.buckets */
  accountId!: string;
}

@ObjectType('Transaction')
export class TransactionType {
  @Field(() => ID)
  id!: string;

  @Field(() => TransactionKind)
  kind!: TransactionKind;

  @Field(() => Credits, { description: 'Signed: spend is negative.' })
  amount!: bigint;

  @Field(() => Credits)
  balanceAfter!: bigint;

  @Field()
  walletVersion!: string;

  @Field()
  description!: string;

  @Field(() => SynfluencerType, { nullable: true })
  synfluencer?: SynfluencerType | null;

  synfluencerId!: string | null;

  @Field(() => String, { nullable: true })
  feature!: string | null;

  @Field(() => String, { nullable: true })
  platform!: string | null;

  @Field(() => String, { nullable: true })
  automationId!: string | null;

  @Field(() => String, { nullable: true })
  provider!: string | null;

  @Field(() => Float, { nullable: true })
  quantity!: number | null;

  @Field(() => String, { nullable: true })
  unit!: string | null;

  @Field(() => String, { nullable: true })
  idempotencyKey!: string | null;

  @Field(() => ID, { nullable: true })
  holdId!: string | null;

  @Field(() => [BucketDrawType], { description: 'The credit buckets this movement drew from or added to.' })
  draws!: BucketDrawType[];

  @Field(() => JSON, { nullable: true })
  metadata!: Record<string, unknown> | null;

  @Field()
  createdAt!: Date;
}

@ObjectType('BucketDraw')
export class BucketDrawType {
  @Field(() => ID)
  bucketId!: string;

  @Field(() => Credits)
  amount!: bigint;
}

@ObjectType()
export class TransactionEdge {
  @Field()
  cursor!: string;

  @Field(() => TransactionType)
  node!: TransactionType;
}

@ObjectType()
export class TransactionConnection {
  @Field(() => [TransactionEdge])
  edges!: TransactionEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@InputType()
export class TransactionFilterInput {
  @Field(() => ID, { nullable: true })
  synfluencerId?: string | null;

  @Field(() => String, { nullable: true })
  feature?: string | null;

  @Field(() => String, { nullable: true })
  platform?: string | null;

  @Field(() => String, { nullable: true })
  automationId?: string | null;

  @Field(() => [TransactionKind], { nullable: true })
  kinds?: TransactionKind[] | null;

  @Field(() => Date, { nullable: true })
  from?: Date | null;

  @Field(() => Date, { nullable: true })
  to?: Date | null;
}

@ObjectType('Charge')
export class ChargeType {
  @Field(() => TransactionType)
  transaction!: TransactionType;

  @Field(() => WalletType)
  wallet!: WalletType;
}

@ObjectType('Hold')
export class HoldType {
  @Field(() => ID)
  id!: string;

  @Field(() => HoldStatus)
  status!: HoldStatus;

  @Field(() => Credits)
  amount!: bigint;

  @Field(() => Credits, { nullable: true })
  captured!: bigint | null;

  @Field()
  expiresAt!: Date;

  @Field()
  createdAt!: Date;

  @Field()
  feature!: string;

  @Field(() => SynfluencerType, { nullable: true })
  synfluencer?: SynfluencerType | null;

  synfluencerId!: string | null;
}

@InputType()
export class UsageInput {
  @Field()
  feature!: string;

  @Field(() => Float, { nullable: true, description: 'Seconds for PER_SECOND, operations for FIXED (default 1).' })
  quantity?: number | null;

  @Field(() => Credits, { nullable: true, description: "The provider's actual cost, required for PASS_THROUGH." })
  providerCost?: bigint | null;

  @Field(() => ID, { nullable: true })
  synfluencerId?: string | null;

  @Field(() => String, { nullable: true })
  platform?: string | null;

  @Field(() => String, { nullable: true })
  automationId?: string | null;

  @Field(() => String, { nullable: true })
  provider?: string | null;

  @Field(() => JSON, { nullable: true })
  metadata?: Record<string, unknown> | null;
}

@InputType()
export class ChargeUsageInput extends UsageInput {
  @Field({ description: 'Applied at most once per account, forever.' })
  idempotencyKey!: string;

  @Field(() => ID, { nullable: true, description: 'Admins only: the account to charge.' })
  accountId?: string | null;
}

@InputType()
export class ReserveInput extends UsageInput {
  @Field()
  idempotencyKey!: string;

  @Field(() => Int, { nullable: true, description: 'Default 900, at most 86400.' })
  expiresInSeconds?: number | null;

  @Field(() => ID, { nullable: true, description: 'Admins only: the account to hold credits on.' })
  accountId?: string | null;
}

@ObjectType()
export class InvariantViolationType {
  @Field(() => ID)
  walletId!: string;

  @Field(() => ID)
  accountId!: string;

  @Field(() => Int)
  invariant!: number;

  @Field()
  message!: string;
}

@ObjectType()
export class LedgerCheck {
  @Field()
  ok!: boolean;

  @Field(() => Int)
  walletsChecked!: number;

  @Field(() => [InvariantViolationType])
  violations!: InvariantViolationType[];
}
