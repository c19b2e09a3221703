import Stripe from 'stripe';
import type { Sql } from '../../db/sql';
import type { Logger } from '../../shared/logger';
import { formatCredits } from '../../shared/money';
import type { LedgerService } from '../ledger/ledger.service';
import { formatMinor } from '../../shared/minor-units';
import type { Notifier } from './billing.notifier';
import { purchaseBuckets, RetryLater, withPaymentLock, type Outcome, type PaymentEventHandler } from './payment-credits';
import { idOf } from './stripe.client';

/** What the disputes need of the Stripe webhook service: its database, ledger and log, how it records an event and notifies. */
export interface DisputeContext {
  sql: Sql;
  ledger: LedgerService;
  log: Logger;
  /** The Stripe API (null when billing is not configured): asked whether a payment is a pack bought through Checkout. */
  stripe: Stripe | null;
  record(event: Stripe.Event, accountId: string | null, outcome: Outcome): Promise<Outcome>;
  notify(...args: Parameters<Notifier['notify']>): Promise<void>;
  /** The auto top-up handler, once registered. */
  paymentEvents(): PaymentEventHandler | null;
}

/**
 * Disputes (chargebacks) as Stripe reports them to `POST /webhooks/stripe`: the money a dispute
 * withdrew takes the credits it bought, and reinstated money gives them back (docs/billing.md).
 * Each dispute has a `billing_dispute` row (billing-dispute.entity.ts) that makes each step
 * happen once.
 */
export class StripeDisputes {
  constructor(private readonly ctx: DisputeContext) {}

  /**
   * A dispute took the payment's money back: the credits it bought are removed like a refund of
   * the disputed amount (purchased credits * disputed / paid, rounded down, at most what refunds
   * and other disputes have not already removed), only from what is neither spent nor held. Each
   * step happens once however the event is repeated (billing-dispute.entity.ts): the dispute row
   * first, then the removal (resumed under per-bucket keys), then auto top-up is turned off and
   * the customer told. A card whose holder disputes charges is not charged again unasked.
   */
  async fundsWithdrawn(event: Stripe.Event, d: Stripe.Dispute): Promise<Outcome> {
    const pi = idOf(d.payment_intent);
    if (!pi) return this.ctx.record(event, null, 'IGNORED');
    return withPaymentLock(this.ctx.sql, pi, () => this.removeDisputedCredits(event, d, pi));
  }

