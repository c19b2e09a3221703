import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import type Stripe from 'stripe';
import type { Config } from '../../config';
import { Sql } from '../../db/sql';
import { DomainError, ErrorCode, badInput, notFound } from '../../shared/errors';
import type { Logger } from '../../shared/logger';
import { formatCredits } from '../../shared/money';
import type { LedgerService } from '../ledger/ledger.service';
import type { PricingService } from '../pricing/pricing.service';
import { BillingCatalog, type CatalogPack, type CatalogPlan } from './billing.catalog';
import type { BillingEvents, Notifier } from './billing.notifier';
import { createStripeClient } from './stripe.client';
import { StripeWebhookService } from './billing.webhook';
import { BillingRefunds } from './billing.refunds';

export const SELF_SERVICE_KEY = 'billing.selfServiceEnabled';
/** True while self-service billing is switched on (a jsonb `true` in app_setting), as SQL: for statements of other modules too. */
export const SELF_SERVICE_ON_SQL = `exists (select 1 from app_setting s where s.key = '${SELF_SERVICE_KEY}' and s.value = 'true'::jsonb)`;

export interface BillingSettingsView {
  selfServiceEnabled: boolean;
  topUpAvailable: boolean;
  portalAvailable: boolean;
  configured: boolean;
}

/**
 * Billing: catalog, the self-service gate, Stripe Checkout and portal sessions. Refunds are
 * `BillingRefunds` (billing.refunds.ts); Stripe webhooks are applied by `StripeWebhookService`
 * (billing.webhook.ts). Every credit movement goes through the ledger; this module never writes
 * buckets or balances itself.
 */
export class BillingService {
  readonly catalog: BillingCatalog;
  readonly stripe: Stripe | null;
  readonly webhooks: StripeWebhookService;
  readonly refunds: BillingRefunds;
  private readonly sql: Sql;
  private events: BillingEvents | null = null;

  constructor(
    orm: MikroORM,
    private readonly config: Config,
    pricing: PricingService,
    private readonly ledger: LedgerService,
    private readonly log: Logger,
    /** Late-bound: the messages module may register `services.notifier` after billing is built. */
    notifier: () => Notifier | undefined,
  ) {
    this.sql = new Sql(orm);
    this.catalog = new BillingCatalog(pricing.book, config);
    this.stripe = createStripeClient(config);
    this.webhooks = new StripeWebhookService(this.sql, config, this.catalog, ledger, log, notifier, this.stripe);
    this.refunds = new BillingRefunds({ sql: this.sql, config, ledger, log, stripe: this.stripe, webhooks: this.webhooks, events: () => this.events, notifier });
  }

  /** Where billing's own transactions raise outbound events (the webhooks module, wired by app.ts). */
  useEvents(events: BillingEvents): void {
    this.events = events;
  }

  // ---------------------------------------------------------------- settings and gate

  async selfServiceEnabled(): Promise<boolean> {
    const rows = await this.sql.query<{ enabled: boolean }>(`select ${SELF_SERVICE_ON_SQL} as enabled`);
    return rows[0].enabled;
  }

  async settings(): Promise<BillingSettingsView> {
    const enabled = await this.selfServiceEnabled();
    const configured = this.stripe !== null;
    return {
      selfServiceEnabled: enabled,
      configured,
      topUpAvailable: enabled && configured && this.catalog.packs.length > 0,
      portalAvailable: enabled && configured,
    };
  }

  /**
   * Admin switch. The setting and its audit row (who, when, old, new) commit together; the
   * row lock on the setting serializes concurrent switches so each audit row's `old` is true.
   */
  async setSelfService(actorId: string, enabled: boolean): Promise<BillingSettingsView> {
    await this.sql.withTransaction(async (c) => {
      await c.query(`insert into app_setting (key, value, updated_by, updated_at) values ($1, 'false'::jsonb, null, now()) on conflict (key) do nothing`, [SELF_SERVICE_KEY]);
      const cur = await c.query(`select value from app_setting where key = $1 for update`, [SELF_SERVICE_KEY]);
      const old = cur.rows[0].value === true;
      await c.query(`update app_setting set value = $2::jsonb, updated_by = $3, updated_at = now() where key = $1`, [SELF_SERVICE_KEY, JSON.stringify(enabled), actorId]);
      await c.query(`insert into app_setting_audit (id, key, actor_id, old_value, new_value, created_at) values ($1, $2, $3, $4::jsonb, $5::jsonb, now())`, [
        randomUUID(),
        SELF_SERVICE_KEY,
        actorId,
        JSON.stringify(old),
        JSON.stringify(enabled),
      ]);
    });
    this.log.info({ actorId, enabled }, 'self-service billing switched');
    return this.settings();
  }

  /**
   * The Stripe client when self-service billing may be used (purchases, plans, the portal, auto
   * top-up). Not configured is checked first: without a Stripe key nothing can work whatever the
   * switch says, and an operator should see that before anything else.
   */
  async gate(): Promise<Stripe> {
    if (!this.stripe) throw new DomainError(ErrorCode.BILLING_NOT_CONFIGURED, 'Billing is not configured on this server (no Stripe secret key)');
    if (!(await this.selfServiceEnabled())) throw new DomainError(ErrorCode.BILLING_DISABLED, 'Self-service billing is disabled; contact an administrator');
    return this.stripe;
  }

  // ---------------------------------------------------------------- checkout and portal

