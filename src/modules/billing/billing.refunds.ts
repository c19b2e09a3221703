import { randomUUID } from 'node:crypto';
import type Stripe from 'stripe';
import type { Config } from '../../config';
import type { Sql } from '../../db/sql';
import { DomainError, ErrorCode, badInput, notFound } from '../../shared/errors';
import { isUuid } from '../../shared/ids';
import type { Logger } from '../../shared/logger';
import { formatCredits } from '../../shared/money';
import { bigintOf, dateOf, textOrNull } from '../../shared/row-values';
import { CreditSource } from '../ledger/credit-bucket.entity';
import type { LedgerService } from '../ledger/ledger.service';
import { lockWalletOfAccount } from '../ledger/store/wallet-lock';
import { formatMinor } from '../../shared/minor-units';
import { notifySafely, type BillingEvents, type Notifier } from './billing.notifier';
import type { StripeWebhookService } from './billing.webhook';
import { paymentLockKey } from './payment-credits';
import { RefundStatus } from './refund.entity';
import { isPermanentStripeError } from './stripe.client';

export interface RefundRow {
  id: string;
  accountId: string;
  bucketId: string;
  paymentIntentId: string;
  credits: bigint;
  amountMinor: bigint;
  currency: string;
  status: RefundStatus;
  stripeRefundId: string | null;
  lastError: string | null;
  createdAt: Date;
}

export interface RefundDeps {
  sql: Sql;
  config: Config;
  ledger: LedgerService;
  log: Logger;
  /** Null when billing is not configured: requests are BILLING_NOT_CONFIGURED, the sweep does nothing. */
  stripe: Stripe | null;
  /** Looks at refunds made outside this service again after Stripe refuses one of ours. */
  webhooks: StripeWebhookService;
  /** Where a SUCCEEDED refund raises REFUND_COMPLETED for outbound webhooks (wired after construction). */
  events: () => BillingEvents | null;
  notifier: () => Notifier | undefined;
}

/**
 * Refunds of purchased credits (`requestRefund`), their retries (the sweep), and what a refusal by
 * Stripe leaves: the credits back, or kept for a dispute (docs/billing.md, Refunds). Every credit
 * movement goes through the ledger.
 */
export class BillingRefunds {
  constructor(private readonly deps: RefundDeps) {}