  private async removeDisputedCredits(event: Stripe.Event, d: Stripe.Dispute, pi: string): Promise<Outcome> {
    const buckets = await purchaseBuckets(this.ctx.sql, pi);
    if (buckets.length === 0) {
      // A top-up or pack whose payment has not been credited yet: wait for its credits. Anything
      // else bought no credits here.
      if (await this.awaitsCredit(pi)) throw new RetryLater(`dispute ${d.id}: payment ${pi} not credited yet`);
      return this.ctx.record(event, null, 'IGNORED');
    }
    const accountId = buckets[0].account_id;
    const dispute = await this.disputeRow(d, accountId, pi);
    if (dispute.reinstated_at !== null) return this.ctx.record(event, accountId, 'STALE'); // decided already: its credits are back
    const totals = await this.disputeTotals(accountId, pi, d.id);
    const disputed = totals.paid > 0n && BigInt(d.amount) < totals.paid ? BigInt(d.amount) : totals.paid;
    const target = totals.paid > 0n ? (totals.purchased * disputed) / totals.paid : totals.purchased;
    // Credits a refund Stripe refused because of this dispute kept removed for it are this
    // dispute's, not another removal's (else a repeated delivery would take them twice).
    const kept = BigInt(dispute.refund_credits_kept);
    const removable = totals.purchased - (totals.removedByOthers - kept);
    const wanted = target < removable ? target : removable;
    const amount = `${formatMinor(BigInt(d.amount), d.currency)} ${d.currency.toUpperCase()}`;
    await this.ctx.sql.query('update billing_dispute set credits_owed = ? where id = ?', [wanted.toString(), d.id]);
    let removed = totals.removedByThis + kept; // an earlier delivery may have removed part before it stopped
    for (const b of buckets) {
      if (removed >= wanted) break;
      if (BigInt(b.remaining) === 0n) continue;
      const debit = await this.ctx.ledger.debitForRefund(accountId, {
        bucketId: b.id,
        credits: wanted - removed,
        idempotencyKey: `stripe:dispute:${d.id}:${b.id}`,
        description: `Payment disputed with the bank: ${amount}`,
        metadata: { source: 'stripe-dispute', paymentIntentId: pi, chargeId: idOf(d.charge), disputeId: d.id, eventId: event.id },
      });
      if (!debit.replayed) removed += debit.debited;
    }
    // What the dispute could not take: in a customer's refund still pending (kept for the dispute
    // if Stripe refuses that refund because of it, billing.refunds.ts), else already used.
    const missing = wanted > removed ? wanted - removed : 0n;
    const inPendingRefund = missing < totals.pendingRefunds ? missing : totals.pendingRefunds;
    const alreadyUsed = missing - inPendingRefund;
    if (alreadyUsed > 0n) this.ctx.log.warn({ accountId, paymentIntentId: pi, disputeId: d.id, missing: formatCredits(alreadyUsed) }, 'disputed credits were already spent or held; could not remove them all');
    // Announced before the event is recorded: a failed announcement fails the delivery (500), and
    // Stripe's retry, which a recorded event id would answer DUPLICATE, announces again.
    if (dispute.announced_at === null) await this.announceDispute(accountId, d, pi, amount, { removed, alreadyUsed, inPendingRefund });
    await this.ctx.record(event, accountId, 'APPLIED');
    return 'APPLIED';
  }

  /**
   * Whether a payment with no credits here yet will bring some: a top-up still waiting for its
   * `payment_intent.succeeded` (auto top-up knows, by the intent's id or, when the create answer
   * was lost, by the attempt the intent's metadata names), or a pack paid through Checkout whose
   * `checkout.session.completed` has not been applied yet (its delivery failed and Stripe sends it
   * again). Only Stripe knows the latter: the Checkout puts the account and pack on the payment
   * intent (billing.service.ts). A dispute applied before those credits would find nothing to
   * remove and the customer would keep the credits and the money.
   */
  private async awaitsCredit(pi: string): Promise<boolean> {
    if (await this.ctx.paymentEvents()?.awaitsCredit(pi)) return true;
    const stripe = this.ctx.stripe;
    if (!stripe) return false;
    let intent: Stripe.PaymentIntent;
    try {
      intent = await stripe.paymentIntents.retrieve(pi);
    } catch (err) {
      // Not Stripe's payment (another account's object, deleted test data): nothing was bought here.
      // Any other failure is answered 500 and the event retried.
      if (err instanceof Stripe.errors.StripeInvalidRequestError && err.statusCode === 404) return false;
      throw err;
    }
    const { accountId, packId, autoTopUpAttemptId } = intent.metadata ?? {};
    if (intent.status !== 'succeeded' || !accountId) return false;
    // A top-up whose attempt never learnt this intent's id (the create answer was lost).
    if (autoTopUpAttemptId) return (await this.ctx.paymentEvents()?.awaitsCredit(pi, autoTopUpAttemptId)) ?? false;
    return Boolean(packId);
  }

  /** The dispute's row, written on its first withdrawal (kept as it is on a repeat). */
  private async disputeRow(d: Stripe.Dispute, accountId: string, pi: string) {
    await this.ctx.sql.query(
      `insert into billing_dispute (id, account_id, payment_intent_id, amount_minor, currency) values (?, ?, ?, ?, ?) on conflict (id) do nothing`,
      [d.id, accountId, pi, String(d.amount), d.currency],
    );
    const [row] = await this.ctx.sql.query<{ announced_at: Date | null; reinstated_at: Date | null; refund_credits_kept: string }>(
      'select announced_at, reinstated_at, refund_credits_kept::text from billing_dispute where id = ?',
      [d.id],
    );
    return row;
  }

