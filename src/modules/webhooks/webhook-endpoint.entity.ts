import { ArrayType, Entity, Index, Property } from '@mikro-orm/core';
import { BaseEntity, References } from '../../shared/base.entity';

export enum WebhookEndpointStatus {
  ENABLED = 'ENABLED',
  /** Not sent to: disabled by its owner, or by the worker after continuous failure (WEBHOOK_DISABLE_AFTER_MS). */
  DISABLED = 'DISABLED',
}

/**
 * A customer's webhook receiver. Created, changed and deleted under the account's wallet lock,
 * like every ledger batch that fans events out to it (webhook-outbox.sql.ts), so an endpoint
 * receives exactly the events committed after it subscribed. Deleting sets `deleted_at` (its
 * deliveries stay in the log) and cancels what it still had pending.
 *
 * The signing secret is stored as issued (the worker needs it to sign); `previous_secret` keeps
 * signing next to it until `previous_secret_expires_at` after a rotation. There is one such slot:
 * a rotation with a grace period is refused while it is in use (webhooks.service.ts rotateSecret).
 */
@Entity({ tableName: 'webhook_endpoint' })
@Index({
  name: 'webhook_endpoint_account_live_idx',
  properties: ['accountId'],
  expression: 'create index "webhook_endpoint_account_live_idx" on "webhook_endpoint" ("account_id") where deleted_at is null',
})
export class WebhookEndpoint extends BaseEntity<'status' | 'updatedAt'> {
  @References('Account', 'account_id')
  accountId!: string;

  @Property({ type: 'text' })
  url!: string;

  @Property({ type: 'text', nullable: true })
  description: string | null = null;

  /** WebhookEventType names this endpoint receives. */
  @Property({ type: ArrayType, columnType: 'text[]' })
  events!: string[];

  @Property({ type: 'text', hidden: true })
  secret!: string;

  @Property({ type: 'text', nullable: true, hidden: true })
  previousSecret: string | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  previousSecretExpiresAt: Date | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  secretRotatedAt: Date | null = null;

  @Property({ type: 'text', default: WebhookEndpointStatus.ENABLED })
  status: WebhookEndpointStatus = WebhookEndpointStatus.ENABLED;

  @Property({ type: 'text', nullable: true })
  disabledReason: string | null = null;

  /** Start of the current run of failed attempts; null after a success, and once its last pending delivery is given up (webhook.worker.ts RECORD). */
  @Property({ type: 'timestamptz', nullable: true })
  failingSince: Date | null = null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  updatedAt: Date = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  deletedAt: Date | null = null;
}