  /** The account's Stripe customer, created once. Concurrent first calls converge on one id. */
  async customerFor(stripe: Stripe, accountId: string): Promise<string> {
    const rows = await this.sql.query<{ email: string; stripe_customer_id: string | null }>('select email, stripe_customer_id from account where id = ?', [accountId]);
    if (rows.length === 0) throw notFound('Account');
    if (rows[0].stripe_customer_id) return rows[0].stripe_customer_id;
    // The idempotency key makes Stripe return the same customer to concurrent first calls;
    // the conditional UPDATE keeps the first stored id if two calls still race.
    const customer = await stripe.customers.create({ email: rows[0].email, metadata: { accountId } }, { idempotencyKey: `customer:${accountId}` });
    const updated = await this.sql.query<{ stripe_customer_id: string }>(
      'update account set stripe_customer_id = ? where id = ? and stripe_customer_id is null returning stripe_customer_id',
      [customer.id, accountId],
    );
    if (updated.length > 0) return customer.id;
    const again = await this.sql.query<{ stripe_customer_id: string }>('select stripe_customer_id from account where id = ?', [accountId]);
    return again[0].stripe_customer_id;
  }

  private lineItem(item: CatalogPack | CatalogPlan, recurring: boolean): Stripe.Checkout.SessionCreateParams.LineItem {
    if (item.stripePriceId) return { price: item.stripePriceId, quantity: 1 };
    return {
      quantity: 1,
      price_data: {
        currency: item.currency,
        unit_amount: item.priceMinor,
        product_data: { name: item.name, metadata: { catalogId: item.id } },
        ...(recurring ? { recurring: { interval: 'month' as const } } : {}),
      },
    };
  }

  async purchaseCredits(accountId: string, packId: string): Promise<{ id: string; url: string }> {
    const stripe = await this.gate();
    const pack = this.catalog.pack(packId);
    if (!pack) throw notFound('Credit pack');
    const customer = await this.customerFor(stripe, accountId);
    // The webhook credits the pack named here; the credits travel too, so a later price-book
    // change cannot alter what an already-paid checkout grants.
    const metadata = { accountId, packId: pack.id, credits: formatCredits(pack.credits) };
    const session = await stripe.checkout.sessions.create({
      mode: 'payment',
      customer,
      client_reference_id: accountId,
      line_items: [this.lineItem(pack, false)],
      metadata,
      // The card is saved for off-session payments: auto top-up charges it (src/modules/auto-top-up).
      payment_intent_data: { metadata, setup_future_usage: 'off_session' },
      success_url: this.config.billing.successUrl,
      cancel_url: this.config.billing.cancelUrl,
    });
    return { id: session.id, url: session.url ?? '' };
  }

  async subscribeToPlan(accountId: string, planId: string): Promise<{ id: string; url: string }> {
    const stripe = await this.gate();
    const plan = this.catalog.plan(planId);
    if (!plan) throw notFound('Plan');
    const current = await this.sql.query<{ plan_id: string | null }>('select plan_id from account where id = ?', [accountId]);
    if (current[0]?.plan_id) {
      throw badInput(`The account already has the "${current[0].plan_id}" plan; change or cancel it in the billing portal`);
    }
    const customer = await this.customerFor(stripe, accountId);
    // The first invoice's PLAN_RENEWED message carries checkoutRef (from the subscription's
    // metadata, which every invoice repeats), and the return URL names it: the page Stripe sends
    // the customer back to recognises its own plan's credits, as a pack's page does with its
    // session id (a session id cannot be in the metadata it is created with).
    const checkoutRef = randomUUID();
    const metadata = { accountId, planId: plan.id, checkoutRef };
    const session = await stripe.checkout.sessions.create({
      mode: 'subscription',
      customer,
      client_reference_id: accountId,
      line_items: [this.lineItem(plan, true)],
      metadata,
      subscription_data: { metadata },
      success_url: withQueryParam(this.config.billing.successUrl, 'plan_ref', checkoutRef),
      cancel_url: this.config.billing.cancelUrl,
    });
    return { id: session.id, url: session.url ?? '' };
  }

  async billingPortal(accountId: string): Promise<{ url: string }> {
    const stripe = await this.gate();
    const customer = await this.customerFor(stripe, accountId);
    const session = await stripe.billingPortal.sessions.create({ customer, return_url: this.config.billing.portalReturnUrl });
    return { url: session.url };
  }

  // ---------------------------------------------------------------- plans

  /** The account's plan and the end of its current allocation (the next refill), or null without a plan. */
  async currentPlan(accountId: string): Promise<{ plan: CatalogPlan; renewsAt: Date | null } | null> {
    const rows = await this.sql.query<{ plan_id: string | null }>('select plan_id from account where id = ?', [accountId]);
    const plan = this.catalog.plan(rows[0]?.plan_id ?? '');
    return plan ? { plan, renewsAt: await this.ledger.planAllocationEnd(accountId) } : null;
  }
}

/**
 * `url` with `name=value` added to its query. Not through URLSearchParams, which would encode
 * the `{CHECKOUT_SESSION_ID}` placeholder Stripe has to find verbatim.
 */
function withQueryParam(url: string, name: string, value: string): string {
  const hash = url.indexOf('#');
  const [base, fragment] = hash < 0 ? [url, ''] : [url.slice(0, hash), url.slice(hash)];
  const separator = base.includes('?') ? (base.endsWith('?') || base.endsWith('&') ? '' : '&') : '?';
  return `${base}${separator}${encodeURIComponent(name)}=${encodeURIComponent(value)}${fragment}`;
}
