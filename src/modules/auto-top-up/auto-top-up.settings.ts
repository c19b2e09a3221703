import type { PoolClient } from 'pg';
import type { AutoTopUpConfig } from '../../config';
import type { Sql } from '../../db/sql';
import { badInput, notFound } from '../../shared/errors';
import { nullableBigint, nullableDate, textOrNull } from '../../shared/row-values';
import { monthKey } from '../../shared/time';
import { formatMinor, priceInMinor } from '../../shared/minor-units';
import type { BillingService } from '../billing/billing.service';
import { lockWalletOfAccount } from '../ledger/store/wallet-lock';
import type { PricingService } from '../pricing/pricing.service';

/** An account's auto top-up settings as the API shows them. */
export interface AutoTopUpView {
  accountId: string;
  enabled: boolean;
  threshold: bigint | null;
  packId: string | null;
  credits: bigint | null;
  amountMinor: bigint | null;
  currency: string | null;
  monthlyMaximum: number;
  topUpsThisMonth: number;
  consecutiveFailures: number;
  stoppedAfterFailures: boolean;
  paymentMethodSaved: boolean;
  paymentMethodSavedAt: Date | null;
  lastFailure: string | null;
  /** No top-up starts before this after a failure; null when no failed top-up waits (a time passed waits no more). */
  retryAfter: Date | null;
}

export interface AutoTopUpInput {
  enabled?: boolean | null;
  threshold?: bigint | null;
  packId?: string | null;
  amount?: bigint | null;
  monthlyMaximum?: number | null;
}

/** Stripe refuses charges below about 0.50 in most currencies. */
const MIN_CHARGE_MINOR = 50n;
/** Stripe takes at most 8 digits of the currency's smallest unit (999,999.99 USD). */
const MAX_CHARGE_MINOR = 99_999_999n;
const MAX_MONTHLY = 100;

const SETTINGS_COLUMNS = `t.enabled, t.threshold::text as threshold, t.pack_id, t.credits::text as credits, t.amount_minor::text as amount_minor, t.currency,
  t.monthly_maximum, t.month_key, t.started_this_month, t.consecutive_failures, t.payment_method_id is not null as has_card, t.payment_method_saved_at, t.last_failure,
  case when t.retry_after > now() then t.retry_after end as retry_after`;

/**
 * Reading and saving auto top-up settings, and the card Stripe saved for them. Every write takes
 * the account's wallet lock first: ledger batches read these settings under it.
 */
export class AutoTopUpSettings {
  constructor(
    private readonly sql: Sql,
    private readonly config: AutoTopUpConfig,
    private readonly pricing: PricingService,
    private readonly billing: BillingService,
  ) {}

  async view(accountId: string): Promise<AutoTopUpView> {
    const rows = await this.sql.query(
      `select a.id as account_id, a.timezone, ${SETTINGS_COLUMNS} from account a left join auto_top_up t on t.account_id = a.id where a.id = ?`,
      [accountId],
    );
    if (rows.length === 0) throw notFound('Account');
    return this.decode(rows[0]);
  }

  private decode(row: Record<string, unknown>): AutoTopUpView {
    const failures = Number(row.consecutive_failures ?? 0);
    const month = monthKey(new Date(), row.timezone as string);
    return {
      accountId: row.account_id as string,
      enabled: row.enabled === true,
      threshold: nullableBigint(row.threshold),
      packId: textOrNull(row.pack_id),
      credits: nullableBigint(row.credits),
      amountMinor: nullableBigint(row.amount_minor),
      currency: textOrNull(row.currency),
      monthlyMaximum: Number(row.monthly_maximum ?? 3),
      topUpsThisMonth: row.month_key === month ? Number(row.started_this_month) : 0,
      consecutiveFailures: failures,
      stoppedAfterFailures: row.enabled === true && failures >= this.config.maxFailures,
      paymentMethodSaved: row.has_card === true,
      paymentMethodSavedAt: nullableDate(row.payment_method_saved_at),
      lastFailure: textOrNull(row.last_failure),
      retryAfter: nullableDate(row.retry_after),
    };
  }

