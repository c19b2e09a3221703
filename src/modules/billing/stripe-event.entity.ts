import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { References } from '../../shared/base.entity';

/**
 * A Stripe event is applied at most once (docs/invariants.md #8). The event id is the primary key, so
 * a second delivery of the same event finds its row and does nothing. Events whose effect
 * is a plain database change (plan changes) insert this row in the same transaction as the
 * change; events that move credits rely on the ledger's own idempotency key (see
 * billing.webhook.ts) and insert this row right after the ledger committed.
 */
@Entity({ tableName: 'stripe_event' })
export class StripeEvent {
  @PrimaryKey({ type: 'text' })
  id!: string;

  @Property({ type: 'text' })
  type!: string;

  @References('Account', 'account_id', { nullable: true })
  accountId: string | null = null;

  /** What processing did: APPLIED, IGNORED (unknown type or nothing to do), STALE (out of order). */
  @Property({ type: 'text' })
  outcome!: string;

  /** When Stripe created the event (its own clock), for ordering and audits. */
  @Property({ type: 'timestamptz' })
  stripeCreatedAt!: Date;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  processedAt: Date = new Date();
}
