import type { MikroORM } from '@mikro-orm/postgresql';
import type Stripe from 'stripe';
import type { Config } from '../../config';
import { Sql } from '../../db/sql';
import { isUuid } from '../../shared/ids';
import type { Logger } from '../../shared/logger';
import type { MessagesService } from '../alerts/messages.service';
import type { BillingService } from '../billing/billing.service';
import type { Outcome, PaymentEventHandler } from '../billing/payment-credits';
import { idOf } from '../billing/stripe.client';
import type { LedgerService } from '../ledger/ledger.service';
import type { PricingService } from '../pricing/pricing.service';
import type { WebhookPublisher } from '../webhooks/webhook.publisher';
import { AutoTopUpPayments, failureReason } from './auto-top-up.payments';
import { AutoTopUpSettings, type AutoTopUpInput, type AutoTopUpView } from './auto-top-up.settings';
import { AutoTopUpWorker } from './auto-top-up.worker';

export type { AutoTopUpInput, AutoTopUpView } from './auto-top-up.settings';

/** An account whose spends are refused for want of credits is reviewed for a top-up at most this often per instance. */
const REFUSAL_REVIEW_EVERY_MS = 10_000;
/** Accounts remembered for that interval before the memory is emptied (a bound, not a policy). */
const MAX_REMEMBERED_REFUSALS = 10_000;

export interface AutoTopUpDeps {
  orm: MikroORM;
  config: Config;
  pricing: PricingService;
  billing: BillingService;
  ledger: LedgerService;
  messages: MessagesService;
  publisher: WebhookPublisher;
  emailsQueued: () => void;
  log: Logger;
}

/**
 * Auto top-up: settings, the card saved for it, the Stripe events that pay or fail a top-up, and
 * the worker that creates PaymentIntents. When a top-up starts is decided in the ledger batch
 * (auto-top-up.participant.ts).
 */
export class AutoTopUpService implements PaymentEventHandler {
  readonly worker: AutoTopUpWorker;
  private readonly settings: AutoTopUpSettings;
  private readonly payments: AutoTopUpPayments;
  private readonly sql: Sql;
  /** When each account was last reviewed after a refused spend (this instance). */
  private readonly reviewedAfterRefusal = new Map<string, number>();

  constructor(private readonly deps: AutoTopUpDeps) {
    this.sql = new Sql(deps.orm);
    this.settings = new AutoTopUpSettings(this.sql, deps.config.autoTopUp, deps.pricing, deps.billing);
    this.payments = new AutoTopUpPayments({ sql: this.sql, config: deps.config.autoTopUp, ledger: deps.ledger, messages: deps.messages, publisher: deps.publisher, emailsQueued: deps.emailsQueued, log: deps.log });
    this.worker = new AutoTopUpWorker({ sql: this.sql, config: deps.config.autoTopUp, billing: deps.billing, payments: this.payments, askForTopUp: (accountId) => this.askForTopUp(accountId), log: deps.log });
    deps.ledger.onRefusedForCredits((accountId) => this.refusedForCredits(accountId));
  }

  /**
   * A balance below the threshold that no spend can lower any further (every charge is refused)
   * would never start a top-up: the ledger reviews the wallet for one instead, under its lock and
   * with every limit of a spend (auto-top-up.rules.ts). Failing the review loses nothing: the next
   * refusal, save or spend asks again.
   */
  private askForTopUp(accountId: string): Promise<void> {
    return this.deps.ledger.review(accountId, { topUpCheck: true }).catch((err: unknown) => this.deps.log.error({ err, accountId }, 'auto top-up review failed'));
  }

  private refusedForCredits(accountId: string): void {
    const now = Date.now();
    if (now - (this.reviewedAfterRefusal.get(accountId) ?? 0) < REFUSAL_REVIEW_EVERY_MS) return;
    if (this.reviewedAfterRefusal.size >= MAX_REMEMBERED_REFUSALS) this.reviewedAfterRefusal.clear();
    this.reviewedAfterRefusal.set(accountId, now);
    void this.askForTopUp(accountId);
  }

  /** A payment was disputed (billing): auto top-up is turned off until the customer turns it on again. */
  paymentDisputed(accountId: string, detail: string): Promise<boolean> {
    return this.settings.stopAfterDispute(accountId, detail);
  }

  /**
   * Whether a payment intent is a top-up still waiting for its credits (a dispute of it waits for
   * them too). An attempt whose create answer was lost does not know its intent's id yet: the
   * intent's metadata names the attempt.
   */
  async awaitsCredit(paymentIntentId: string, attemptId?: string): Promise<boolean> {
    const byAttempt = attemptId !== undefined && isUuid(attemptId) ? attemptId : null;
    const rows = await this.sql.query(`select 1 from auto_top_up_attempt where (payment_intent_id = ? or id = ?) and status = 'PENDING'`, [paymentIntentId, byAttempt]);
    return rows.length > 0;
  }