  /**
   * Refunds the unused part of a purchased bucket.
   *
   * Order of operations (money safety): the credits are removed FIRST, by a ledger debit
   * keyed `refund:<refund id>`, and only then is Stripe asked to pay back, with the
   * idempotency key `refund:<refund id>`. So:
   *  - the DB fails before the debit: nothing happened; the PENDING row is retried or the
   *    caller asks again;
   *  - Stripe fails (network, 5xx, rate limit): the credits stay removed, the refund stays
   *    PENDING and is retried (next request for the bucket, or the sweep) with the same key,
   *    so Stripe pays at most once and the customer never keeps both money and credits;
   *  - Stripe refuses for good (4xx): the refund is FAILED and the removed credits are given
   *    back (`ledger.restoreRefundedCredits`: an ADJUSTMENT into a new never-expiring PURCHASE
   *    bucket on the same payment intent, priced at what was not refunded), keyed so it happens once.
   * The reverse order could pay money back for credits that are then spent before the debit.
   *
   * Only credits neither spent nor held are refundable: `ledger.debitForRefund` caps the
   * debit at min(bucket.remaining, wallet.balance) under the wallet lock. The money is
   * proportional: amountPaid * removed / granted, rounded down to the smallest unit.
   *
   * A second request for the same bucket: while one is PENDING it is resumed and returned
   * (never a second refund); once nothing refundable is left it is BAD_USER_INPUT.
   */
  async request(accountId: string, bucketId: string): Promise<RefundRow> {
    if (!this.deps.stripe) throw new DomainError(ErrorCode.BILLING_NOT_CONFIGURED, 'Billing is not configured on this server (no Stripe secret key)');
    if (!isUuid(bucketId)) throw notFound('Credit bucket');
    const rows = await this.deps.sql.query<{
      source: CreditSource;
      granted: string;
      remaining: string;
      payment_intent_id: string | null;
      amount_paid_minor: string | null;
      currency: string | null;
      balance: string;
    }>(
      `select b.source, b.granted::text, b.remaining::text, b.payment_intent_id, b.amount_paid_minor::text, b.currency, w.balance::text
         from credit_bucket b join wallet w on w.id = b.wallet_id where b.id = ? and w.account_id = ?`,
      [bucketId, accountId],
    );
    if (rows.length === 0) throw notFound('Credit bucket');
    const b = rows[0];
    if (b.source !== CreditSource.PURCHASE || !b.payment_intent_id || b.amount_paid_minor === null) {
      throw badInput('Only credits bought through Stripe can be refunded');
    }

    const pending = await this.refundRows('bucket_id = ? and status = ?', [bucketId, RefundStatus.PENDING]);
    if (pending.length > 0) return this.processRefund(pending[0]);

    const granted = BigInt(b.granted);
    const paid = BigInt(b.amount_paid_minor);
    const remaining = BigInt(b.remaining);
    const balance = BigInt(b.balance);
    const available = remaining < balance ? remaining : balance;
    if (available <= 0n || (paid * available) / granted === 0n) {
      throw badInput('Nothing left to refund: the credits of this purchase are spent, held or already refunded');
    }

    const id = randomUUID();
    try {
      await this.deps.sql.query(
        `insert into billing_refund (id, account_id, bucket_id, payment_intent_id, credits, amount_minor, currency, status, created_at, updated_at)
         values (?, ?, ?, ?, ?, ?, ?, 'PENDING', now(), now())`,
        [id, accountId, bucketId, b.payment_intent_id, available.toString(), ((paid * available) / granted).toString(), b.currency ?? 'usd'],
      );
    } catch (err) {
      // The partial unique index allows one PENDING refund per bucket: a concurrent request won.
      if ((err as { code?: string }).code === '23505') {
        const other = await this.refundRows('bucket_id = ? and status = ?', [bucketId, RefundStatus.PENDING]);
        if (other.length > 0) return other[0];
      }
      throw err;
    }
    const row = (await this.refundRows('id = ?', [id]))[0];
    const result = await this.processRefund(row);
    if (result.status === RefundStatus.FAILED && result.credits === 0n) {
      throw badInput('Nothing left to refund: the credits of this purchase are spent, held or already refunded');
    }
    return result;
  }

  /** Moves one refund forward: debit (idempotent), then Stripe (idempotent). Safe to call repeatedly. */
  private async processRefund(row: RefundRow): Promise<RefundRow> {
    const stripe = this.deps.stripe!;
    const key = `refund:${row.id}`;
    let debited = 0n;
    let entryId: string | null = null;
    try {
      const debit = await this.deps.ledger.debitForRefund(row.accountId, {
        bucketId: row.bucketId,
        credits: row.credits,
        idempotencyKey: key,
        description: `Refund of ${formatCredits(row.credits)} unused purchased credits`,
        metadata: { refundId: row.id, paymentIntentId: row.paymentIntentId },
      });
      debited = debit.debited;
      entryId = debit.entryId;
    } catch (err) {
      // The bucket has nothing left (the ledger only loads buckets with credits remaining).
      if (!(err instanceof DomainError && err.code === ErrorCode.NOT_FOUND)) throw err;
    }
    const bucket = await this.deps.sql.query<{ granted: string; amount_paid_minor: string }>('select granted::text, amount_paid_minor::text from credit_bucket where id = ?', [row.bucketId]);
    const amountMinor = (BigInt(bucket[0].amount_paid_minor) * debited) / BigInt(bucket[0].granted);
    await this.deps.sql.query(`update billing_refund set credits = ?, amount_minor = ?, ledger_transaction_id = ?, attempts = attempts + 1, updated_at = now() where id = ?`, [
      debited.toString(),
      amountMinor.toString(),
      entryId,
      row.id,
    ]);
    if (debited === 0n) {
      await this.finishRefund(row.id, RefundStatus.FAILED, null, 'nothing left to refund');
      return (await this.refundRows('id = ?', [row.id]))[0];
    }
    if (amountMinor === 0n) {
      // Less than the smallest currency unit: the credits are removed, there is nothing to pay.
      await this.finishRefund(row.id, RefundStatus.SUCCEEDED, null, null);
      return (await this.refundRows('id = ?', [row.id]))[0];
    }

    // Once Stripe refused this refund it is never asked again: had the process stopped before
    // marking it FAILED, a dispute won since could let Stripe pay it now, on top of the credits
    // the dispute gave back (docs/billing.md, Refunds).
    const refusedEarlier = await this.refusalRecorded(row.id);
    if (refusedEarlier !== null) return this.refused(row, debited, amountMinor, refusedEarlier);

    // Stripe's refund id is saved in its own commit as soon as Stripe paid: a refund that has one
    // is only completed, never asked again (Stripe keeps idempotency keys for 24 hours only).
    if (row.stripeRefundId === null) {
      const asked = await this.askStripe(stripe, row, debited, amountMinor, key);
      if (asked !== 'PAID') return asked;
    }
    return this.completePaid(row.id);
  }