  /**
   * Saves the settings (omitted fields stay) and starts counting failures afresh, without waiting
   * for the spacing after the last failure. Enabling needs
   * self-service billing (BILLING_NOT_CONFIGURED / BILLING_DISABLED, like purchases), a saved card,
   * a threshold and a pack or amount.
   */
  async update(accountId: string, input: AutoTopUpInput): Promise<AutoTopUpView> {
    if (input.packId === '') throw badInput('packId must name a credit pack (leave it out to keep the current choice)');
    if (input.packId && input.amount !== undefined && input.amount !== null) throw badInput('give packId or amount, not both');
    if (input.threshold !== undefined && input.threshold !== null && input.threshold <= 0n) throw badInput('threshold must be greater than 0');
    if (input.monthlyMaximum !== undefined && input.monthlyMaximum !== null && (!Number.isInteger(input.monthlyMaximum) || input.monthlyMaximum < 1 || input.monthlyMaximum > MAX_MONTHLY)) {
      throw badInput(`monthlyMaximum must be between 1 and ${MAX_MONTHLY}`);
    }
    if (input.enabled === true) await this.billing.gate();
    const price = this.priceOf(input);
    await this.sql.withTransaction(async (client) => {
      if (!(await lockWalletOfAccount(client, accountId))) throw notFound('Account');
      await client.query('insert into auto_top_up (account_id) values ($1) on conflict (account_id) do nothing', [accountId]);
      const updated = await client.query(
        `update auto_top_up set enabled = coalesce($2, enabled), threshold = coalesce($3, threshold), monthly_maximum = coalesce($4, monthly_maximum),
                pack_id = case when $5 then $6 else pack_id end, credits = coalesce($7, credits), amount_minor = coalesce($8, amount_minor),
                currency = coalesce($9, currency), consecutive_failures = 0, retry_after = null,
                -- Turned on again after a dispute stopped it: that reason no longer explains anything.
                last_failure = case when $2 is true and last_failure like 'payment_disputed%' then null else last_failure end,
                updated_at = now()
          where account_id = $1
          returning enabled, threshold, credits, payment_method_id is not null as has_card`,
        [
          accountId,
          input.enabled ?? null,
          input.threshold?.toString() ?? null,
          input.monthlyMaximum ?? null,
          price !== null,
          price?.packId ?? null,
          price?.credits.toString() ?? null,
          price?.amountMinor.toString() ?? null,
          price?.currency ?? null,
        ],
      );
      const saved = updated.rows[0];
      if (saved.enabled && !saved.has_card) throw badInput('auto top-up needs a saved card: buy a pack (the card is saved) or run setupAutoTopUpPaymentMethod first');
      if (saved.enabled && (saved.threshold === null || saved.credits === null)) throw badInput('auto top-up needs a threshold and a packId or amount');
    });
    return this.view(accountId);
  }

  /**
   * A payment of the account was disputed with its bank: auto top-up is turned off (a card whose
   * holder disputes charges must not be charged off-session again unasked), so a top-up not yet
   * sent to Stripe is not sent, and a later success cannot turn it back on; the customer turns it
   * on again. Under the wallet lock, like every writer of the row. Returns whether it was on.
   */
  async stopAfterDispute(accountId: string, detail: string): Promise<boolean> {
    return this.sql.withTransaction(async (client) => {
      if (!(await lockWalletOfAccount(client, accountId))) return false;
      const stopped = await client.query(
        `update auto_top_up set enabled = false, retry_after = null, last_failure = $2, updated_at = now() where account_id = $1 and enabled`,
        [accountId, `payment_disputed: ${detail}`.slice(0, 500)],
      );
      return (stopped.rowCount ?? 0) > 0;
    });
  }

  /** What one top-up buys and costs: a pack of the catalog, or an amount at the price book's credit value. */
  private priceOf(input: AutoTopUpInput): { packId: string | null; credits: bigint; amountMinor: bigint; currency: string } | null {
    if (input.packId) {
      const pack = this.billing.catalog.pack(input.packId);
      if (!pack) throw notFound('Credit pack');
      return { packId: pack.id, credits: pack.credits, amountMinor: BigInt(pack.priceMinor), currency: pack.currency };
    }
    if (input.amount === undefined || input.amount === null) return null;
    if (input.amount <= 0n) throw badInput('amount must be greater than 0');
    const book = this.pricing.book;
    const amountMinor = priceInMinor(input.amount, book.creditValue, book.currency);
    if (amountMinor < MIN_CHARGE_MINOR) throw badInput(`amount is too small to charge a card (at least ${formatMinor(MIN_CHARGE_MINOR, book.currency)} ${book.currency.toUpperCase()})`);
    if (amountMinor > MAX_CHARGE_MINOR) throw badInput(`amount is too large to charge a card at once (at most ${formatMinor(MAX_CHARGE_MINOR, book.currency)} ${book.currency.toUpperCase()})`);
    return { packId: null, credits: input.amount, amountMinor, currency: book.currency };
  }

  /**
   * Stores a card Stripe saved for off-session use (a Checkout with setup_future_usage, or a
   * setup-mode Checkout). A new card also starts counting failures afresh, and may be charged at
   * once (no spacing after the old card's failure).
   */
  async saveCard(accountId: string, paymentMethodId: string, customerId: string | null): Promise<void> {
    await this.sql.withTransaction(async (client: PoolClient) => {
      if (!(await lockWalletOfAccount(client, accountId))) return;
      await client.query(
        `insert into auto_top_up (account_id, payment_method_id, stripe_customer_id, payment_method_saved_at) values ($1, $2, $3, now())
         on conflict (account_id) do update set payment_method_id = excluded.payment_method_id, payment_method_saved_at = now(),
                stripe_customer_id = coalesce(excluded.stripe_customer_id, auto_top_up.stripe_customer_id), consecutive_failures = 0, retry_after = null,
                updated_at = now()`,
        [accountId, paymentMethodId, customerId],
      );
    });
  }
}
