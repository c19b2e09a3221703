import Stripe from 'stripe';
import { formatCredits } from '../../shared/money';
import { formatMinor } from '../../shared/minor-units';
import type { DisputeContext } from './billing.disputes';
import { purchaseBuckets, RetryLater, withPaymentLock, type Outcome } from './payment-credits';
import { idOf } from './stripe.client';

/** What refunds made outside this service need of the Stripe webhook service: as disputes, and how it finds an event's account. */
export interface ExternalRefundContext extends Omit<DisputeContext, 'paymentEvents'> {
  accountOf(metadata: Record<string, string> | null | undefined, clientReferenceId: string | null | undefined, customerId: string | null): Promise<string | null>;
}

/**
 * Refunds made outside this service (the Stripe dashboard, Stripe's API) as `charge.refunded`
 * reports them to `POST /webhooks/stripe`: the credits they paid back are removed, once
 * (docs/billing.md, Refunds).
 */
export class StripeExternalRefunds {
  constructor(private readonly ctx: ExternalRefundContext) {}

  /**
   * A refund made in the Stripe dashboard (or anywhere but `requestRefund`) removes the
   * credits it paid back. `charge.amount_refunded` is cumulative, so the credits to remove
   * are computed from totals, not from this one event: what the external refunds are worth
   * (purchased credits * external amount / charge amount, rounded down) minus what earlier
   * events already removed. Refunds made by `requestRefund` are excluded (their credits were
   * removed before Stripe was called). Credits already spent cannot be removed; that shortfall
   * is logged. Events for one payment intent are serialized by an advisory lock; a
   * concurrent one is answered 500 and retried by Stripe.
   */
  async chargeRefunded(event: Stripe.Event, ch: Stripe.Charge): Promise<Outcome> {
    const pi = idOf(ch.payment_intent);
    if (!pi) return this.ctx.record(event, null, 'IGNORED');
    return withPaymentLock(this.ctx.sql, pi, () => this.applyExternalRefund(event, ch, pi));
  }

  /**
   * After Stripe refused one of this service's refunds for good (billing.refunds.ts): refunds
   * made outside it are looked at again. While that refund was PENDING, `charge.refunded`
   * counted it as this service's own and may have found nothing external to remove; refused
   * (say, because the payment was refunded in the dashboard meanwhile), it paid nothing, so what
   * the charge shows refunded is external after all. Applied as that event would be, under the
   * same ledger keys, and recorded as `refund-refused:<refund id>`. A payment Stripe does not
   * know, or one with nothing refunded, changes nothing.
   */
  async afterRefusal(refundId: string, pi: string): Promise<void> {
    if (!this.ctx.stripe) return;
    let intent: Stripe.PaymentIntent;
    try {
      intent = await this.ctx.stripe.paymentIntents.retrieve(pi, { expand: ['latest_charge'] });
    } catch (err) {
      if (err instanceof Stripe.errors.StripeInvalidRequestError && err.statusCode === 404) return;
      throw err;
    }
    const charge = intent.latest_charge;
    if (!charge || typeof charge === 'string' || !charge.amount_refunded) return;
    const event = { id: `refund-refused:${refundId}`, type: 'charge.refunded', created: Math.floor(Date.now() / 1000), data: { object: charge } } as unknown as Stripe.Event;
    // Nobody retries this: a delivery of this payment holding its lock is waited for.
    await withPaymentLock(this.ctx.sql, pi, () => this.applyExternalRefund(event, charge, pi), { wait: true });
  }