  /** Asks Stripe to pay the refund back: 'PAID' (its id saved), else the refund as Stripe's answer left it. */
  private async askStripe(stripe: Stripe, row: RefundRow, debited: bigint, amountMinor: bigint, key: string): Promise<'PAID' | RefundRow> {
    try {
      const refund = await stripe.refunds.create(
        {
          payment_intent: row.paymentIntentId,
          amount: Number(amountMinor),
          metadata: { refundId: row.id, accountId: row.accountId, bucketId: row.bucketId, credits: formatCredits(debited) },
        },
        { idempotencyKey: key },
      );
      await this.deps.sql.query(`update billing_refund set stripe_refund_id = ?, updated_at = now() where id = ? and status = 'PENDING'`, [refund.id, row.id]);
      return 'PAID';
    } catch (err) {
      const message = String((err as Error).message ?? err);
      if (isPermanentStripeError(err)) {
        this.deps.log.error({ err, refundId: row.id }, 'Stripe refused the refund; restoring the credits');
        return this.refused(row, debited, amountMinor, message);
      }
      this.deps.log.warn({ err, refundId: row.id }, 'Stripe refund not confirmed; it stays PENDING and is retried');
      await this.deps.sql.query('update billing_refund set last_error = ?, updated_at = now() where id = ?', [message.slice(0, 500), row.id]);
      return (await this.refundRows('id = ?', [row.id]))[0];
    }
  }

  /** Completes a refund Stripe paid; if that fails it stays PENDING (Stripe is not asked again) and the retry completes it. */
  private async completePaid(id: string): Promise<RefundRow> {
    try {
      await this.finishRefund(id, RefundStatus.SUCCEEDED, null, null);
    } catch (err) {
      this.deps.log.error({ err, refundId: id }, 'Stripe paid the refund but completing it failed; it stays PENDING and is completed on retry');
      await this.deps.sql.query('update billing_refund set last_error = ?, updated_at = now() where id = ?', ['Paid by Stripe; recording it failed and is retried', id]);
    }
    return (await this.refundRows('id = ?', [id]))[0];
  }

  /**
   * A refund Stripe refused for good (it refuses to refund a disputed payment): the credits the
   * dispute could not take because this refund held them stay removed, for the dispute; the rest
   * come back; the refund is FAILED with Stripe's reason. Every step is once per refund, so a
   * retry after a crash completes it.
   */
  private async refused(row: RefundRow, debited: bigint, amountMinor: bigint, reason: string): Promise<RefundRow> {
    const kept = await this.keptForDispute(row.id, row.paymentIntentId, debited, reason);
    if (kept < debited) await this.deps.ledger.restoreRefundedCredits(row.accountId, {
      credits: debited - kept,
      idempotencyKey: `refund:${row.id}:restore`,
      description: `Refund failed at Stripe: ${formatCredits(debited)} credits restored`,
      paymentIntentId: row.paymentIntentId,
      amountPaidMinor: amountMinor.toString(),
      currency: row.currency,
      metadata: { refundId: row.id, paymentIntentId: row.paymentIntentId },
    });
    const note = kept > 0n ? ` (the payment was disputed: ${formatCredits(kept)} of its credits went to the dispute, and come back if the dispute is reinstated)` : '';
    await this.finishRefund(row.id, RefundStatus.FAILED, null, `${reason}${note}`);
    // Refunds made in the Stripe dashboard while this one was PENDING were not removed then: it
    // was counted as ours. The FAILED refund is not retried, so a failure here is logged as an
    // error naming the payment to check.
    await this.deps.webhooks.externalRefundsAfterRefusal(row.id, row.paymentIntentId).catch((err) =>
      this.deps.log.error({ err, refundId: row.id, paymentIntentId: row.paymentIntentId }, 'could not look at external refunds after Stripe refused a refund; check the payment in Stripe'),
    );
    return (await this.refundRows('id = ?', [row.id]))[0];
  }

