import { BigIntType, Entity, Index, Property } from '@mikro-orm/core';
import { BaseEntity, References } from '../../shared/base.entity';

export enum RefundStatus {
  /** Credits removed (or about to be); the Stripe refund is not confirmed yet. Retried until it is. */
  PENDING = 'PENDING',
  SUCCEEDED = 'SUCCEEDED',
  /** Stripe refused the refund for good; the removed credits were given back. */
  FAILED = 'FAILED',
}

/**
 * A refund of the unused part of a purchased bucket. The ledger debit is keyed
 * `refund:<id>` and the Stripe refund uses the idempotency key `refund:<id>`, so retrying a
 * PENDING refund can neither remove credits twice nor pay out twice.
 * At most one PENDING refund per bucket (partial unique index), so two concurrent requests
 * for the same bucket cannot both refund it.
 */
@Entity({ tableName: 'billing_refund' })
@Index({ properties: ['accountId', 'createdAt'] })
@Index({
  name: 'billing_refund_one_pending_per_bucket',
  properties: ['bucketId'],
  expression: `create unique index "billing_refund_one_pending_per_bucket" on "billing_refund" ("bucket_id") where status = 'PENDING'`,
})
export class Refund extends BaseEntity {
  @References('Account', 'account_id')
  accountId!: string;

  @References('CreditBucket', 'bucket_id')
  bucketId!: string;

  @Property({ type: 'text' })
  paymentIntentId!: string;

  /** Micro-credits removed from the bucket (the planned amount until the debit committed). */
  @Property({ type: new BigIntType('bigint') })
  credits!: bigint;

  /** Money returned, in the smallest currency unit. */
  @Property({ type: new BigIntType('bigint') })
  amountMinor!: bigint;

  @Property({ type: 'text' })
  currency!: string;

  @Property({ type: 'text' })
  status: RefundStatus = RefundStatus.PENDING;

  /** Set once when Stripe refused the refund because the payment is disputed: the credits kept removed for the dispute. */
  @Property({ type: new BigIntType('bigint'), nullable: true })
  creditsKeptForDispute: bigint | null = null;

  @References('LedgerTransaction', 'ledger_transaction_id', { nullable: true })
  ledgerTransactionId: string | null = null;

  @Property({ type: 'text', nullable: true })
  stripeRefundId: string | null = null;

  @Property({ type: 'text', nullable: true })
  lastError: string | null = null;

  @Property({ type: 'integer', default: 0 })
  attempts: number = 0;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  updatedAt: Date = new Date();
}