  /**
   * Turns auto top-up off and tells the customer, then marks the dispute announced: at least once
   * (a failure before the mark repeats both on Stripe's retry, which turns off what is off and may
   * send a second message).
   */
  private async announceDispute(
    accountId: string,
    d: Stripe.Dispute,
    pi: string,
    amount: string,
    { removed, alreadyUsed, inPendingRefund }: { removed: bigint; alreadyUsed: bigint; inPendingRefund: bigint },
  ): Promise<void> {
    // Not caught: if auto top-up cannot be turned off now, the delivery fails (500) and Stripe's
    // retry announces again; the dispute is only marked announced once it is off.
    const paused = (await this.ctx.paymentEvents()?.paymentDisputed(accountId, amount)) ?? false;
    // "70 credits bought with it were removed; 30 more had already been used", or, with nothing
    // removed, "the 100 credits bought with it are in your refund still being processed".
    const parts: string[] = [];
    const some = (credits: bigint, what: string) => parts.push(parts.length > 0 ? `${formatCredits(credits)} more ${what}` : `the ${formatCredits(credits)} credits bought with it ${what}`);
    if (removed > 0n || (alreadyUsed === 0n && inPendingRefund === 0n)) parts.push(`${formatCredits(removed)} credits bought with it were removed`);
    if (inPendingRefund > 0n) some(inPendingRefund, 'are in your refund still being processed');
    if (alreadyUsed > 0n) some(alreadyUsed, 'had already been used');
    const what = parts.join('; ');
    await this.ctx.notify(
      accountId,
      'PAYMENT_DISPUTED',
      'Payment disputed',
      `A payment of ${amount} was disputed with your bank: ${what}.${paused ? ' Auto top-up was turned off; turn it on again in its settings to have your card charged again.' : ''}`,
      {
        paymentIntentId: pi,
        chargeId: idOf(d.charge),
        disputeId: d.id,
        reason: d.reason,
        amount,
        credits: formatCredits(removed),
        inPendingRefund: formatCredits(inPendingRefund),
        alreadyUsed: formatCredits(alreadyUsed),
        autoTopUpTurnedOff: paused,
      },
    );
    await this.ctx.sql.query('update billing_dispute set announced_at = now() where id = ? and announced_at is null', [d.id]);
  }