  /** Stripe's reason when it already refused this refund (recorded by keptForDispute), else null. */
  private async refusalRecorded(refundId: string): Promise<string | null> {
    const rows = await this.deps.sql.query<{ reason: string | null }>('select last_error as reason from billing_refund where id = ? and credits_kept_for_dispute is not null', [refundId]);
    return rows.length === 0 ? null : (rows[0].reason ?? 'Stripe refused this refund');
  }

  /**
   * Settles a PENDING refund once. A SUCCEEDED one raises REFUND_COMPLETED for outbound webhooks
   * and, when it paid money back, the account's message, in the same transaction under the
   * account's wallet lock (events and messages of a wallet commit in order): the refund is
   * announced exactly once, or stays PENDING and is retried.
   */
  private async finishRefund(id: string, status: RefundStatus, stripeRefundId: string | null, error: string | null): Promise<void> {
    const succeeded = status === RefundStatus.SUCCEEDED;
    const events = succeeded ? this.deps.events() : null;
    const notifier = succeeded ? this.deps.notifier() : undefined;
    const completed = await this.deps.sql.withTransaction(async (client) => {
      if (succeeded) {
        const owner = await client.query<{ account_id: string }>('select account_id from billing_refund where id = $1', [id]);
        if (owner.rows[0]) await lockWalletOfAccount(client, owner.rows[0].account_id);
      }
      const updated = await client.query<RefundCompletedRow>(
        `update billing_refund set status = $1, stripe_refund_id = coalesce($2, stripe_refund_id), last_error = $3, updated_at = now() where id = $4 and status = 'PENDING'
         returning account_id, bucket_id, credits::text as credits, amount_minor::text as amount_minor, currency, stripe_refund_id, ledger_transaction_id`,
        [status, stripeRefundId, error, id],
      );
      if (!succeeded || updated.rows.length === 0) return null;
      const refund = updated.rows[0];
      await events?.refundCompleted(client, refund.account_id, refundDetails(id, refund));
      // Less than the smallest currency unit paid nothing back: no message.
      const message = BigInt(refund.amount_minor) > 0n ? refundMessage(id, refund) : null;
      if (message && notifier?.notifyWithin) await notifier.notifyWithin(client, refund.account_id, 'REFUND_COMPLETED', ...message);
      return { accountId: refund.account_id, message };
    });
    if (completed === null) return;
    if (events) events.committed();
    if (completed.message === null) return;
    if (notifier?.notifyWithin) notifier.announced?.(completed.accountId);
    else await this.notify(completed.accountId, 'REFUND_COMPLETED', ...completed.message);
  }

  /**
   * Retries PENDING refunds whose request died or whose Stripe call failed, once they have been
   * left alone for REFUND_RETRY_AFTER_MS (runs on every instance; each step is idempotent).
   */
  async sweep(limit = 50): Promise<number> {
    if (!this.deps.stripe) return 0;
    const due = await this.refundRows(`status = 'PENDING' and updated_at < now() - (? * interval '1 millisecond') order by updated_at limit ?`, [this.deps.config.billing.refundRetryAfterMs, limit]);
    for (const r of due) {
      try {
        await this.processRefund(r);
      } catch (err) {
        this.deps.log.error({ err, refundId: r.id }, 'refund retry failed');
      }
    }
    return due.length;
  }

