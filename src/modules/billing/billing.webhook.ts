import type { PoolClient } from 'pg';
import Stripe from 'stripe';
import type { Config } from '../../config';
import type { Sql } from '../../db/sql';
import { ErrorCode } from '../../shared/errors';
import type { Logger } from '../../shared/logger';
import { formatCredits, parseCredits } from '../../shared/money';
import type { LedgerService } from '../ledger/ledger.service';
import { formatMinor, type BillingCatalog } from './billing.catalog';
import { notifySafely, type Notifier } from './billing.notifier';
import { idOf } from './stripe.client';

/*
 * Stripe webhooks: `POST /webhooks/stripe`.
 *
 * A Stripe event is applied at most once, and a purchase is credited only for a verified,
 * paid event (docs/invariants.md #7).
 *  - Verified: the raw body and `Stripe-Signature` header go through
 *    `Stripe.webhooks.constructEvent` (default 300-second tolerance); anything else is 400
 *    and changes nothing.
 *  - At most once, for effects that move credits: the ledger runs its own transaction, so
 *    the event row cannot share it. Instead each credit movement carries an idempotency key
 *    derived from the Stripe object it comes from (`stripe:checkout:<session>`,
 *    `stripe:invoice:<invoice>`, `stripe:refund:<charge>:<amount refunded>:<n>`). The ledger
 *    applies a key at most once per account, forever, under the wallet lock (docs/invariants.md #4),
 *    so the key IS the atomic "event recorded + effect" marker: a duplicate or concurrent
 *    delivery of the same event (or a different event about the same object, e.g.
 *    `checkout.session.completed` then `async_payment_succeeded`) finds the key and is a
 *    no-op. The `stripe_event` row is written after the ledger committed; if the process
 *    dies in between, Stripe's retry re-runs the handler, which replays the key harmlessly.
 *  - At most once, for plain database effects (plan changes): the `stripe_event` insert
 *    and the change share one transaction; the event id is the primary key.
 *  - Out of order: plan changes only apply if the event is at least as new as the last one
 *    applied to that subscription; an invoice for a period that has already ended, or older
 *    than the current allocation, grants nothing; refunds are applied by cumulative amount.
 *  - Unknown types are acknowledged (200) and ignored. Failures are 500 so Stripe retries.
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
  /** Whether a payment intent is one this handler started and will credit (a top-up not credited yet). */
  awaitsCredit(paymentIntentId: string): Promise<boolean>;
}

/** An answer that applies nothing, as `{ errors: [{ message, extensions: { code } }] }` like every other route. */
const refusal = (status: number, code: ErrorCode, message: string) => ({ status, body: { errors: [{ message, extensions: { code } }] } });

/** Thrown when an event cannot be applied yet (its prerequisite has not arrived); answered 500 so Stripe retries. */
class RetryLater extends Error {}

const LIVE_SUBSCRIPTION = ['active', 'trialing', 'past_due'];

export class StripeWebhookService {
  private paymentEvents: PaymentEventHandler | null = null;

  constructor(
    private readonly sql: Sql,
    private readonly config: Config,
    private readonly catalog: BillingCatalog,
    private readonly ledger: LedgerService,
    private readonly log: Logger,
    private readonly notifier: () => Notifier | undefined,
  ) {}

  /** Registers the handler of payment_intent.* and setup_intent.succeeded (unset: they are acknowledged and ignored). */
  usePaymentEvents(handler: PaymentEventHandler): void {
    this.paymentEvents = handler;
  }

