import { Entity, Index, Property } from '@mikro-orm/core';
import { BaseEntity, References } from '../../shared/base.entity';

export enum WebhookDeliveryStatus {
  /** Waiting for its turn or its next attempt. */
  PENDING = 'PENDING',
  SUCCEEDED = 'SUCCEEDED',
  /** Given up after WEBHOOK_MAX_ATTEMPTS; replayWebhookDelivery sends it again. */
  FAILED = 'FAILED',
  /** Its endpoint was deleted before it was delivered. */
  CANCELLED = 'CANCELLED',
}

/**
 * One event for one endpoint. The worker (webhook.worker.ts) claims due rows with
 * `for update skip locked` and a lease (`next_attempt_at` moved past the attempt's timeout), so
 * any number of instances deliver without sending one delivery twice at once; a crash mid-attempt
 * lets the lease run out and the delivery is retried with the same event id. A delivery is only
 * due when no delivery of an earlier event (`event_seq`) for the same endpoint and wallet is still
 * PENDING: events of one wallet reach an endpoint in version order. Replays (`replay_of`) are
 * outside that order: they neither wait nor make others wait. A delivery is attempted at most
 * WEBHOOK_MAX_ATTEMPTS times.
 */
@Entity({ tableName: 'webhook_delivery' })
@Index({
  name: 'webhook_delivery_due_idx',
  properties: ['nextAttemptAt'],
  expression: `create index "webhook_delivery_due_idx" on "webhook_delivery" ("next_attempt_at") where status = 'PENDING'`,
})
@Index({
  name: 'webhook_delivery_order_idx',
  properties: ['endpointId', 'walletId', 'eventSeq'],
  expression: `create index "webhook_delivery_order_idx" on "webhook_delivery" ("endpoint_id", "wallet_id", "event_seq") where status = 'PENDING'`,
})
@Index({ name: 'webhook_delivery_endpoint_seq_idx', properties: ['endpointId', 'seq'] })
export class WebhookDelivery extends BaseEntity<'status' | 'attempts'> {
  /** Listing order (newest first) and cursor. */
  @Property({ type: 'bigint', autoincrement: true, unique: true, columnType: 'bigserial' })
  seq!: string;

  @References('WebhookEvent', 'event_id')
  eventId!: string;

  /** The event's seq: the delivery order per endpoint and wallet. */
  @Property({ type: 'bigint' })
  eventSeq!: string;

  @References('WebhookEndpoint', 'endpoint_id')
  endpointId!: string;

  @References('Account', 'account_id')
  accountId!: string;

  @References('Wallet', 'wallet_id')
  walletId!: string;

  @Property({ type: 'text', default: WebhookDeliveryStatus.PENDING })
  status: WebhookDeliveryStatus = WebhookDeliveryStatus.PENDING;

  /** Attempts started (a claim counts one). */
  @Property({ type: 'integer', default: 0 })
  attempts: number = 0;

  /** When it is next due (or when the current attempt's lease ends); null once settled, and while its endpoint is disabled. */
  @Property({ type: 'timestamptz', nullable: true })
  nextAttemptAt: Date | null = null;

  @Property({ type: 'integer', nullable: true })
  lastStatusCode: number | null = null;

  @Property({ type: 'text', nullable: true })
  lastError: string | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  deliveredAt: Date | null = null;

  /** Set on a delivery created by replayWebhookDelivery: the delivery it repeats. */
  @References('WebhookDelivery', 'replay_of', { nullable: true })
  replayOf: string | null = null;
}
