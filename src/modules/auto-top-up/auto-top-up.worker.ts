import type Stripe from 'stripe';
import type { AutoTopUpConfig } from '../../config';
import type { Sql } from '../../db/sql';
import type { Logger } from '../../shared/logger';
import { formatCredits } from '../../shared/money';
import { textOrNull } from '../../shared/row-values';
import type { BillingService } from '../billing/billing.service';
import { isPermanentStripeError } from '../billing/stripe.client';
import { ATTEMPT_COLUMNS, AUTHENTICATION_REQUIRED, decodeAttempt, failureReason, type AttemptRow, type AutoTopUpPayments } from './auto-top-up.payments';
import { BackgroundWorker, backoffMs } from '../../shared/background-worker';
import { TOP_UP_ARMED_SQL } from './auto-top-up.participant';

interface ClaimedAttempt extends AttemptRow {
  /** Stripe calls recorded for it so far (auto_top_up_attempt.stripe_tries). */
  tries: number;
  enabled: boolean;
  paymentMethodId: string | null;
  customerId: string | null;
}

/** A claimed top-up is reserved this long for the instance working on it (longer than the Stripe client's timeout and retries). */
const LEASE_MS = 90_000;
const BATCH = 10;
/** Ended failure spacings asked about per poll. */
const RETRY_SWEEP_BATCH = 50;
/** How soon a create Stripe refused for the operator's reasons (key, permission, rate) is tried again, at most. */
const OPERATOR_RETRY_MS = 60_000;

/**
 * Claims due attempts with a lease. The first claim fixes the card and customer on the attempt
 * from the current settings; later claims keep them, so every create of its PaymentIntent sends
 * the parameters its idempotency key was first used with (a card saved meanwhile is used by the
 * next top-up, never by a retry: Stripe refuses a key reused with other parameters). A claim
 * counts no try: a try is recorded only right before a Stripe call is sent (`recordTry`).
 */
const CLAIM = `
  with due as (select id from auto_top_up_attempt where status = 'PENDING' and next_check_at <= now() order by next_check_at limit $1 for update skip locked)
  update auto_top_up_attempt x set next_check_at = now() + $2 * interval '1 millisecond',
         payment_method_id = coalesce(x.payment_method_id, (select t.payment_method_id from auto_top_up t where t.account_id = x.account_id)),
         stripe_customer_id = coalesce(x.stripe_customer_id,
           (select coalesce(t.stripe_customer_id, a.stripe_customer_id) from account a left join auto_top_up t on t.account_id = a.id where a.id = x.account_id))
    from due where x.id = due.id
  returning ${ATTEMPT_COLUMNS}, x.stripe_tries, x.payment_method_id, x.stripe_customer_id as customer_id,
            (select t.enabled from auto_top_up t where t.account_id = x.account_id) as enabled`;

/**
 * Pays started top-ups after commit: kicked by the batch that started one, and polled every
 * AUTO_TOP_UP_POLL_MS. Each attempt gets one off-session PaymentIntent (`confirm: true`) created
 * with the idempotency key `auto-top-up:<attempt id>`, so a retry after a crash or timeout can
 * never charge twice. Its credits arrive only with the signed `payment_intent.succeeded` webhook;
 * a decline or a bank asking for authentication fails the attempt (auto-top-up.payments.ts).
 * A PaymentIntent with no outcome after AUTO_TOP_UP_RECONCILE_AFTER_MS is looked up at Stripe:
 * a failed one fails the attempt, a succeeded one keeps waiting for its webhook.
 *
 * Every Stripe call is counted (`stripe_tries`) before it is sent, so an attempt with a try and no
 * PaymentIntent id is one whose create may have reached Stripe and charged the card (its answer was
 * lost, or recording the id failed). It is never cancelled: its create is repeated with the same
 * key, which Stripe answers with the original PaymentIntent, and it goes on from that one's status.
 */
