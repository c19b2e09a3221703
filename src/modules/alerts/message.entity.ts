import { Entity, Index, JsonType, Property } from '@mikro-orm/core';
import { BaseEntity, References } from '../../shared/base.entity';

export enum MessageKind {
  BURN_ALERT = 'BURN_ALERT',
  LOW_CREDITS = 'LOW_CREDITS',
  CREDITS_DEPLETED = 'CREDITS_DEPLETED',
  BUDGET_CAP_REACHED = 'BUDGET_CAP_REACHED',
  PURCHASE_COMPLETED = 'PURCHASE_COMPLETED',
  REFUND_COMPLETED = 'REFUND_COMPLETED',
  PLAN_RENEWED = 'PLAN_RENEWED',
  AUTO_TOP_UP_SUCCEEDED = 'AUTO_TOP_UP_SUCCEEDED',
  AUTO_TOP_UP_FAILED = 'AUTO_TOP_UP_FAILED',
  WEBHOOK_ENDPOINT_DISABLED = 'WEBHOOK_ENDPOINT_DISABLED',
  PAYMENT_DISPUTED = 'PAYMENT_DISPUTED',
  DISPUTED_CREDITS_RESTORED = 'DISPUTED_CREDITS_RESTORED',
}

/**
 * A notification on the account's Messages page. Alert messages are inserted in the same
 * statement as the ledger batch that crossed the threshold (under the wallet lock), so an
 * alert exists if and only if the change that caused it committed. Every insert for one
 * account happens under that account's wallet lock, so `seq` order per account is commit
 * order: real time delivers by `seq` cursor and never skips a message.
 */
@Entity({ tableName: 'message' })
@Index({ name: 'message_account_seq_idx', properties: ['accountId', 'seq'] })
@Index({
  name: 'message_account_unread_idx',
  properties: ['accountId'],
  expression: 'create index "message_account_unread_idx" on "message" ("account_id") where read_at is null',
})
@Index({
  name: 'message_account_effect_key_idx',
  properties: ['accountId', 'effectKey'],
  expression: 'create unique index "message_account_effect_key_idx" on "message" ("account_id", "effect_key") where effect_key is not null',
})
export class Message extends BaseEntity {
  @Property({ type: 'bigint', autoincrement: true, unique: true, columnType: 'bigserial' })
  seq!: string;

  @References('Account', 'account_id')
  accountId!: string;

  @Property({ type: 'text' })
  kind!: MessageKind;

  @Property({ type: 'text' })
  title!: string;

  @Property({ type: 'text' })
  body!: string;

  @Property({ type: JsonType, nullable: true })
  data: Record<string, unknown> | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  readAt: Date | null = null;

  /**
   * The billing effect this message announces (`stripe:checkout:<session>`, a plan period...):
   * a Stripe event retried after its effect committed but before its message was written
   * announces it then, and never twice (docs/invariants.md "Message order").
   */
  @Property({ type: 'text', nullable: true })
  effectKey: string | null = null;
}
