import type { PoolClient } from 'pg';
import Stripe from 'stripe';
import type { Config } from '../../config';
import type { Sql } from '../../db/sql';
import { ErrorCode } from '../../shared/errors';
import type { Logger } from '../../shared/logger';
import { formatCredits, parseCredits } from '../../shared/money';
import { CreditSource } from '../ledger/credit-bucket.entity';
import type { LedgerService } from '../ledger/ledger.service';
import { type BillingCatalog, type CatalogPlan } from './billing.catalog';
import { formatMinor } from '../../shared/minor-units';
import { notifySafely, type Notifier } from './billing.notifier';
import { idOf } from './stripe.client';
import { StripeDisputes, type DisputeContext } from './billing.disputes';
import { StripeExternalRefunds } from './billing.external-refunds';
import { planPeriodLockKey, withAdvisoryLock, type Outcome, type PaymentEventHandler } from './payment-credits';

/*
 * Stripe webhooks: `POST /webhooks/stripe`.
 *
 * A Stripe event is applied at most once, and a purchase is credited only for a verified,
 * paid event (docs/invariants.md #8).
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

/** An answer that applies nothing, as `{ errors: [{ message, extensions: { code } }] }` like every other route. */
const refusal = (status: number, code: ErrorCode, message: string) => ({ status, body: { errors: [{ message, extensions: { code } }] } });

const LIVE_SUBSCRIPTION = ['active', 'trialing', 'past_due'];

export class StripeWebhookService {
  private paymentEvents: PaymentEventHandler | null = null;
  private readonly disputes: StripeDisputes;
  private readonly externalRefunds: StripeExternalRefunds;

  constructor(
    private readonly sql: Sql,
    private readonly config: Config,
    private readonly catalog: BillingCatalog,
    private readonly ledger: LedgerService,
    private readonly log: Logger,
    private readonly notifier: () => Notifier | undefined,
    private readonly stripe: Stripe | null,
  ) {
    // What both handlers of a payment's credits use of this service.
    const shared: Omit<DisputeContext, 'paymentEvents'> = {
      sql,
      ledger,
      log,
      stripe,
      record: (event, accountId, outcome) => this.record(event, accountId, outcome),
      notify: (...args) => this.notify(...args),
    };
    this.disputes = new StripeDisputes({ ...shared, paymentEvents: () => this.paymentEvents });
    this.externalRefunds = new StripeExternalRefunds({ ...shared, accountOf: (metadata, clientReferenceId, customerId) => this.accountOf(metadata, clientReferenceId, customerId) });
  }

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
        return this.externalRefunds.chargeRefunded(event, event.data.object);
      case 'charge.dispute.funds_withdrawn':
        return this.disputes.fundsWithdrawn(event, event.data.object);
      case 'charge.dispute.funds_reinstated':
        return this.disputes.fundsReinstated(event, event.data.object);
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
    // Announced (once per purchase, by its key) before the event is recorded: Stripe's retry of an
    // event whose credits committed before a crash announces them then.
    await this.notify(
      accountId,
      'PURCHASE_COMPLETED',
      'Purchase completed',
      `${formatCredits(credits)} credits were added to your wallet.`,
      {
        packId,
        credits: formatCredits(credits),
        amount: formatMinor(amountPaid, currency),
        currency,
        paymentIntentId,
        bucketId: r.bucketId,
        // Lets the page Stripe sends the customer back to recognise its own purchase.
        checkoutSessionId: s.id,
      },
      `stripe:checkout:${s.id}`,
    );
    await this.record(event, accountId, 'APPLIED');
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
    const paid = periodLineOf(inv.lines?.data ?? []);
    // The price before the metadata: a plan changed in the billing portal changes the price, never
    // the planId our Checkout wrote (docs/billing.md).
    const plan = this.catalog.planByStripePrice(paid.price) ?? this.catalog.plan(meta.planId ?? '') ?? this.catalog.plan(known[0]?.plan_id ?? '');
    if (!plan) throw new Error(`invoice ${inv.id}: subscription ${subId} is for no known plan`);