export class AutoTopUpWorker extends BackgroundWorker {
  constructor(
    private readonly deps: {
      sql: Sql;
      config: AutoTopUpConfig;
      billing: BillingService;
      payments: AutoTopUpPayments;
      /** Asks the ledger to decide a top-up for the account under its wallet lock (a review). */
      askForTopUp: (accountId: string) => Promise<void>;
      log: Logger;
    },
  ) {
    super(deps.config.pollMs);
  }

  protected async run(): Promise<void> {
    try {
      for (let claimed = BATCH; claimed === BATCH && !this.stopping; ) {
        const rows = await this.deps.sql.query(CLAIM, [BATCH, LEASE_MS], { prepare: true });
        claimed = rows.length;
        await Promise.all(rows.map((row) => this.process(claimedOf(row))));
      }
      if (!this.stopping) await this.retryAfterSpacing();
    } catch (err) {
      this.deps.log.error({ err }, 'auto top-up run failed');
    }
  }

  /**
   * A failed top-up is tried again when its spacing ends, not only at the customer's next spend: a
   * wallet left below the threshold by an idle pipeline would otherwise wait for good. The ledger
   * decides under the wallet lock with every limit of a spend (auto-top-up.rules.ts: one in flight,
   * the monthly maximum, the failures in a row), and that batch clears the ended spacing, so each
   * one is asked about once; a review that fails leaves it for the next poll.
   */
  private async retryAfterSpacing(): Promise<void> {
    const due = await this.deps.sql.query<{ account_id: string }>(
      `select t.account_id from auto_top_up t where t.retry_after <= now() and ${TOP_UP_ARMED_SQL} order by t.retry_after limit ?`,
      [RETRY_SWEEP_BATCH],
    );
    for (const row of due) await this.deps.askForTopUp(row.account_id);
  }

  private async process(attempt: ClaimedAttempt): Promise<void> {
    const { billing, payments, log } = this.deps;
    try {
      const stripe = billing.stripe;
      if (attempt.paymentIntentId || attempt.tries > 0) return await this.awaitOutcome(stripe, attempt);
      // Only an attempt whose create was never sent may be cancelled: nothing was charged for it.
      if (!stripe) return await payments.cancel(attempt.id, 'Stripe is not configured');
      if (!(await billing.selfServiceEnabled())) return await payments.cancel(attempt.id, 'self-service billing is switched off');
      if (!attempt.enabled) return await payments.cancel(attempt.id, 'auto top-up was turned off');
      if (!attempt.paymentMethodId || !attempt.customerId) return await payments.fail(attempt.id, 'no_payment_method', 'There is no saved card to charge.');
      await this.createPaymentIntent(stripe, attempt);
    } catch (err) {
      log.error({ err, attemptId: attempt.id }, 'auto top-up step failed; retried after its lease');
    }
  }

  /**
   * Counts a Stripe call and commits the count before the call is sent: from then on the attempt
   * may have been charged (docs/invariants.md "One top-up in flight"). The first one counts only
   * while auto top-up is on, read under a share lock of the settings: turning it off (by hand or
   * after a dispute) that commits first stops the create; one still committing is waited for.
   * SETTLED when the attempt was settled meanwhile (its webhook credited it), TURNED_OFF when the
   * first create may not be sent: nothing is sent then.
   */
  private async recordTry(attempt: ClaimedAttempt): Promise<'COUNTED' | 'SETTLED' | 'TURNED_OFF'> {
    const rows = await this.deps.sql.query<{ stripe_tries: number }>(
      `update auto_top_up_attempt x set stripe_tries = x.stripe_tries + 1
        where x.id = ? and x.status = 'PENDING'
          and (x.stripe_tries > 0 or exists (select 1 from auto_top_up t where t.account_id = x.account_id and t.enabled for share of t))
       returning x.stripe_tries`,
      [attempt.id],
    );
    if (rows.length > 0) {
      attempt.tries = Number(rows[0].stripe_tries);
      return 'COUNTED';
    }
    const [now] = await this.deps.sql.query<{ status: string }>(`select status from auto_top_up_attempt where id = ?`, [attempt.id]);
    return now?.status === 'PENDING' ? 'TURNED_OFF' : 'SETTLED';
  }

