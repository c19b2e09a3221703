import type Stripe from 'stripe';
import type { Sql } from '../../db/sql';

/*
 * What Stripe webhook handlers that move a payment's credits share (billing.external-refunds.ts for
 * refunds made at Stripe, billing.disputes.ts for chargebacks, billing.refunds.ts when Stripe
 * refuses a customer's refund): the outcome they record, the handler of payment events another
 * module owns, the lock that serializes them per payment intent, and the payment's buckets.
 */

export type Outcome = 'APPLIED' | 'IGNORED' | 'STALE' | 'DUPLICATE';

/**
 * PaymentIntent and SetupIntent events, applied by another module (auto top-up: its payments and
 * the cards saved for it). It returns the account and the outcome this service records.
 */
export interface PaymentEventHandler {
  handle(event: Stripe.Event): Promise<{ accountId: string | null; outcome: Outcome }>;
  /** A payment of the account was disputed: stop charging its card unasked. Returns whether auto top-up was on. */
  paymentDisputed(accountId: string, detail: string): Promise<boolean>;
  /**
   * Whether a payment intent is one this handler started and will credit (a top-up not credited
   * yet), known by its id or, when the intent's metadata names it, by the attempt that started it.
   */
  awaitsCredit(paymentIntentId: string, attemptId?: string): Promise<boolean>;
}

/** Thrown when an event cannot be applied yet (its prerequisite has not arrived); answered 500 so Stripe retries. */
export class RetryLater extends Error {}

/** The advisory lock key of a payment intent's credits (session lock here, transaction lock in billing.refunds.ts). */
export const paymentLockKey = (pi: string): string => `stripe-refund:${pi}`;

/**
 * Serializes what removes or restores the credits of one payment intent (refunds, disputes):
 * each computes from totals the others change. A concurrent delivery is answered 500 and
 * retried by Stripe; with `wait`, a caller nobody retries waits for the lock instead.
 */
export function withPaymentLock<T>(sql: Sql, pi: string, apply: () => Promise<T>, options: { wait?: boolean } = {}): Promise<T> {
  return withAdvisoryLock(sql, paymentLockKey(pi), apply, options);
}

/** The advisory lock key of a subscription's plan allocations (billing.webhook.ts allocatePeriod). */
export const planPeriodLockKey = (subscriptionId: string): string => `stripe-plan-period:${subscriptionId}`;

/**
 * Runs `apply` holding PostgreSQL's session advisory lock on `key` (on a connection of its own, so
 * `apply` may run transactions of its own meanwhile). Without `wait`, a lock held elsewhere is
 * RetryLater (answered 500, so Stripe retries).
 */
export async function withAdvisoryLock<T>(sql: Sql, key: string, apply: () => Promise<T>, { wait = false } = {}): Promise<T> {
  const lock = await sql.acquire();
  try {
    if (wait) await lock.query(`select pg_advisory_lock(hashtext($1))`, [key]);
    else {
      const got = await lock.query(`select pg_try_advisory_lock(hashtext($1)) as ok`, [key]);
      if (!got.rows[0].ok) throw new RetryLater(`${key} is being changed by another delivery`);
    }
    try {
      return await apply();
    } finally {
      await lock.query(`select pg_advisory_unlock(hashtext($1))`, [key]);
    }
  } finally {
    sql.release(lock);
  }
}

/** The PURCHASE buckets of a payment intent, oldest first (the first is the purchase itself). */
export function purchaseBuckets(sql: Sql, pi: string) {
  return sql.query<{ id: string; account_id: string; remaining: string }>(
    `select b.id, w.account_id, b.remaining::text from credit_bucket b join wallet w on w.id = b.wallet_id
      where b.payment_intent_id = ? and b.source = 'PURCHASE' order by b.created_at, b.id`,
    [pi],
  );
}