  /** Verifies and applies one delivery; returns the HTTP status and body to answer (errors in the API's one error shape). */
  async handle(rawBody: Buffer | undefined, signature: string | undefined): Promise<{ status: number; body: Record<string, unknown> }> {
    const secret = this.config.stripe.webhookSecret;
    if (!secret) return refusal(503, ErrorCode.BILLING_NOT_CONFIGURED, 'Stripe webhooks are not configured (STRIPE_WEBHOOK_SECRET)');
    if (!Buffer.isBuffer(rawBody) || rawBody.length === 0 || !signature) return refusal(400, ErrorCode.BAD_USER_INPUT, 'Missing body or Stripe-Signature header');
    let event: Stripe.Event;
    try {
      event = Stripe.webhooks.constructEvent(rawBody, signature, secret);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'Stripe webhook rejected: bad signature');
      return refusal(400, ErrorCode.BAD_USER_INPUT, 'Invalid signature');
    }
    try {
      const outcome = await this.apply(event);
      return { status: 200, body: { received: true, outcome } };
    } catch (err) {
      this.log.error({ err, eventId: event.id, type: event.type }, 'Stripe webhook failed; Stripe will retry');
      return refusal(500, ErrorCode.INTERNAL_SERVER_ERROR, 'Processing failed; retry later');
    }
  }

  async apply(event: Stripe.Event): Promise<Outcome> {
    const seen = await this.sql.query('select outcome from stripe_event where id = ?', [event.id]);
    if (seen.length > 0) return 'DUPLICATE';
    switch (event.type) {
      case 'checkout.session.completed':
      case 'checkout.session.async_payment_succeeded':
        return this.checkoutCompleted(event, event.data.object);
      case 'invoice.paid':
        return this.invoicePaid(event, event.data.object);
      case 'customer.subscription.created':
      case 'customer.subscription.updated':
      case 'customer.subscription.deleted':
        return this.subscriptionChanged(event, event.data.object);
      case 'charge.refunded':
        return this.chargeRefunded(event, event.data.object);
      case 'charge.dispute.funds_withdrawn':
        return this.disputeFundsWithdrawn(event, event.data.object);
      case 'charge.dispute.funds_reinstated':
        return this.disputeFundsReinstated(event, event.data.object);
      case 'payment_intent.succeeded':
      case 'payment_intent.payment_failed':
      case 'setup_intent.succeeded':
        return this.paymentEvent(event);
      default:
        return this.record(event, null, 'IGNORED');
    }
  }

  private async paymentEvent(event: Stripe.Event): Promise<Outcome> {
    if (!this.paymentEvents) return this.record(event, null, 'IGNORED');
    const { accountId, outcome } = await this.paymentEvents.handle(event);
    return this.record(event, accountId, outcome);
  }

  // ---------------------------------------------------------------- purchases

  private async checkoutCompleted(event: Stripe.Event, s: Stripe.Checkout.Session): Promise<Outcome> {
    const accountId = await this.accountOf(s.metadata, s.client_reference_id, idOf(s.customer));
    if (s.mode === 'subscription') {
      // The plan itself arrives with customer.subscription.* and invoice.paid; this only links it early.
      const subId = idOf(s.subscription);
      const planId = s.metadata?.planId;
      if (!accountId || !subId || !planId || !this.catalog.plan(planId) || s.status !== 'complete') return this.record(event, accountId, 'IGNORED');
      return this.inTransaction(event, accountId, (c) => this.upsertSubscription(c, subId, accountId, planId, 'active', event.created));
    }
    // Credits only for a paid session: "completed" with a delayed payment method is unpaid
    // until checkout.session.async_payment_succeeded.
    if (s.mode !== 'payment' || s.payment_status !== 'paid') return this.record(event, accountId, 'IGNORED');
    if (!accountId) {
      // Not a session this service created (no account of ours): another product on the same Stripe account.
      this.log.warn({ eventId: event.id, session: s.id }, 'paid checkout session for no known account; ignored');
      return this.record(event, null, 'IGNORED');
    }
    const packId = s.metadata?.packId ?? '';
    const pack = this.catalog.pack(packId);
    const credits = s.metadata?.credits ? parseCredits(s.metadata.credits) : pack?.credits;
    if (!credits || credits <= 0n) throw new Error(`checkout session ${s.id} names unknown pack "${packId}"`);
    const paymentIntentId = idOf(s.payment_intent);
    const currency = s.currency ?? pack?.currency ?? 'usd';
    const amountPaid = s.amount_total ?? pack?.priceMinor ?? 0;
    const r = await this.ledger.grantPurchase(accountId, {
      credits,
      description: `Purchased ${pack?.name ?? `${formatCredits(credits)} credits`}`,
      idempotencyKey: `stripe:checkout:${s.id}`,
      paymentIntentId,
      amountPaidMinor: String(amountPaid),
      currency,
      metadata: { source: 'stripe', checkoutSessionId: s.id, paymentIntentId, packId, eventId: event.id },
    });
    await this.record(event, accountId, 'APPLIED');
    if (!r.replayed) {
      await this.notify(accountId, 'PURCHASE_COMPLETED', 'Purchase completed', `${formatCredits(credits)} credits were added to your wallet.`, {
        packId,
        credits: formatCredits(credits),
        amount: formatMinor(amountPaid, currency),
        currency,
        paymentIntentId,
        bucketId: r.bucketId,
        // Lets the page Stripe sends the customer back to recognise its own purchase.
        checkoutSessionId: s.id,
      });
    }
    return 'APPLIED';
  }

  // ---------------------------------------------------------------- plans

  private async invoicePaid(event: Stripe.Event, inv: Stripe.Invoice): Promise<Outcome> {
    // API 2025+: parent.subscription_details; older payloads: invoice.subscription(_details).
    const legacy = inv as unknown as { subscription?: string | { id: string } | null; subscription_details?: { metadata?: Record<string, string> | null } | null };
    const details = inv.parent?.subscription_details ?? null;
    const subId = idOf((details?.subscription as string | { id: string } | null | undefined) ?? legacy.subscription ?? null);
    if (!subId) return this.record(event, null, 'IGNORED'); // a one-off invoice, not a plan
    const meta = details?.metadata ?? legacy.subscription_details?.metadata ?? {};
    const known = await this.sql.query<{ account_id: string; plan_id: string | null }>('select account_id, plan_id from stripe_subscription where id = ?', [subId]);
    const accountId = (await this.accountOf(meta, null, idOf(inv.customer))) ?? known[0]?.account_id ?? null;
    if (!accountId) {
      // Our subscriptions carry accountId in their metadata and our customers are stored at checkout.
      this.log.warn({ eventId: event.id, invoice: inv.id }, 'paid subscription invoice for no known account; ignored');
      return this.record(event, null, 'IGNORED');
    }
    const lines = inv.lines?.data ?? [];
    const linePrice = lines
      .map((l) => (l as unknown as { pricing?: { price_details?: { price?: string } }; price?: { id: string } | null }))
      .map((l) => l.pricing?.price_details?.price ?? l.price?.id)
      .find(Boolean);
    const plan = this.catalog.plan(meta.planId ?? '') ?? this.catalog.planByStripePrice(linePrice) ?? this.catalog.plan(known[0]?.plan_id ?? '');
    if (!plan) throw new Error(`invoice ${inv.id}: subscription ${subId} is for no known plan`);

    // The period paid for: the latest line period (invoice.period_* is the previous period for renewals).
    const periodEndSec = Math.max(...lines.map((l) => l.period?.end ?? 0), 0) || inv.period_end;
    const periodEnd = new Date(periodEndSec * 1000);
    const walletId = await this.ledger.walletIdOf(accountId);
    // Out of order: an invoice for a period already over, or older than the allocation the
    // wallet already has, must not replace the newer allocation.
    const newer = await this.sql.query(
      `select 1 from credit_bucket where wallet_id = ? and source = 'PLAN_ALLOCATION' and expires_at > ? limit 1`,
      [walletId, periodEnd],
    );
    let outcome: Outcome = 'STALE';
    let replayed = true;
    if (periodEnd.getTime() > Date.now() && newer.length === 0) {
      // What is left of the previous allocation expires in the same ledger transaction (no
      // rollover); purchased and other buckets are untouched.
      const r = await this.ledger.allocatePlanCredits(accountId, {
        credits: plan.monthlyCredits,
        expiresAt: periodEnd,
        description: `${plan.name} plan: ${formatCredits(plan.monthlyCredits)} credits until ${periodEnd.toISOString().slice(0, 10)}`,
        idempotencyKey: `stripe:invoice:${inv.id}`,
        metadata: { source: 'stripe', invoiceId: inv.id, subscriptionId: subId, planId: plan.id, eventId: event.id, expiresAt: periodEnd.toISOString() },
      });
      replayed = r.replayed;
      outcome = 'APPLIED';
    }
    await this.inTransaction(event, accountId, (c) => this.upsertSubscription(c, subId, accountId, plan.id, 'active', event.created), outcome);
    if (!replayed) {
      await this.notify(accountId, 'PLAN_RENEWED', `${plan.name} plan renewed`, `${formatCredits(plan.monthlyCredits)} plan credits are available until ${periodEnd.toISOString().slice(0, 10)}.`, {
        planId: plan.id,
        credits: formatCredits(plan.monthlyCredits),
        expiresAt: periodEnd.toISOString(),
        invoiceId: inv.id,
      });
    }
    return outcome;
  }

  private async subscriptionChanged(event: Stripe.Event, sub: Stripe.Subscription): Promise<Outcome> {
    const known = await this.sql.query<{ account_id: string; plan_id: string | null }>('select account_id, plan_id from stripe_subscription where id = ?', [sub.id]);
    const accountId = (await this.accountOf(sub.metadata, null, idOf(sub.customer))) ?? known[0]?.account_id ?? null;
    if (!accountId) return this.record(event, null, 'IGNORED'); // not one of our customers
    const priceId = sub.items?.data?.[0]?.price?.id;
    const plan = this.catalog.plan(sub.metadata?.planId ?? '') ?? this.catalog.planByStripePrice(priceId) ?? this.catalog.plan(known[0]?.plan_id ?? '');
    const status = event.type === 'customer.subscription.deleted' ? 'canceled' : sub.status;
    return this.inTransaction(event, accountId, (c) => this.upsertSubscription(c, sub.id, accountId, plan?.id ?? null, status, event.created));
  }

  /**
   * Keeps the newest known state of a subscription (an older event never overwrites a newer
   * one) and derives the account's plan from its live subscriptions, in the caller's transaction.
   */
  private async upsertSubscription(c: PoolClient, subId: string, accountId: string, planId: string | null, status: string, eventCreated: number): Promise<Outcome> {
    const at = new Date(eventCreated * 1000);
    const up = await c.query(
      `insert into stripe_subscription (id, account_id, plan_id, status, last_event_at, updated_at) values ($1, $2, $3, $4, $5, now())
       on conflict (id) do update set plan_id = coalesce(excluded.plan_id, stripe_subscription.plan_id), status = excluded.status,
              last_event_at = excluded.last_event_at, updated_at = now()
        where stripe_subscription.last_event_at <= excluded.last_event_at
       returning 1`,
      [subId, accountId, planId, status, at],
    );
    await c.query(
      `update account set plan_id = (select s.plan_id from stripe_subscription s where s.account_id = $1 and s.status = any($2::text[]) and s.plan_id is not null
                                      order by s.last_event_at desc limit 1), updated_at = now()
        where id = $1`,
      [accountId, LIVE_SUBSCRIPTION],
    );
    return up.rowCount ? 'APPLIED' : 'STALE';
  }

  // ---------------------------------------------------------------- refunds made outside this service

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
  private async chargeRefunded(event: Stripe.Event, ch: Stripe.Charge): Promise<Outcome> {
    const pi = idOf(ch.payment_intent);
    if (!pi) return this.record(event, null, 'IGNORED');
    return this.withPaymentLock(pi, () => this.applyExternalRefund(event, ch, pi));
  }

  /**
   * Serializes what removes or restores the credits of one payment intent (refunds, disputes):
   * each computes from totals the others change. A concurrent delivery is answered 500 and
   * retried by Stripe.
   */
  private async withPaymentLock(pi: string, apply: () => Promise<Outcome>): Promise<Outcome> {
    const lock = await this.sql.acquire();
    try {
      const got = await lock.query(`select pg_try_advisory_lock(hashtext($1)) as ok`, [`stripe-refund:${pi}`]);
      if (!got.rows[0].ok) throw new RetryLater(`credits of ${pi} are being changed by another delivery`);
      try {
        return await apply();
      } finally {
        await lock.query(`select pg_advisory_unlock(hashtext($1))`, [`stripe-refund:${pi}`]);
      }
    } finally {
      this.sql.release(lock);
    }
  }

  private async applyExternalRefund(event: Stripe.Event, ch: Stripe.Charge, pi: string): Promise<Outcome> {
    const buckets = await this.sql.query<{ id: string; account_id: string; remaining: string }>(
      `select b.id, w.account_id, b.remaining::text from credit_bucket b join wallet w on w.id = b.wallet_id
        where b.payment_intent_id = ? and b.source = 'PURCHASE' order by b.created_at, b.id`,
      [pi],
    );
    if (buckets.length === 0) {
      // A pack purchase of ours (its metadata names the pack) not credited yet: events out of
      // order, so retry later. Anything else (a plan invoice's charge, another product) is not
      // a purchase of credits: nothing to remove.
      if (ch.metadata?.packId && (await this.accountOf(ch.metadata, null, idOf(ch.customer)))) throw new RetryLater(`charge ${ch.id}: purchase ${pi} not credited yet`);
      return this.record(event, null, 'IGNORED');
    }
    const accountId = buckets[0].account_id;
    const [totals] = await this.sql.query<{ purchased: string; own_minor: string; removed: string }>(
      `select
         (select coalesce(sum(amount), 0) from ledger_transaction where account_id = ? and kind = 'PURCHASE' and metadata->>'paymentIntentId' = ?)::text as purchased,
         (select coalesce(sum(amount_minor), 0) from billing_refund where payment_intent_id = ? and status <> 'FAILED')::text as own_minor,
         (select coalesce(sum(-amount), 0) from ledger_transaction where account_id = ? and kind = 'REFUND' and metadata->>'paymentIntentId' = ? and metadata->>'source' = 'stripe')::text as removed`,
      [accountId, pi, pi, accountId, pi],
    );
    const externalMinor = BigInt(ch.amount_refunded) - BigInt(totals.own_minor);
    if (externalMinor <= 0n || ch.amount <= 0) return this.record(event, accountId, 'IGNORED');
    const target = (BigInt(totals.purchased) * (externalMinor > BigInt(ch.amount) ? BigInt(ch.amount) : externalMinor)) / BigInt(ch.amount);
    let toRemove = target - BigInt(totals.removed);
    if (toRemove <= 0n) return this.record(event, accountId, 'STALE');
    const wanted = toRemove;
    let n = 0;
    let applied = 0n;
    for (const b of buckets) {
      if (toRemove <= 0n) break;
      if (BigInt(b.remaining) === 0n) continue;
      const debit = await this.ledger.debitForRefund(accountId, {
        bucketId: b.id,
        credits: toRemove,
        idempotencyKey: `stripe:refund:${ch.id}:${ch.amount_refunded}:${n++}`,
        description: `Refunded through Stripe: ${formatMinor(externalMinor, ch.currency)} ${ch.currency.toUpperCase()}`,
        metadata: { source: 'stripe', paymentIntentId: pi, chargeId: ch.id, eventId: event.id },
      });
      toRemove -= debit.debited;
      if (!debit.replayed) applied += debit.debited;
    }
    if (toRemove > 0n) this.log.warn({ accountId, paymentIntentId: pi, missing: formatCredits(toRemove) }, 'refunded credits were already spent or held; could not remove them all');
    await this.record(event, accountId, 'APPLIED');
    if (applied > 0n) {
      await this.notify(accountId, 'REFUND_COMPLETED', 'Refund completed', `A refund of your purchase removed ${formatCredits(applied)} credits.`, {
        paymentIntentId: pi,
        chargeId: ch.id,
        credits: formatCredits(applied),
        requested: formatCredits(wanted),
      });
    }
    return 'APPLIED';
  }

  // ---------------------------------------------------------------- disputes (chargebacks)

  /**
   * A dispute took the payment's money back: the credits it bought are removed like a refund of
   * the disputed amount (purchased credits * disputed / paid, rounded down, at most what refunds
   * and other disputes have not already removed), only from what is neither spent nor held. Each
   * step happens once however the event is repeated (billing-dispute.entity.ts): the dispute row
   * first, then the removal (resumed under per-bucket keys), then auto top-up is turned off and
   * the customer told. A card whose holder disputes charges is not charged again unasked.
   */
  private async disputeFundsWithdrawn(event: Stripe.Event, d: Stripe.Dispute): Promise<Outcome> {
    const pi = idOf(d.payment_intent);
    if (!pi) return this.record(event, null, 'IGNORED');
    return this.withPaymentLock(pi, () => this.removeDisputedCredits(event, d, pi));
  }

  private async removeDisputedCredits(event: Stripe.Event, d: Stripe.Dispute, pi: string): Promise<Outcome> {
    const buckets = await this.purchaseBuckets(pi);
    if (buckets.length === 0) {
      // A top-up whose payment has not been credited yet: wait for its credits. Anything else
      // bought no credits here.
      if (await this.paymentEvents?.awaitsCredit(pi)) throw new RetryLater(`dispute ${d.id}: payment ${pi} not credited yet`);
      return this.record(event, null, 'IGNORED');
    }
    const accountId = buckets[0].account_id;
    const dispute = await this.disputeRow(d, accountId, pi);
    if (dispute.reinstated_at !== null) return this.record(event, accountId, 'STALE'); // decided already: its credits are back
    const totals = await this.disputeTotals(accountId, pi, d.id);
    const disputed = totals.paid > 0n && BigInt(d.amount) < totals.paid ? BigInt(d.amount) : totals.paid;
    const target = totals.paid > 0n ? (totals.purchased * disputed) / totals.paid : totals.purchased;
    // Credits a refund Stripe refused because of this dispute kept removed for it are this
    // dispute's, not another removal's (else a repeated delivery would take them twice).
    const kept = BigInt(dispute.refund_credits_kept);
    const removable = totals.purchased - (totals.removedByOthers - kept);
    const wanted = target < removable ? target : removable;
    const amount = `${formatMinor(BigInt(d.amount), d.currency)} ${d.currency.toUpperCase()}`;
    await this.sql.query('update billing_dispute set credits_owed = ? where id = ?', [wanted.toString(), d.id]);
    let removed = totals.removedByThis + kept; // an earlier delivery may have removed part before it stopped
    for (const b of buckets) {
      if (removed >= wanted) break;
      if (BigInt(b.remaining) === 0n) continue;
      const debit = await this.ledger.debitForRefund(accountId, {
        bucketId: b.id,
        credits: wanted - removed,
        idempotencyKey: `stripe:dispute:${d.id}:${b.id}`,
        description: `Payment disputed with the bank: ${amount}`,
        metadata: { source: 'stripe-dispute', paymentIntentId: pi, chargeId: idOf(d.charge), disputeId: d.id, eventId: event.id },
      });
      if (!debit.replayed) removed += debit.debited;
    }
    // What the dispute could not take: in a customer's refund still pending (kept for the dispute
    // if Stripe refuses that refund because of it, billing.service.ts), else already used.
    const missing = wanted > removed ? wanted - removed : 0n;
    const inPendingRefund = missing < totals.pendingRefunds ? missing : totals.pendingRefunds;
    const alreadyUsed = missing - inPendingRefund;
    if (alreadyUsed > 0n) this.log.warn({ accountId, paymentIntentId: pi, disputeId: d.id, missing: formatCredits(alreadyUsed) }, 'disputed credits were already spent or held; could not remove them all');
    await this.record(event, accountId, 'APPLIED');
    if (dispute.announced_at === null) await this.announceDispute(accountId, d, pi, amount, { removed, alreadyUsed, inPendingRefund });
    return 'APPLIED';
  }

  /** The dispute's row, written on its first withdrawal (kept as it is on a repeat). */
  private async disputeRow(d: Stripe.Dispute, accountId: string, pi: string) {
    await this.sql.query(
      `insert into billing_dispute (id, account_id, payment_intent_id, amount_minor, currency) values (?, ?, ?, ?, ?) on conflict (id) do nothing`,
      [d.id, accountId, pi, String(d.amount), d.currency],
    );
    const [row] = await this.sql.query<{ announced_at: Date | null; reinstated_at: Date | null; refund_credits_kept: string }>(
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
    const paused = (await this.paymentEvents?.paymentDisputed(accountId, amount)) ?? false;
    // "70 credits bought with it were removed; 30 more had already been used", or, with nothing
    // removed, "the 100 credits bought with it are in your refund still being processed".
    const parts: string[] = [];
    const some = (credits: bigint, what: string) => parts.push(parts.length > 0 ? `${formatCredits(credits)} more ${what}` : `the ${formatCredits(credits)} credits bought with it ${what}`);
    if (removed > 0n || (alreadyUsed === 0n && inPendingRefund === 0n)) parts.push(`${formatCredits(removed)} credits bought with it were removed`);
    if (inPendingRefund > 0n) some(inPendingRefund, 'are in your refund still being processed');
    if (alreadyUsed > 0n) some(alreadyUsed, 'had already been used');
    const what = parts.join('; ');
    await this.notify(
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
    await this.sql.query('update billing_dispute set announced_at = now() where id = ? and announced_at is null', [d.id]);
  }

  /**
   * The dispute was decided for the merchant and its money reinstated: the payment stands, so the
   * credits its dispute removed come back (an ADJUSTMENT into a new never-expiring bucket on the
   * same payment intent, as when Stripe refuses a refund), once. Before its withdrawal was applied
   * it is answered 500, so Stripe sends it again after. Auto top-up stays off until the customer
   * turns it on.
   */
  private async disputeFundsReinstated(event: Stripe.Event, d: Stripe.Dispute): Promise<Outcome> {
    const pi = idOf(d.payment_intent);
    if (!pi) return this.record(event, null, 'IGNORED');
    return this.withPaymentLock(pi, async () => {
      const [dispute] = await this.sql.query<{ account_id: string; reinstated_at: Date | null; refund_credits_kept: string }>(
        'select account_id, reinstated_at, refund_credits_kept::text from billing_dispute where id = ?',
        [d.id],
      );
      if (!dispute) {
        if ((await this.purchaseBuckets(pi)).length > 0 || (await this.paymentEvents?.awaitsCredit(pi))) throw new RetryLater(`dispute ${d.id}: its withdrawal is not applied yet`);
        return this.record(event, null, 'IGNORED');
      }
      const accountId = dispute.account_id;
      if (dispute.reinstated_at !== null) return this.record(event, accountId, 'STALE');
      const totals = await this.disputeTotals(accountId, pi, d.id);
      // What the dispute took, and what a refund it made Stripe refuse kept removed for it.
      const credits = totals.removedByThis - totals.restoredByThis + BigInt(dispute.refund_credits_kept);
      const amount = `${formatMinor(BigInt(d.amount), d.currency)} ${d.currency.toUpperCase()}`;
      if (credits > 0n) {
        await this.ledger.restoreRefundedCredits(accountId, {
          credits,
          idempotencyKey: `stripe:dispute:${d.id}:reinstated`,
          description: `Dispute closed, payment stands (${amount}): ${formatCredits(credits)} credits restored`,
          paymentIntentId: pi,
          amountPaidMinor: (totals.purchased > 0n ? (totals.paid * credits) / totals.purchased : 0n).toString(),
          currency: d.currency,
          metadata: { source: 'stripe-dispute-reinstated', paymentIntentId: pi, chargeId: idOf(d.charge), disputeId: d.id, eventId: event.id },
        });
      }
      await this.sql.query('update billing_dispute set reinstated_at = now() where id = ?', [d.id]);
      await this.record(event, accountId, 'APPLIED');
      if (credits > 0n) {
        await this.notify(
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

  /** The PURCHASE buckets of a payment intent, oldest first (the first is the purchase itself). */
  private purchaseBuckets(pi: string) {
    return this.sql.query<{ id: string; account_id: string; remaining: string }>(
      `select b.id, w.account_id, b.remaining::text from credit_bucket b join wallet w on w.id = b.wallet_id
        where b.payment_intent_id = ? and b.source = 'PURCHASE' order by b.created_at, b.id`,
      [pi],
    );
  }

  /**
   * What a payment bought and what has moved since, from the ledger: credits purchased, the money
   * the purchase paid (its first bucket), credits removed by refunds and other disputes net of
   * what was given back (a customer's refund still pending returned no money yet: counted apart),
   * and what this dispute removed and restored.
   */
  private async disputeTotals(accountId: string, pi: string, disputeId: string) {
    const [row] = await this.sql.query<{ purchased: string; paid: string | null; removed_by_others: string; pending_refunds: string; removed_by_this: string; restored_by_this: string }>(
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

  // ---------------------------------------------------------------- helpers

  /** Our account for an event: metadata.accountId (set by our Checkout), else client_reference_id, else the Stripe customer. */
  private async accountOf(metadata: Record<string, string> | null | undefined, clientReferenceId: string | null | undefined, customerId: string | null): Promise<string | null> {
    for (const candidate of [metadata?.accountId, clientReferenceId]) {
      if (candidate && /^[0-9a-f-]{36}$/i.test(candidate)) {
        const rows = await this.sql.query('select 1 from account where id = ?', [candidate]);
        if (rows.length > 0) return candidate;
      }
    }
    if (customerId) {
      const rows = await this.sql.query<{ id: string }>('select id from account where stripe_customer_id = ?', [customerId]);
      if (rows.length > 0) return rows[0].id;
    }
    return null;
  }

  private async record(event: Stripe.Event, accountId: string | null, outcome: Outcome): Promise<Outcome> {
    await this.sql.query(`insert into stripe_event (id, type, account_id, outcome, stripe_created_at, processed_at) values (?, ?, ?, ?, ?, now()) on conflict (id) do nothing`, [
      event.id,
      event.type,
      accountId,
      outcome,
      new Date(event.created * 1000),
    ]);
    return outcome;
  }

  /**
   * Records the event and applies `effect` in one transaction. The primary key makes a
   * concurrent duplicate wait for this transaction and then find the row: applied once.
   */
  private async inTransaction(event: Stripe.Event, accountId: string, effect: (c: PoolClient) => Promise<Outcome>, recordAs?: Outcome): Promise<Outcome> {
    return this.sql.withTransaction(async (c) => {
      const ins = await c.query(
        `insert into stripe_event (id, type, account_id, outcome, stripe_created_at, processed_at) values ($1, $2, $3, 'APPLIED', $4, now()) on conflict (id) do nothing returning 1`,
        [event.id, event.type, accountId, new Date(event.created * 1000)],
      );
      if (!ins.rowCount) return 'DUPLICATE';
      const outcome = await effect(c);
      await c.query('update stripe_event set outcome = $2 where id = $1', [event.id, recordAs ?? outcome]);
      return recordAs ?? outcome;
    });
  }

  private notify(...args: Parameters<Notifier['notify']>): Promise<void> {
    return notifySafely(this.notifier(), this.log, ...args);
  }
}