  /**
   * Of `credits` a refund removed and Stripe refused to pay, those a dispute of the payment is
   * owed and could not take itself (the refund held them): recorded on the dispute, which gives
   * them back if it is reinstated. Zero without an open dispute. Recorded with Stripe's `reason`
   * on the refund, which is then never sent to Stripe again. Under the payment's lock, like the
   * dispute's own handling (billing.disputes.ts, payment-credits.ts).
   */
  private async keptForDispute(refundId: string, paymentIntentId: string, credits: bigint, reason: string): Promise<bigint> {
    return this.deps.sql.withTransaction(async (client) => {
      await client.query('select pg_advisory_xact_lock(hashtext($1))', [paymentLockKey(paymentIntentId)]);
      // Once per refund: a retry after a crash finds what the first pass kept.
      const decided = await client.query<{ kept: string | null }>('select credits_kept_for_dispute::text as kept from billing_refund where id = $1 for update', [refundId]);
      if (decided.rows[0]?.kept != null) return BigInt(decided.rows[0].kept);
      const open = await client.query<{ id: string; unmet: string }>(
        `select d.id, (d.credits_owed - d.refund_credits_kept
                       - (select coalesce(sum(-t.amount), 0) from ledger_transaction t
                           where t.account_id = d.account_id and t.kind = 'REFUND' and t.metadata->>'disputeId' = d.id))::text as unmet
           from billing_dispute d where d.payment_intent_id = $1 and d.reinstated_at is null order by d.withdrawn_at desc limit 1 for update`,
        [paymentIntentId],
      );
      const unmet = open.rows.length === 0 ? 0n : BigInt(open.rows[0].unmet);
      const kept = unmet <= 0n ? 0n : unmet < credits ? unmet : credits;
      if (kept > 0n) await client.query('update billing_dispute set refund_credits_kept = refund_credits_kept + $2 where id = $1', [open.rows[0].id, kept.toString()]);
      await client.query('update billing_refund set credits_kept_for_dispute = $2, last_error = $3 where id = $1', [refundId, kept.toString(), reason.slice(0, 500)]);
      return kept;
    });
  }

  /** The account's refunds, newest first (at most 100). */
  async ofAccount(accountId: string): Promise<RefundRow[]> {
    return this.refundRows('account_id = ? order by created_at desc limit 100', [accountId]);
  }

  private async refundRows(where: string, params: unknown[]): Promise<RefundRow[]> {
    const rows = await this.deps.sql.query<Record<string, unknown>>(
      `select id, account_id, bucket_id, payment_intent_id, credits::text, amount_minor::text, currency, status, stripe_refund_id, last_error, created_at
         from billing_refund where ${where}`,
      params,
    );
    return rows.map((r) => ({
      id: r.id as string,
      accountId: r.account_id as string,
      bucketId: r.bucket_id as string,
      paymentIntentId: r.payment_intent_id as string,
      credits: bigintOf(r.credits),
      amountMinor: bigintOf(r.amount_minor),
      currency: r.currency as string,
      status: r.status as RefundStatus,
      stripeRefundId: textOrNull(r.stripe_refund_id),
      lastError: textOrNull(r.last_error),
      createdAt: dateOf(r.created_at),
    }));
  }

  private notify(...args: Parameters<Notifier['notify']>): Promise<void> {
    return notifySafely(this.deps.notifier(), this.deps.log, ...args);
  }
}

/** What the statement completing a refund returns. */
interface RefundCompletedRow {
  account_id: string;
  bucket_id: string;
  credits: string;
  amount_minor: string;
  currency: string;
  stripe_refund_id: string | null;
  ledger_transaction_id: string | null;
}

/** The REFUND_COMPLETED webhook event's details. */
function refundDetails(id: string, refund: RefundCompletedRow): Record<string, unknown> {
  return {
    refundId: id,
    bucketId: refund.bucket_id,
    credits: formatCredits(BigInt(refund.credits)),
    amount: formatMinor(BigInt(refund.amount_minor), refund.currency),
    currency: refund.currency,
    stripeRefundId: refund.stripe_refund_id,
    transactionId: refund.ledger_transaction_id,
  };
}

/** The account's REFUND_COMPLETED message: title, text and data. */
function refundMessage(id: string, refund: RefundCompletedRow): [string, string, Record<string, unknown>] {
  const amount = formatMinor(BigInt(refund.amount_minor), refund.currency);
  const credits = formatCredits(BigInt(refund.credits));
  return [
    'Refund completed',
    `${amount} ${refund.currency.toUpperCase()} is on its way back for ${credits} unused credits.`,
    { refundId: id, bucketId: refund.bucket_id, credits, amount, currency: refund.currency },
  ];
}
