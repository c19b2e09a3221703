import type { PoolClient } from 'pg';
import type Stripe from 'stripe';
import type { AutoTopUpConfig } from '../../config';
import type { Sql } from '../../db/sql';
import { isUuid } from '../../shared/ids';
import type { Logger } from '../../shared/logger';
import { formatCredits } from '../../shared/money';
import { bigintOf, nullableDate, textOrNull } from '../../shared/row-values';
import { MessageKind } from '../alerts/message.entity';
import type { MessagesService } from '../alerts/messages.service';
import { formatMinor } from '../../shared/minor-units';
import type { LedgerService } from '../ledger/ledger.service';
import { lockWalletOfAccount } from '../ledger/store/wallet-lock';
import { WebhookEventType } from '../webhooks/webhook-event';
import type { WebhookPublisher } from '../webhooks/webhook.publisher';
import { AutoTopUpStatus } from './auto-top-up-attempt.entity';

/** The failure reason of a payment the customer's bank wants confirmed (3-D Secure): no off-session retry can give that. */
export const AUTHENTICATION_REQUIRED = 'authentication_required';
/** The retry spacing doubles at most this often, so its timestamp stays representable whatever the failure limit. */
const MAX_DOUBLINGS = 16;

/**
 * The reason a Stripe payment error gives a failed top-up: its code, except that a decline whose
 * decline code asks for authentication is that (the bank wants the customer, not a retry).
 */
export function failureReason(error: { code?: string | null; decline_code?: string | null } | null | undefined, fallback: string): string {
  if (error?.decline_code === AUTHENTICATION_REQUIRED) return AUTHENTICATION_REQUIRED;
  return error?.code ?? fallback;
}

/** What the failure message tells the customer to do, after the failure itself; a retry's earliest time in the account's timezone. */
function failureAdvice(reason: string, counted: FailureCounted): string {
  if (reason === AUTHENTICATION_REQUIRED) {
    return ' Your bank asks you to confirm this payment, which an automatic top-up cannot do. Buy a pack by hand or save your card again: auto top-up is paused until then.';
  }
  if (counted.stoppedAfterFailures) return ' Auto top-up is paused until you update its settings or your card.';
  if (counted.retryAfter === null) return '';
  return ` The next automatic top-up may start after ${localTime(new Date(counted.retryAfter), counted.timezone)}.`;
}

/** "3 Dec 2026, 10:32 (Europe/Berlin)"; in UTC should the zone be one this runtime does not know (a message must never fail for it). */
function localTime(at: Date, timeZone: string): string {
  const format = (zone: string) => `${new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: zone }).format(at)} (${zone})`;
  try {
    return format(timeZone);
  } catch {
    return format('UTC');
  }
}

/** A failure as counted in the settings row: whether top-ups stopped, when the next may start, and the zone to say it in. */
interface FailureCounted {
  stoppedAfterFailures: boolean;
  retryAfter: string | null;
  timezone: string;
}

/** A top-up as its payment needs it. */
export interface AttemptRow {
  id: string;
  accountId: string;
  status: AutoTopUpStatus;
  credits: bigint;
  amountMinor: bigint;
  currency: string;
  packId: string | null;
  monthKey: string;
  paymentIntentId: string | null;
}

export const ATTEMPT_COLUMNS = `x.id, x.account_id, x.status, x.credits::text as credits, x.amount_minor::text as amount_minor, x.currency, x.pack_id, x.month_key, x.payment_intent_id`;

export function decodeAttempt(row: Record<string, unknown>): AttemptRow {
  return {
    id: row.id as string,
    accountId: row.account_id as string,
    status: row.status as AutoTopUpStatus,
    credits: bigintOf(row.credits),
    amountMinor: bigintOf(row.amount_minor),
    currency: row.currency as string,
    packId: textOrNull(row.pack_id),
    monthKey: row.month_key as string,
    paymentIntentId: textOrNull(row.payment_intent_id),
  };
}

export interface PaymentDeps {
  sql: Sql;
  config: AutoTopUpConfig;
  ledger: LedgerService;
  messages: MessagesService;
  publisher: WebhookPublisher;
  /** After a commit that queued an email. */
  emailsQueued: () => void;
  log: Logger;
}

