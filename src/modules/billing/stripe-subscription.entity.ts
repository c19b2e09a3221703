import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { References } from '../../shared/base.entity';

/**
 * The last known state of each Stripe subscription. Subscription events can arrive out of
 * order, so a row is only overwritten by an event at least as new as the one that wrote it
 * (`lastEventAt`); the account's `planId` is then derived from its live subscriptions.
 */
@Entity({ tableName: 'stripe_subscription' })
@Index({ properties: ['accountId'] })
export class StripeSubscription {
  @PrimaryKey({ type: 'text' })
  id!: string;

  @References('Account', 'account_id')
  accountId!: string;

  @Property({ type: 'text', nullable: true })
  planId: string | null = null;

  /** Stripe's status: active, trialing, past_due, canceled, unpaid, incomplete... */
  @Property({ type: 'text' })
  status!: string;

  @Property({ type: 'timestamptz' })
  lastEventAt!: Date;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  updatedAt: Date = new Date();
}
