import { Entity, Index, Property } from '@mikro-orm/core';
import { BaseEntity, References } from '../../shared/base.entity';

/** One HTTP attempt of a delivery, as the delivery log shows it (`createdAt` is when it started). */
@Entity({ tableName: 'webhook_attempt' })
@Index({ name: 'webhook_attempt_delivery_idx', properties: ['deliveryId', 'number'] })
export class WebhookAttempt extends BaseEntity {
  @References('WebhookDelivery', 'delivery_id')
  deliveryId!: string;

  /** 1 for the first attempt of the delivery. */
  @Property({ type: 'integer' })
  number!: number;

  @Property({ type: 'integer', nullable: true })
  statusCode: number | null = null;

  @Property({ type: 'text', nullable: true })
  error: string | null = null;

  /** The start of the receiver's answer, at most WEBHOOK_RESPONSE_LOG_BYTES. */
  @Property({ type: 'text', nullable: true })
  responseBody: string | null = null;

  @Property({ type: 'integer' })
  durationMs!: number;
}