    const periodEndSec = paid.periodEnd || inv.period_end;
    const periodEnd = new Date(periodEndSec * 1000);
    const { outcome, announce } = await this.allocatePeriod(accountId, inv.id!, subId, plan, periodEnd, event.id);
    // Announced before the event is recorded, once per period (by the allocation's key): Stripe's
    // retry of an invoice whose allocation committed before a crash announces it then.
    if (announce) {
      const first = inv.billing_reason === 'subscription_create';
      const data = {
        planId: plan.id,
        credits: formatCredits(plan.monthlyCredits),
        expiresAt: periodEnd.toISOString(),
        invoiceId: inv.id,
        // Only the first invoice's: the page back from that Checkout waits for it (billing.service subscribeToPlan).
        ...(first && meta.checkoutRef ? { checkoutRef: meta.checkoutRef } : {}),
      };
      const title = `${plan.name} plan ${first ? 'started' : 'renewed'}`;
      await this.notify(accountId, 'PLAN_RENEWED', title, `${formatCredits(plan.monthlyCredits)} plan credits are available until ${periodEnd.toISOString().slice(0, 10)}.`, data, announce);
    }
    // Only an invoice whose credits applied says the subscription is live now. A STALE one (its
    // period over, or older than the allocation) may be an old invoice paid after the
    // subscription was cancelled: it must not bring the plan back.
    await this.inTransaction(event, accountId, async (c) => (outcome === 'APPLIED' ? this.upsertSubscription(c, subId, accountId, plan.id, 'active', event.created) : outcome), outcome);
    return outcome;
  }

  /**
   * A plan's credits once per subscription period (docs/billing.md), whatever invoices the period
   * has: its first paid invoice allocates the plan's credits until the period end, replacing what
   * is left of the previous allocation (no rollover). A later invoice for the same period (a
   * proration, a manual or a $0 invoice) grants only what a bigger plan adds to what the period
   * already got, and nothing otherwise. An invoice for a period already over, or older than the
   * allocation the wallet has, grants nothing (STALE). The same invoice again replays.
   */
  private allocatePeriod(accountId: string, invoiceId: string, subId: string, plan: CatalogPlan, periodEnd: Date, eventId: string): Promise<PeriodAllocation> {
    // What the period already got decides what this invoice grants: two invoices of one period
    // (an upgrade's and a manual one, say) decide one after the other (docs/invariants.md #7).
    return withAdvisoryLock(this.sql, planPeriodLockKey(subId), () => this.allocateLocked(accountId, invoiceId, subId, plan, periodEnd, eventId), { wait: true });
  }

  private async allocateLocked(accountId: string, invoiceId: string, subId: string, plan: CatalogPlan, periodEnd: Date, eventId: string): Promise<PeriodAllocation> {
    const walletId = await this.ledger.walletIdOf(accountId);
    const [period] = await this.sql.query<{ newer: boolean | null; granted: string | null }>(
      `select bool_or(expires_at > ?) as newer, (sum(granted) filter (where expires_at = ?))::text as granted
         from credit_bucket where wallet_id = ? and source = 'PLAN_ALLOCATION'`,
      [periodEnd, periodEnd, walletId],
    );
    if (periodEnd.getTime() <= Date.now() || period.newer) return { outcome: 'STALE', announce: null };
    const idempotencyKey = `stripe:invoice:${invoiceId}`;
    // The period's own key for its allocation: two invoices of one period arriving at once allocate it once.
    const periodKey = `stripe:plan-period:${subId}:${periodEnd.getTime() / 1000}`;
    const metadata = { source: 'stripe', invoiceId, subscriptionId: subId, planId: plan.id, eventId, expiresAt: periodEnd.toISOString() };
    const until = periodEnd.toISOString().slice(0, 10);
    const already = BigInt(period.granted ?? '0');
    if (already === 0n) {
      await this.ledger.allocatePlanCredits(accountId, { credits: plan.monthlyCredits, expiresAt: periodEnd, description: `${plan.name} plan: ${formatCredits(plan.monthlyCredits)} credits until ${until}`, idempotencyKey: periodKey, metadata });
      return { outcome: 'APPLIED', announce: periodKey };
    }
    if (plan.monthlyCredits > already) {
      const more = plan.monthlyCredits - already;
      await this.ledger.grant(accountId, { source: CreditSource.PLAN_ALLOCATION, amount: more, expiresAt: periodEnd, description: `${plan.name} plan: ${formatCredits(more)} more credits until ${until}`, idempotencyKey, metadata });
      return { outcome: 'APPLIED', announce: null }; // no second "plan renewed": the period's notice went out with its first invoice
    }
    // This invoice's own allocation (a retry after a crash) replays; another invoice of the period grants nothing.
    const own = await this.sql.query<{ idempotency_key: string }>(
      `select idempotency_key from ledger_transaction where account_id = ? and (idempotency_key = ? or (idempotency_key = ? and metadata->>'invoiceId' = ?))`,
      [accountId, idempotencyKey, periodKey, invoiceId],
    );
    if (own.length === 0) return { outcome: 'IGNORED', announce: null };
    // The period's allocation is announced again (kept once by its key): this retry may follow a crash before its message.
    return { outcome: 'APPLIED', announce: own[0].idempotency_key === periodKey ? periodKey : null };
  }

  private async subscriptionChanged(event: Stripe.Event, sub: Stripe.Subscription): Promise<Outcome> {
    const known = await this.sql.query<{ account_id: string; plan_id: string | null }>('select account_id, plan_id from stripe_subscription where id = ?', [sub.id]);
    const accountId = (await this.accountOf(sub.metadata, null, idOf(sub.customer))) ?? known[0]?.account_id ?? null;
    if (!accountId) return this.record(event, null, 'IGNORED'); // not one of our customers
    const priceId = sub.items?.data?.[0]?.price?.id;
    // The price before the metadata, as in invoicePaid: the portal changes the one, not the other.
    const plan = this.catalog.planByStripePrice(priceId) ?? this.catalog.plan(sub.metadata?.planId ?? '') ?? this.catalog.plan(known[0]?.plan_id ?? '');
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
          -- Stripe never reopens these: an event of the same second (or a late one) must not either.
          and stripe_subscription.status not in ('canceled', 'incomplete_expired')
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

  /** After Stripe refused one of this service's refunds for good: refunds made outside it are looked at again (billing.external-refunds.ts). */
  externalRefundsAfterRefusal(refundId: string, pi: string): Promise<void> {
    return this.externalRefunds.afterRefusal(refundId, pi);
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

/** What an invoice did to its plan period, and the key of the allocation to announce (null: nothing new to announce). */
interface PeriodAllocation {
  outcome: Outcome;
  announce: string | null;
}

type InvoiceLine = Stripe.InvoiceLineItem;
/** A line's proration flag and price, where Stripe's API versions put them (2025+: under parent and pricing). */
interface LineFields {
  proration?: boolean;
  parent?: { subscription_item_details?: { proration?: boolean } | null; invoice_item_details?: { proration?: boolean } | null } | null;
  pricing?: { price_details?: { price?: string } | null } | null;
  price?: { id: string } | null;
}

/**
 * The line of a subscription invoice that pays for its latest period, and that period's end. A
 * plan change puts proration lines on the invoice, "Unused time on <old plan>" first: the plan is
 * read from the period's own (not prorated) line, else from the charge for the remaining time
 * (the new plan), never from the credit for the old one.
 */
export function periodLineOf(lines: readonly InvoiceLine[]): { price: string | undefined; periodEnd: number } {
  const periodEnd = Math.max(0, ...lines.map((line) => line.period?.end ?? 0));
  const ofPeriod = lines.filter((line) => (line.period?.end ?? 0) === periodEnd);
  const fields = (line: InvoiceLine) => line as unknown as LineFields;
  const isProration = (line: InvoiceLine) => {
    const f = fields(line);
    return Boolean(f.proration ?? f.parent?.subscription_item_details?.proration ?? f.parent?.invoice_item_details?.proration);
  };
  const paying = ofPeriod.find((line) => !isProration(line)) ?? ofPeriod.find((line) => (line.amount ?? 0) > 0) ?? ofPeriod[0];
  const f = paying ? fields(paying) : undefined;
  return { price: f?.pricing?.price_details?.price ?? f?.price?.id, periodEnd };
}