  view(accountId: string): Promise<AutoTopUpView> {
    return this.settings.view(accountId);
  }

  /** Saves the settings; a balance already below the new threshold starts a top-up now, not at the next spend. */
  async update(accountId: string, input: AutoTopUpInput): Promise<AutoTopUpView> {
    const saved = await this.settings.update(accountId, input);
    if (!saved.enabled) return saved;
    await this.askForTopUp(accountId);
    return this.settings.view(accountId);
  }

  /** A setup-mode Stripe Checkout that saves a card for auto top-up without buying anything. Gated like purchases. */
  async setupPaymentMethod(accountId: string): Promise<{ id: string; url: string }> {
    const { billing, pricing, config } = this.deps;
    const stripe = await billing.gate();
    const customer = await billing.customerFor(stripe, accountId);
    const metadata = { accountId, purpose: 'auto_top_up' };
    const session = await stripe.checkout.sessions.create({
      mode: 'setup',
      customer,
      currency: pricing.book.currency,
      client_reference_id: accountId,
      metadata,
      setup_intent_data: { metadata },
      success_url: config.billing.setupSuccessUrl,
      cancel_url: config.billing.setupCancelUrl,
    });
    return { id: session.id, url: session.url ?? '' };
  }

  /** Stripe's payment_intent.succeeded / payment_failed and setup_intent.succeeded, verified by billing's webhook route. */
  async handle(event: Stripe.Event): Promise<{ accountId: string | null; outcome: Outcome }> {
    if (event.type === 'payment_intent.succeeded') return this.intentSucceeded(event.data.object, event.id);
    if (event.type === 'payment_intent.payment_failed') return this.intentFailed(event.data.object);
    if (event.type === 'setup_intent.succeeded') {
      const setup = event.data.object;
      const saved = await this.cardSaved(setup.metadata?.accountId, setup.usage === 'off_session' ? idOf(setup.payment_method) : null, idOf(setup.customer));
      // A card saved for auto top-up alone: a balance already below the threshold tops up now.
      if (saved.accountId) await this.askForTopUp(saved.accountId);
      return saved;
    }
    return { accountId: null, outcome: 'IGNORED' };
  }

  private async intentSucceeded(intent: Stripe.PaymentIntent, eventId: string): Promise<{ accountId: string | null; outcome: Outcome }> {
    const attemptId = intent.metadata?.autoTopUpAttemptId;
    if (!attemptId) {
      // A Checkout purchase that saved its card for later (setup_future_usage).
      // No top-up review here: the pack this payment bought is credited by its own Checkout event,
      // which may come later; a review now would see the balance without it and charge again.
      return this.cardSaved(intent.metadata?.accountId, intent.setup_future_usage === 'off_session' ? idOf(intent.payment_method) : null, idOf(intent.customer));
    }
    const attempt = await this.payments.attempt(attemptId);
    if (!attempt || attempt.accountId !== intent.metadata?.accountId) return { accountId: null, outcome: 'IGNORED' };
    await this.payments.credit(attempt, intent, eventId);
    return { accountId: attempt.accountId, outcome: 'APPLIED' };
  }

  private async intentFailed(intent: Stripe.PaymentIntent): Promise<{ accountId: string | null; outcome: Outcome }> {
    const attempt = intent.metadata?.autoTopUpAttemptId ? await this.payments.attempt(intent.metadata.autoTopUpAttemptId) : null;
    if (!attempt || attempt.accountId !== intent.metadata?.accountId) return { accountId: null, outcome: 'IGNORED' };
    const error = intent.last_payment_error;
    await this.payments.fail(attempt.id, failureReason(error, 'payment_failed'), error?.message ?? 'The payment did not go through.');
    return { accountId: attempt.accountId, outcome: 'APPLIED' };
  }

  /** Our account for a saved card: the metadata our Checkout set, else the Stripe customer. */
  private async cardSaved(accountIdHint: string | undefined, paymentMethodId: string | null, customerId: string | null): Promise<{ accountId: string | null; outcome: Outcome }> {
    if (!paymentMethodId) return { accountId: null, outcome: 'IGNORED' };
    const byHint = accountIdHint && isUuid(accountIdHint) ? await this.sql.query<{ id: string }>('select id from account where id = ?', [accountIdHint]) : [];
    const rows = byHint.length > 0 || !customerId ? byHint : await this.sql.query<{ id: string }>('select id from account where stripe_customer_id = ?', [customerId]);
    if (rows.length === 0) return { accountId: null, outcome: 'IGNORED' };
    await this.settings.saveCard(rows[0].id, paymentMethodId, customerId);
    return { accountId: rows[0].id, outcome: 'APPLIED' };
  }
}
