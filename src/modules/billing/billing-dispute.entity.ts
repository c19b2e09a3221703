import { BigIntType, Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { References } from '../../shared/base.entity';

/**
 * A dispute (chargeback) whose money Stripe withdrew, one row per Stripe dispute, written before
 * its credits are removed (billing.disputes.ts). It makes each step happen once, whatever order
 * or how often the events come: the removal resumes under per-bucket ledger keys, the pause of
 * auto top-up and the message are announced once (`announcedAt`), the reinstatement waits for the
 * row and gives back once (`reinstatedAt`), and a customer's refund that Stripe refuses because
 * of the dispute does not give its credits back.
 */
@Entity({ tableName: 'billing_dispute' })
@Index({ properties: ['paymentIntentId'] })
export class BillingDispute {
  /** Stripe's dispute id (`dp_...`). */
  @PrimaryKey({ type: 'text' })
  id!: string;

  @References('Account', 'account_id')
  accountId!: string;

  @Property({ type: 'text' })
  paymentIntentId!: string;

  /** The disputed amount, in the smallest currency unit. */
  @Property({ type: new BigIntType('bigint') })
  amountMinor!: bigint;

  @Property({ type: 'text' })
  currency!: string;

  /** Micro-credits the dispute takes back: its share of the purchase, less what refunds and other disputes took. */
  @Property({ type: new BigIntType('bigint'), default: 0 })
  creditsOwed: bigint = 0n;

  /**
   * Micro-credits of a customer's refund, pending when the dispute came and then refused by Stripe
   * because of it, kept removed for this dispute (it could not take them itself); a reinstatement
   * gives them back with the dispute's own.
   */
  @Property({ type: new BigIntType('bigint'), default: 0 })
  refundCreditsKept: bigint = 0n;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  withdrawnAt: Date = new Date();

  /** Auto top-up paused and the PAYMENT_DISPUTED message sent. */
  @Property({ type: 'timestamptz', nullable: true })
  announcedAt: Date | null = null;

  /** The payment stood: the credits were given back. */
  @Property({ type: 'timestamptz', nullable: true })
  reinstatedAt: Date | null = null;
}