/**
 * How a top-up ends. Success: its credits are granted by the ledger under the key
 * `stripe:auto-top-up:<attempt id>`, so however often Stripe (or the reconciliation) reports the
 * payment, they land once (docs/invariants.md #4 and #7); the grant's batch settles the attempt
 * (auto-top-up.participant.ts). Failure: the attempt, the failure count, a message, its email and
 * a webhook event commit together, under the wallet lock.
 */
export class AutoTopUpPayments {
  constructor(private readonly deps: PaymentDeps) {}

  /** The attempt a Stripe event names, or null: metadata is whatever the event carries, never trusted to be a uuid. */
  async attempt(id: unknown): Promise<AttemptRow | null> {
    if (typeof id !== 'string' || !isUuid(id)) return null;
    const rows = await this.deps.sql.query(`select ${ATTEMPT_COLUMNS} from auto_top_up_attempt x where x.id = ?`, [id]);
    return rows.length ? decodeAttempt(rows[0]) : null;
  }

  /**
   * Credits a paid top-up once; `paymentIntent` is what Stripe reported as succeeded. Its id is kept
   * on the attempt when the worker has not learnt it yet (the create's answer was lost).
   */
  async credit(attempt: AttemptRow, paymentIntent: Stripe.PaymentIntent, eventId: string | null): Promise<void> {
    if (!attempt.paymentIntentId) await this.deps.sql.query('update auto_top_up_attempt set payment_intent_id = ? where id = ? and payment_intent_id is null', [paymentIntent.id, attempt.id]);
    const received = paymentIntent.amount_received || paymentIntent.amount;
    await this.deps.ledger.grantPurchase(attempt.accountId, {
      credits: attempt.credits,
      description: `Auto top-up: ${formatCredits(attempt.credits)} credits`,
      idempotencyKey: `stripe:auto-top-up:${attempt.id}`,
      paymentIntentId: paymentIntent.id,
      amountPaidMinor: String(received),
      currency: paymentIntent.currency,
      metadata: { source: 'stripe', autoTopUpAttemptId: attempt.id, paymentIntentId: paymentIntent.id, packId: attempt.packId, eventId },
    });
    // Announced on a replay too, once per top-up by its key: the credits may have committed just before a crash.
    const data = { attemptId: attempt.id, credits: formatCredits(attempt.credits), amount: formatMinor(received, paymentIntent.currency), currency: paymentIntent.currency, paymentIntentId: paymentIntent.id };
    const body = `${formatCredits(attempt.credits)} credits were added to your wallet (${formatMinor(received, paymentIntent.currency)} ${paymentIntent.currency.toUpperCase()}).`;
    await this.deps.messages
      .notify(attempt.accountId, MessageKind.AUTO_TOP_UP_SUCCEEDED, 'Auto top-up completed', body, data, `stripe:auto-top-up:${attempt.id}`)
      .catch((err) => this.deps.log.error({ err, attemptId: attempt.id }, 'auto top-up message failed'));
  }

  /**
   * Marks a pending top-up FAILED with its message, email and webhook event, and counts the
   * failure: AUTO_TOP_UP_MAX_FAILURES in a row stop further top-ups until the settings or the card
   * are saved again, and until then none starts before `retry_after` (failureCounted). A bank
   * asking for authentication stops them at once: no off-session retry can authenticate. Applied
   * once: a second report of the same failure finds it settled.
   */
  async fail(attemptId: string, reason: string, detail: string): Promise<void> {
    const { sql, messages, publisher } = this.deps;
    const failed = await sql.withTransaction(async (client) => {
      const settled = await this.settle(client, attemptId, AutoTopUpStatus.FAILED, reason, detail);
      if (!settled) return null;
      const counted = await this.failureCounted(client, settled, reason, detail);
      const amount = formatMinor(settled.amountMinor, settled.currency);
      const { stoppedAfterFailures, retryAfter } = counted;
      const data = { attemptId, reason, detail, credits: formatCredits(settled.credits), amount, currency: settled.currency, paymentIntentId: settled.paymentIntentId, stoppedAfterFailures, retryAfter };
      await messages.recordWithin(client, {
        accountId: settled.accountId,
        kind: MessageKind.AUTO_TOP_UP_FAILED,
        title: 'Auto top-up failed',
        body: `An automatic top-up of ${formatCredits(settled.credits)} credits (${amount} ${settled.currency.toUpperCase()}) could not be paid: ${detail}${failureAdvice(reason, counted)}`,
        data,
        email: true,
      });
      await publisher.publishWithin(client, settled.accountId, WebhookEventType.AUTO_TOP_UP_FAILED, data);
      return settled;
    });
    if (!failed) return;
    this.deps.log.warn({ attemptId, reason, detail }, 'auto top-up failed');
    messages.added([failed.accountId]);
    this.deps.emailsQueued();
    publisher.committed();
  }