  /**
   * The dispute was decided for the merchant and its money reinstated: the payment stands, so the
   * credits its dispute removed come back (an ADJUSTMENT into a new never-expiring bucket on the
   * same payment intent, as when Stripe refuses a refund), once. Before its withdrawal was applied
   * it is answered 500, so Stripe sends it again after. Auto top-up stays off until the customer
   * turns it on.
   */
  async fundsReinstated(event: Stripe.Event, d: Stripe.Dispute): Promise<Outcome> {
    const pi = idOf(d.payment_intent);
    if (!pi) return this.ctx.record(event, null, 'IGNORED');
    return withPaymentLock(this.ctx.sql, pi, async () => {
      const [dispute] = await this.ctx.sql.query<{ account_id: string; reinstated_at: Date | null; refund_credits_kept: string }>(
        'select account_id, reinstated_at, refund_credits_kept::text from billing_dispute where id = ?',
        [d.id],
      );
      if (!dispute) {
        if ((await purchaseBuckets(this.ctx.sql, pi)).length > 0 || (await this.awaitsCredit(pi))) throw new RetryLater(`dispute ${d.id}: its withdrawal is not applied yet`);
        return this.ctx.record(event, null, 'IGNORED');
      }
      const accountId = dispute.account_id;
      if (dispute.reinstated_at !== null) return this.ctx.record(event, accountId, 'STALE');
      const totals = await this.disputeTotals(accountId, pi, d.id);
      // What the dispute took, and what a refund it made Stripe refuse kept removed for it.
      const credits = totals.removedByThis - totals.restoredByThis + BigInt(dispute.refund_credits_kept);
      const amount = `${formatMinor(BigInt(d.amount), d.currency)} ${d.currency.toUpperCase()}`;
      if (credits > 0n) {
        await this.ctx.ledger.restoreRefundedCredits(accountId, {
          credits,
          idempotencyKey: `stripe:dispute:${d.id}:reinstated`,
          description: `Dispute closed, payment stands (${amount}): ${formatCredits(credits)} credits restored`,
          paymentIntentId: pi,
          amountPaidMinor: (totals.purchased > 0n ? (totals.paid * credits) / totals.purchased : 0n).toString(),
          currency: d.currency,
          metadata: { source: 'stripe-dispute-reinstated', paymentIntentId: pi, chargeId: idOf(d.charge), disputeId: d.id, eventId: event.id },
        });
      }
      await this.ctx.sql.query('update billing_dispute set reinstated_at = now() where id = ?', [d.id]);
      await this.ctx.record(event, accountId, 'APPLIED');
      if (credits > 0n) {
        await this.ctx.notify(
          accountId,
          'DISPUTED_CREDITS_RESTORED',
          'Disputed credits restored',
          `The dispute of your ${amount} payment was closed and the payment stands: the ${formatCredits(credits)} credits removed when it was disputed are back.`,
          { paymentIntentId: pi, chargeId: idOf(d.charge), disputeId: d.id, amount, credits: formatCredits(credits) },
        );
      }
      return 'APPLIED';
    });
  }

  /**
   * What a payment bought and what has moved since, from the ledger: credits purchased, the money
   * the purchase paid (its first bucket), credits removed by refunds and other disputes net of
   * what was given back (a customer's refund still pending returned no money yet: counted apart),
   * and what this dispute removed and restored.
   */
  private async disputeTotals(accountId: string, pi: string, disputeId: string) {
    const [row] = await this.ctx.sql.query<{ purchased: string; paid: string | null; removed_by_others: string; pending_refunds: string; removed_by_this: string; restored_by_this: string }>(
      `with moves as (
         select kind, amount, metadata->>'disputeId' as dispute_id, metadata->>'refundId' as refund_id from ledger_transaction
          where account_id = ? and kind in ('PURCHASE', 'REFUND', 'ADJUSTMENT') and metadata->>'paymentIntentId' = ?),
       pending as (select id::text as refund_id from billing_refund where payment_intent_id = ? and status = 'PENDING')
       select (select coalesce(sum(amount), 0) from moves where kind = 'PURCHASE')::text as purchased,
              (select amount_paid_minor from credit_bucket where payment_intent_id = ? and source = 'PURCHASE' order by created_at, id limit 1)::text as paid,
              (select coalesce(sum(-amount), 0) from moves where kind in ('REFUND', 'ADJUSTMENT') and dispute_id is distinct from ?
                  and (refund_id is null or refund_id not in (select refund_id from pending)))::text as removed_by_others,
              (select coalesce(sum(-amount), 0) from moves where kind = 'REFUND' and refund_id in (select refund_id from pending))::text as pending_refunds,
              (select coalesce(sum(-amount), 0) from moves where kind = 'REFUND' and dispute_id = ?)::text as removed_by_this,
              (select coalesce(sum(amount), 0) from moves where kind = 'ADJUSTMENT' and dispute_id = ?)::text as restored_by_this`,
      [accountId, pi, pi, pi, disputeId, disputeId, disputeId],
    );
    return {
      purchased: BigInt(row.purchased),
      paid: BigInt(row.paid ?? 0),
      removedByOthers: BigInt(row.removed_by_others),
      /** Credits a customer's refund removed while Stripe has not confirmed it (no money returned yet). */
      pendingRefunds: BigInt(row.pending_refunds),
      removedByThis: BigInt(row.removed_by_this),
      restoredByThis: BigInt(row.restored_by_this),
    };
  }
}
