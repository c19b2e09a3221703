import { BigIntType, Entity, Index, Property } from '@mikro-orm/core';
import { BaseEntity, References } from '../../shared/base.entity';

/**
 * An outbound event (the outbox), written in the same transaction as the change it reports: the
 * ledger batch's write statement or a module's own transaction, always under the wallet's row
 * lock, so `seq` order per wallet is commit order (= version order). Only written for accounts
 * with an endpoint subscribed to its type. `payload` is the exact body every delivery sends.
 */
@Entity({ tableName: 'webhook_event' })
@Index({ name: 'webhook_event_wallet_seq_idx', properties: ['walletId', 'seq'] })
export class WebhookEvent extends BaseEntity {
  @Property({ type: 'bigint', autoincrement: true, unique: true, columnType: 'bigserial' })
  seq!: string;

  @References('Account', 'account_id')
  accountId!: string;

  @References('Wallet', 'wallet_id')
  walletId!: string;

  /** The wallet version the payload's state is at. */
  @Property({ type: new BigIntType('bigint') })
  walletVersion!: bigint;

  /** A WebhookEventType name. */
  @Property({ type: 'text' })
  type!: string;

  @Property({ type: 'text' })
  payload!: string;
}
