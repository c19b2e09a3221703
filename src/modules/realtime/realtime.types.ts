import { Field, ID, ObjectType } from 'type-graphql';
import { Credits } from '../../shared/graphql';
import { TransactionKind } from '../ledger/ledger-transaction.entity';
import { WalletStatus } from '../ledger/ledger.service';

@ObjectType('WalletBalance', { description: "The wallet's full state after a committed change." })
export class WalletBalanceType {
  @Field(() => ID)
  walletId!: string;

  @Field(() => ID, { description: 'The account that owns the wallet (beyond the contract, for admins watching several).' })
  accountId!: string;

  @Field(() => Credits)
  balance!: bigint;

  @Field(() => Credits)
  held!: bigint;

  @Field(() => Credits)
  spentThisMonth!: bigint;

  @Field(() => WalletStatus)
  status!: WalletStatus;

  @Field({ description: 'Strictly increases across the events one client receives.' })
  version!: string;

  @Field(() => TransactionKind, { nullable: true, description: 'The kind of the latest transaction in this change.' })
  cause!: TransactionKind | null;
}