  /** Takes back the try of a create Stripe refused without running it; earlier tries still count. */
  private async forgetTry(attempt: ClaimedAttempt): Promise<void> {
    await this.deps.sql.query(`update auto_top_up_attempt set stripe_tries = stripe_tries - 1 where id = ? and stripe_tries > 0 and payment_intent_id is null`, [attempt.id]);
  }

  /** Creates the PaymentIntent, or repeats its create with the same key and parameters: Stripe then answers the original one. */
  private async createPaymentIntent(stripe: Stripe, attempt: ClaimedAttempt): Promise<void> {
    const recorded = await this.recordTry(attempt);
    if (recorded === 'TURNED_OFF') return this.deps.payments.cancel(attempt.id, 'auto top-up was turned off');
    if (recorded === 'SETTLED') return;
    const idempotencyKey = `auto-top-up:${attempt.id}`;
    // The SDK retries a request itself (a lost connection even with retries off), so an answer
    // may be to a retry whose first request ran at Stripe: count what this try sent.
    let sent = 0;
    const counted = (request: Stripe.RequestEvent) => {
      if (request.idempotency_key === idempotencyKey) sent++;
    };
    stripe.on('request', counted);
    let intent: Stripe.PaymentIntent;
    try {
      intent = await stripe.paymentIntents.create(
        {
          amount: Number(attempt.amountMinor),
          currency: attempt.currency,
          customer: attempt.customerId!,
          payment_method: attempt.paymentMethodId!,
          off_session: true,
          confirm: true,
          description: `Auto top-up: ${formatCredits(attempt.credits)} credits`,
          metadata: { accountId: attempt.accountId, autoTopUpAttemptId: attempt.id, credits: formatCredits(attempt.credits) },
        },
        { idempotencyKey },
      );
    } catch (err) {
      return this.stripeRefused(attempt, err, sent);
    } finally {
      stripe.off('request', counted);
    }
    await this.deps.sql.query(`update auto_top_up_attempt set payment_intent_id = ?, next_check_at = now() + ? * interval '1 millisecond' where id = ?`, [
      intent.id,
      this.deps.config.reconcileAfterMs,
      attempt.id,
    ]);
    await this.afterIntent(intent, attempt);
  }

  /**
   * A card error (declined, authentication required) or another refusal fails the attempt; so does
   * Stripe's idempotency error (the key was first used with other parameters), which no retry with
   * that key can get past. A request Stripe refused without running it (401, 403, 429) is the
   * operator's problem, not the card's: logged as an error and retried, never counted as the
   * customer's failure. Anything else is retried. `sent`: the requests this try made.
   */
  private async stripeRefused(attempt: ClaimedAttempt, err: unknown, sent: number): Promise<void> {
    const e = err as { type?: string; code?: string; decline_code?: string; message?: string };
    if (isNotRunByStripe(err)) {
      // Stripe answered that it did not run the create: the try is taken back, so the attempt may
      // still be cancelled if the customer turns auto top-up off meanwhile (nothing was charged).
      // Not when the SDK sent it more than once: the refusal may answer a retry whose first
      // request reached Stripe and charged the card (docs/invariants.md, "One top-up in flight").
      if (sent <= 1) await this.forgetTry(attempt);
      const laterMs = Math.min(OPERATOR_RETRY_MS, this.deps.config.reconcileAfterMs);
      this.deps.log.error({ err, attemptId: attempt.id, retryMs: laterMs }, 'Stripe refused the request (API key revoked or without permission, or rate limited); auto top-up retried later');
      return this.checkAgainLater(attempt.id, laterMs);
    }
    if (e.type === 'StripeCardError') return this.deps.payments.fail(attempt.id, failureReason(e, 'card_declined'), e.message ?? 'The card was declined.');
    if (e.type === 'StripeIdempotencyError') {
      return this.deps.payments.fail(attempt.id, 'idempotency_error', `Stripe refused to repeat the payment request with other details: ${e.message ?? 'idempotency key reused'}`);
    }
    if (isPermanentStripeError(err)) return this.deps.payments.fail(attempt.id, e.code ?? 'payment_error', e.message ?? 'Stripe refused the payment.');
    // 5 s, doubling up to 10 times (~85 min), never beyond the reconcile delay.
    const retryMs = backoffMs(Math.min(attempt.tries, 11), 5000, this.deps.config.reconcileAfterMs);
    this.deps.log.warn({ err, attemptId: attempt.id, retryMs }, 'auto top-up PaymentIntent not created; retried with the same idempotency key');
    await this.checkAgainLater(attempt.id, retryMs);
  }

