import { Field, ID, ObjectType } from 'type-graphql';
import { Credits } from '../../shared/graphql';
import { TransactionKind } from '../ledger/ledger-transaction.entity';
import { WalletStatus } from '../ledger/ledger.service';
import { WalletType } from '../ledger/ledger.types';

@ObjectType('WalletBalance', {
  description: "The wallet's full state after a committed change. `wallet` carries it as the cacheable Wallet, so normalized caches update me.wallet from the event alone.",
})
export class WalletBalanceType {
  @Field(() => ID, { description: 'The wallet that changed (the same as wallet.id).' })
  walletId!: string;

  @Field(() => ID, { description: 'The account that owns the wallet (beyond the contract, for admins watching several).' })
  accountId!: string;

  @Field(() => Credits, { description: 'What can be spent now (held credits excluded).' })
  balance!: bigint;

  @Field(() => Credits, { description: 'Credits reserved by pending holds.' })
  held!: bigint;

  @Field(() => Credits, { description: "Spend in the current calendar month, in the account's timezone." })
  spentThisMonth!: bigint;

  @Field(() => WalletStatus, { description: 'ACTIVE, PAUSED or CAPPED after the change.' })
  status!: WalletStatus;

  @Field({ description: 'Strictly increases across the events one client receives; resume with afterVersion set to the last one seen.' })
  version!: string;

  @Field(() => TransactionKind, { nullable: true, description: 'The kind of the latest transaction in this change; null when no transaction made it (a budget cap or timezone change, or a new month, moved what the wallet shows).' })
  cause!: TransactionKind | null;

  @Field(() => WalletType, { description: 'The wallet in the state of this event (the same id as me.wallet), for normalized caches.' })
  wallet!: WalletType;
}