  private async applyExternalRefund(event: Stripe.Event, ch: Stripe.Charge, pi: string): Promise<Outcome> {
    const buckets = await purchaseBuckets(this.ctx.sql, pi);
    if (buckets.length === 0) {
      // A pack purchase of ours (its metadata names the pack) not credited yet: events out of
      // order, so retry later. Anything else (a plan invoice's charge, another product) is not
      // a purchase of credits: nothing to remove.
      if (ch.metadata?.packId && (await this.ctx.accountOf(ch.metadata, null, idOf(ch.customer)))) throw new RetryLater(`charge ${ch.id}: purchase ${pi} not credited yet`);
      return this.ctx.record(event, null, 'IGNORED');
    }
    const accountId = buckets[0].account_id;
    const [totals] = await this.ctx.sql.query<{ purchased: string; own_minor: string; removed: string }>(
      `select
         (select coalesce(sum(amount), 0) from ledger_transaction where account_id = ? and kind = 'PURCHASE' and metadata->>'paymentIntentId' = ?)::text as purchased,
         (select coalesce(sum(amount_minor), 0) from billing_refund where payment_intent_id = ? and status <> 'FAILED')::text as own_minor,
         (select coalesce(sum(-amount), 0) from ledger_transaction where account_id = ? and kind = 'REFUND' and metadata->>'paymentIntentId' = ? and metadata->>'source' = 'stripe')::text as removed`,
      [accountId, pi, pi, accountId, pi],
    );
    const externalMinor = BigInt(ch.amount_refunded) - BigInt(totals.own_minor);
    if (externalMinor <= 0n || ch.amount <= 0) return this.ctx.record(event, accountId, 'IGNORED');
    const target = (BigInt(totals.purchased) * (externalMinor > BigInt(ch.amount) ? BigInt(ch.amount) : externalMinor)) / BigInt(ch.amount);
    let toRemove = target - BigInt(totals.removed);
    const keyPrefix = `stripe:refund:${ch.id}:${ch.amount_refunded}:`;
    if (toRemove <= 0n) {
      // Its debits may have committed just before the process stopped: announced again, once.
      await this.announceExternalRefund(accountId, pi, ch, keyPrefix, buckets.length);
      return this.ctx.record(event, accountId, 'STALE');
    }
    let n = 0;
    for (const b of buckets) {
      if (toRemove <= 0n) break;
      if (BigInt(b.remaining) === 0n) continue;
      const debit = await this.ctx.ledger.debitForRefund(accountId, {
        bucketId: b.id,
        credits: toRemove,
        idempotencyKey: `${keyPrefix}${n++}`,
        description: `Refunded through Stripe: ${formatMinor(externalMinor, ch.currency)} ${ch.currency.toUpperCase()}`,
        metadata: { source: 'stripe', paymentIntentId: pi, chargeId: ch.id, eventId: event.id },
      });
      toRemove -= debit.debited;
    }
    if (toRemove > 0n) this.ctx.log.warn({ accountId, paymentIntentId: pi, missing: formatCredits(toRemove) }, 'refunded credits were already spent or held; could not remove them all');
    await this.announceExternalRefund(accountId, pi, ch, keyPrefix, buckets.length);
    await this.ctx.record(event, accountId, 'APPLIED');
    return 'APPLIED';
  }

  /**
   * REFUND_COMPLETED for the credits a refund made outside this service removed: its debits (one
   * key per purchase bucket, `keyPrefix` and the bucket's place), announced with the prefix as the
   * effect key, so a retry after a crash writes the message the crash lost and never a second one.
   * Nothing removed, no message.
   */
  private async announceExternalRefund(accountId: string, pi: string, ch: Stripe.Charge, keyPrefix: string, bucketCount: number): Promise<void> {
    const keys = Array.from({ length: bucketCount }, (_, n) => `${keyPrefix}${n}`);
    const [removed] = await this.ctx.sql.query<{ credits: string }>(
      `select coalesce(sum(-amount), 0)::text as credits from ledger_transaction where account_id = ? and kind = 'REFUND' and idempotency_key = any(?::text[])`,
      [accountId, keys],
    );
    const credits = BigInt(removed.credits);
    if (credits === 0n) return;
    const data = { paymentIntentId: pi, chargeId: ch.id, credits: formatCredits(credits) };
    await this.ctx.notify(accountId, 'REFUND_COMPLETED', 'Refund completed', `A refund of your purchase removed ${formatCredits(credits)} credits.`, data, keyPrefix);
  }
}