  /** What a PaymentIntent's state means for its attempt; success waits for the webhook. */
  private async afterIntent(intent: Stripe.PaymentIntent, attempt: AttemptRow): Promise<void> {
    if (intent.status === 'requires_action') {
      return this.deps.payments.fail(attempt.id, AUTHENTICATION_REQUIRED, 'The bank asked for authentication, which an automatic payment cannot give.');
    }
    if (intent.status === 'requires_payment_method' || intent.status === 'canceled') {
      const error = intent.last_payment_error;
      return this.deps.payments.fail(attempt.id, failureReason(error, intent.status), error?.message ?? 'The payment did not go through.');
    }
  }

  /**
   * An attempt with a PaymentIntent, or whose create may have reached Stripe (a try recorded), may
   * already have charged the card, so it is never cancelled (not when self-service billing or auto
   * top-up is switched off, nor when this instance has no Stripe key): its PaymentIntent is learnt
   * by repeating the create with its key, and only its webhook or the reconciliation lookup settle
   * it. Until then the wallet's marker names it and the month counts it, so no second top-up starts
   * while it may be paid (docs/invariants.md "One top-up in flight").
   */
  private async awaitOutcome(stripe: Stripe | null, attempt: ClaimedAttempt): Promise<void> {
    if (stripe) return attempt.paymentIntentId ? this.reconcile(stripe, attempt) : this.createPaymentIntent(stripe, attempt);
    this.deps.log.warn({ attemptId: attempt.id, paymentIntentId: attempt.paymentIntentId }, 'auto top-up awaits its PaymentIntent, but Stripe is not configured here; looked at again later');
    await this.checkAgainLater(attempt.id, this.deps.config.reconcileAfterMs);
  }

  private async checkAgainLater(attemptId: string, afterMs: number): Promise<void> {
    await this.deps.sql.query(`update auto_top_up_attempt set next_check_at = now() + ? * interval '1 millisecond' where id = ? and status = 'PENDING'`, [afterMs, attemptId]);
  }

  private async reconcile(stripe: Stripe, attempt: ClaimedAttempt): Promise<void> {
    if ((await this.recordTry(attempt)) !== 'COUNTED') return; // a lookup: its attempt has a try already, so only SETTLED stops it
    const intent = await stripe.paymentIntents.retrieve(attempt.paymentIntentId!);
    if (intent.status === 'succeeded') this.deps.log.error({ attemptId: attempt.id, paymentIntentId: intent.id }, 'auto top-up paid but its webhook has not arrived; credits wait for it');
    await this.checkAgainLater(attempt.id, this.deps.config.reconcileAfterMs);
    await this.afterIntent(intent, attempt);
  }
}

/**
 * 401, 403 or 429: the API key was revoked or lacks a permission, or the request was rate limited.
 * Stripe refuses these before running anything (and before its idempotency layer), so nothing was
 * charged; they are the operator's problem, never the customer's failure.
 */
function isNotRunByStripe(err: unknown): boolean {
  const e = err as { type?: string; statusCode?: number } | null;
  if (!e || typeof e !== 'object') return false;
  const refusedTypes = ['StripeAuthenticationError', 'StripePermissionError', 'StripeRateLimitError'];
  return refusedTypes.includes(e.type ?? '') || e.statusCode === 401 || e.statusCode === 403 || e.statusCode === 429;
}

function claimedOf(row: Record<string, unknown>): ClaimedAttempt {
  return {
    ...decodeAttempt(row),
    tries: Number(row.stripe_tries),
    enabled: row.enabled === true,
    paymentMethodId: textOrNull(row.payment_method_id),
    customerId: textOrNull(row.customer_id),
  };
}