  /**
   * Counts a failure in the settings row (under the wallet lock `settle` took, like every writer
   * of it) and sets when the next top-up may start: the failure time (the database clock, as the
   * batches that compare with it read) plus AUTO_TOP_UP_RETRY_AFTER_SECONDS x 2^(failures - 1).
   * Null when top-ups stopped (none waits) or spacing is off.
   */
  private async failureCounted(client: PoolClient, settled: AttemptRow, reason: string, detail: string): Promise<FailureCounted> {
    const { maxFailures, retryAfterSeconds } = this.deps.config;
    // Authentication stops top-ups at once: the count goes to the limit, not one up.
    const failuresAtLeast = reason === AUTHENTICATION_REQUIRED ? maxFailures : 0;
    const counted = await client.query<{ consecutive_failures: number; retry_after: unknown; timezone: string | null }>(
      `with counted as (select account_id, greatest(consecutive_failures + 1, $4::int) as failures from auto_top_up where account_id = $1)
       update auto_top_up t set consecutive_failures = c.failures, last_failure = $2, updated_at = now(),
              started_this_month = case when t.month_key = $3 then greatest(t.started_this_month - 1, 0) else t.started_this_month end,
              retry_after = case when c.failures >= $5 or $6 = 0 then null
                                 else now() + make_interval(secs => $6 * power(2, least(c.failures - 1, ${MAX_DOUBLINGS}))) end
         from counted c where t.account_id = c.account_id
       returning t.consecutive_failures, t.retry_after, (select a.timezone from account a where a.id = t.account_id) as timezone`,
      [settled.accountId, `${reason}: ${detail}`.slice(0, 500), settled.monthKey, failuresAtLeast, maxFailures, retryAfterSeconds],
    );
    const row = counted.rows[0];
    return {
      stoppedAfterFailures: (row?.consecutive_failures ?? 0) >= maxFailures,
      retryAfter: nullableDate(row?.retry_after)?.toISOString() ?? null,
      timezone: row?.timezone ?? 'UTC',
    };
  }

  /** Settles a top-up that was never charged (billing switched off): not a failure of the card. */
  async cancel(attemptId: string, reason: string): Promise<void> {
    await this.deps.sql.withTransaction(async (client) => {
      const settled = await this.settle(client, attemptId, AutoTopUpStatus.CANCELLED, 'cancelled', reason);
      if (!settled) return;
      await client.query(
        `update auto_top_up set started_this_month = case when month_key = $2 then greatest(started_this_month - 1, 0) else started_this_month end, updated_at = now()
          where account_id = $1`,
        [settled.accountId, settled.monthKey],
      );
    });
  }

  /** PENDING -> a final status, under the wallet lock (the attempt's wallet marker is read under it). Null when already settled. */
  private async settle(client: PoolClient, attemptId: string, status: AutoTopUpStatus, code: string, message: string): Promise<AttemptRow | null> {
    const owner = await client.query<{ account_id: string }>('select account_id from auto_top_up_attempt where id = $1', [attemptId]);
    if (owner.rows.length === 0) return null;
    await lockWalletOfAccount(client, owner.rows[0].account_id);
    const updated = await client.query(
      `update auto_top_up_attempt x set status = $2, failure_code = $3, failure_message = $4, completed_at = now()
        where x.id = $1 and x.status = 'PENDING' returning ${ATTEMPT_COLUMNS}`,
      [attemptId, status, code, message.slice(0, 500)],
    );
    return updated.rows.length ? decodeAttempt(updated.rows[0]) : null;
  }
}
