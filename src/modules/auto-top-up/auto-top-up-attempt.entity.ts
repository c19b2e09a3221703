import { BigIntType, Entity, Index, Property } from '@mikro-orm/core';
import { BaseEntity, References } from '../../shared/base.entity';

export enum AutoTopUpStatus {
  /** Started by a ledger batch; its PaymentIntent is being created or its webhook awaited. */
  PENDING = 'PENDING',
  /** Paid and credited (by the ledger batch that granted its credits). */
  SUCCEEDED = 'SUCCEEDED',
  /** Declined, authentication required, or no usable card. */
  FAILED = 'FAILED',
  /** Not attempted: self-service billing was switched off, or Stripe is not configured. */
  CANCELLED = 'CANCELLED',
}

/**
 * One automatic top-up: inserted by the ledger batch whose spend left the balance below the
 * threshold (auto-top-up.participant.ts), paid after commit by an off-session PaymentIntent whose
 * idempotency key is derived from this id, and credited only by the verified
 * `payment_intent.succeeded` webhook, under the ledger key `stripe:auto-top-up:<id>`. The partial
 * unique index allows one PENDING attempt per wallet (docs/invariants.md "One top-up in flight").
 */
@Entity({ tableName: 'auto_top_up_attempt' })
@Index({
  name: 'auto_top_up_attempt_one_pending_per_wallet',
  properties: ['walletId'],
  expression: `create unique index "auto_top_up_attempt_one_pending_per_wallet" on "auto_top_up_attempt" ("wallet_id") where status = 'PENDING'`,
})
@Index({
  name: 'auto_top_up_attempt_due_idx',
  properties: ['nextCheckAt'],
  expression: `create index "auto_top_up_attempt_due_idx" on "auto_top_up_attempt" ("next_check_at") where status = 'PENDING'`,
})
@Index({ name: 'auto_top_up_attempt_account_idx', properties: ['accountId', 'createdAt'] })
export class AutoTopUpAttempt extends BaseEntity<'status' | 'stripeTries' | 'nextCheckAt'> {
  @References('Account', 'account_id')
  accountId!: string;

  @References('Wallet', 'wallet_id')
  walletId!: string;

  @Property({ type: 'text', default: AutoTopUpStatus.PENDING })
  status: AutoTopUpStatus = AutoTopUpStatus.PENDING;

  @Property({ type: new BigIntType('bigint') })
  credits!: bigint;

  @Property({ type: new BigIntType('bigint') })
  amountMinor!: bigint;

  @Property({ type: 'text' })
  currency!: string;

  @Property({ type: 'text', nullable: true })
  packId: string | null = null;

  /** The wallet version whose spend started it, and the balance it left. */
  @Property({ type: new BigIntType('bigint') })
  walletVersion!: bigint;

  @Property({ type: new BigIntType('bigint') })
  balanceAtStart!: bigint;

  /** The month counted in auto_top_up.started_this_month. */
  @Property({ type: 'text' })
  monthKey!: string;

  @Property({ type: 'text', nullable: true })
  paymentIntentId: string | null = null;

  /**
   * The card and Stripe customer charged, fixed by the worker's first claim: every retry of the
   * PaymentIntent's create sends exactly the parameters its idempotency key was first used with,
   * even if the account saves another card meanwhile.
   */
  @Property({ type: 'text', nullable: true })
  paymentMethodId: string | null = null;

  @Property({ type: 'text', nullable: true })
  stripeCustomerId: string | null = null;

  /**
   * Stripe calls made for it (creates, then lookups), each counted and committed before it is sent:
   * a try without `paymentIntentId` means a create may have charged the card (auto-top-up.worker.ts).
   */
  @Property({ type: 'integer', default: 0 })
  stripeTries: number = 0;

  /** When the worker next looks at it (a lease while it does). */
  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  nextCheckAt: Date = new Date();

  @Property({ type: 'text', nullable: true })
  failureCode: string | null = null;

  @Property({ type: 'text', nullable: true })
  failureMessage: string | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  completedAt: Date | null = null;
}
