import { Entity, Index, Property } from '@mikro-orm/core';
import { BaseEntity, References } from '../../shared/base.entity';

/**
 * Emails to send, written in the same transaction as the alert that wants them, and sent
 * after commit by EmailOutbox. A row is claimed by moving `next_attempt_at` forward (a
 * lease) under `for update skip locked`, so any number of instances can work the outbox
 * without sending one email twice at the same time; a failed attempt is retried later.
 */
@Entity({ tableName: 'email_outbox' })
@Index({
  name: 'email_outbox_due_idx',
  properties: ['nextAttemptAt'],
  expression: 'create index "email_outbox_due_idx" on "email_outbox" ("next_attempt_at") where sent_at is null and failed_at is null',
})
export class EmailOutbox extends BaseEntity {
  @References('Account', 'account_id')
  accountId!: string;

  @References('Message', 'message_id', { nullable: true })
  messageId: string | null = null;

  @Property({ type: 'text' })
  toAddress!: string;

  @Property({ type: 'text' })
  subject!: string;

  @Property({ type: 'text' })
  body!: string;

  @Property({ type: 'integer', default: 0 })
  attempts: number = 0;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  nextAttemptAt: Date = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  sentAt: Date | null = null;

  /** Set when the retries are exhausted; the row stays for inspection. */
  @Property({ type: 'timestamptz', nullable: true })
  failedAt: Date | null = null;

  @Property({ type: 'text', nullable: true })
  lastError: string | null = null;
}
