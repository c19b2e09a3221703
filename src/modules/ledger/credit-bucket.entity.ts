import { BigIntType, Check, Entity, Index, Property } from '@mikro-orm/core';
import { BaseEntity, References } from '../../shared/base.entity';
import { CreditSource } from './domain/kinds';

export { CreditSource } from './domain/kinds';

/**
 * A grant of credits. Spending draws from the bucket that expires first, then plan
 * allocation before promotional before purchased, oldest first on ties (`drawOrder` in
 * domain/draw-order.ts). `remaining` is never negative (docs/invariants.md #2).
 */
@Entity({ tableName: 'credit_bucket' })
@Check({ name: 'credit_bucket_remaining_non_negative', expression: 'remaining >= 0' })
@Check({ name: 'credit_bucket_remaining_le_granted', expression: 'remaining <= granted' })
// Refunds and disputes find a payment's buckets by its payment intent (billing/payment-credits.ts).
@Index({
  name: 'credit_bucket_payment_intent_id_index',
  properties: ['paymentIntentId'],
  expression: 'create index "credit_bucket_payment_intent_id_index" on "credit_bucket" ("payment_intent_id") where payment_intent_id is not null',
})
@Index({ name: 'credit_bucket_live_idx', properties: ['walletId', 'expiresAt'], expression: 'create index "credit_bucket_live_idx" on "credit_bucket" ("wallet_id", "expires_at") where remaining > 0' })
export class CreditBucket extends BaseEntity<'expiresAt' | 'paymentIntentId' | 'amountPaidMinor' | 'currency' | 'refunded'> {
  @References('Wallet', 'wallet_id')
  walletId!: string;

  @Property({ type: 'text' })
  source!: CreditSource;

  @Property({ type: new BigIntType('bigint') })
  granted!: bigint;

  @Property({ type: new BigIntType('bigint') })
  remaining!: bigint;

  @Property({ type: 'timestamptz', nullable: true })
  expiresAt: Date | null = null;

  /** Stripe payment intent that paid for a PURCHASE bucket (refunds go back to it). */
  @Property({ type: 'text', nullable: true })
  paymentIntentId: string | null = null;

  /** Price paid in the smallest currency unit (cents), for proportional refunds. */
  @Property({ type: 'bigint', nullable: true })
  amountPaidMinor: string | null = null;

  @Property({ type: 'text', nullable: true })
  currency: string | null = null;

  /** Credits removed from this bucket by refunds. */
  @Property({ type: new BigIntType('bigint'), default: 0 })
  refunded: bigint = 0n;
}
