import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { badInput, notFound } from '../../shared/errors';
import { assertTimeZone, monthKey, monthStart } from '../../shared/time';
import { Account, Role } from './account.entity';
import { Sql } from '../../db/sql';
import { walletViewFromRow, type WalletView } from '../ledger/ledger.service';

export interface SettingsInput {
  timezone?: string;
  burnAlertThreshold?: bigint | null;
  monthlyBudgetCap?: bigint | null;
  lowCreditEmails?: boolean;
}

export class AccountsService {
  private readonly sql: Sql;

  constructor(private readonly orm: MikroORM) {
    this.sql = new Sql(orm);
  }

  private em(): EntityManager {
    return this.orm.em.fork() as EntityManager;
  }

  /**
   * The account and its wallet in one query: `me { wallet { balance } }` is the most frequent
   * dashboard read, so it costs one round trip.
   */
  async getWithWallet(id: string): Promise<{ account: Account; wallet: WalletView }> {
    const rows = await this.sql.query(
      `select a.id as account_id, a.email, a.role, a.timezone, (extract(epoch from a.created_at) * 1000)::float8 as created_ms, a.burn_alert_threshold::text, a.monthly_budget_cap::text,
              a.low_credit_emails, w.id, w.balance::text, w.held::text, w.lifetime_spend::text, w.lifetime_purchased::text, w.spent_month,
              w.spent_this_month::text, w.version::text, w.low_credit_reference::text, w.low_credit_fired
         from account a join wallet w on w.account_id = a.id where a.id = ?`,
      [id],
    );
    if (rows.length === 0) throw notFound('Account');
    const r = rows[0];
    // A plain object, not a managed entity: this read never writes back.
    const account: Account = Object.assign(Object.create(null) as Account, {
      id: r.account_id as string,
      email: r.email as string,
      role: r.role as Role,
      timezone: r.timezone as string,
      createdAt: new Date(Number(r.created_ms)),
      burnAlertThreshold: r.burn_alert_threshold === null ? null : BigInt(r.burn_alert_threshold as string),
      monthlyBudgetCap: r.monthly_budget_cap === null ? null : BigInt(r.monthly_budget_cap as string),
      lowCreditEmails: r.low_credit_emails as boolean,
    });
    return { account, wallet: walletViewFromRow(r) };
  }

  /** Admin look-up by email (stored lower-cased, so the match is case-insensitive). */
  async getByEmail(email: string): Promise<{ account: Account; wallet: WalletView }> {
    const rows = await this.sql.query<{ id: string }>('select id from account where email = ?', [email.trim().toLowerCase()]);
    if (rows.length === 0) throw notFound('Account');
    return this.getWithWallet(rows[0].id);
  }

  /**
   * `undefined` leaves a setting alone; an explicit `null` turns a threshold or cap off.
   * A timezone change moves the month boundary, so the wallet's month-to-date spend is
   * recomputed from the ledger under the wallet lock (the cap stays exact, invariant 6).
   */
  async updateSettings(accountId: string, input: SettingsInput): Promise<Account> {
    if (input.burnAlertThreshold !== undefined && input.burnAlertThreshold !== null && input.burnAlertThreshold <= 0n) {
      throw badInput('burnAlertThreshold must be greater than 0 (or null to turn it off)');
    }
    if (input.monthlyBudgetCap !== undefined && input.monthlyBudgetCap !== null && input.monthlyBudgetCap < 0n) {
      throw badInput('monthlyBudgetCap must not be negative (or null to turn it off)');
    }
    if (input.lowCreditEmails === null) throw badInput('lowCreditEmails must be true or false');
    const timezone = input.timezone === undefined || input.timezone === null ? undefined : assertTimeZone(input.timezone);
    return this.em().transactional(async (em) => {
      // Lock the wallet first: every ledger batch reads the cap and timezone under this lock.
      const [w] = await em.getConnection().execute<{ id: string }[]>('select id from wallet where account_id = ? for update', [accountId], 'all', em.getTransactionContext());
      const account = await em.findOneOrFail(Account, { id: accountId });
      if (input.burnAlertThreshold !== undefined) account.burnAlertThreshold = input.burnAlertThreshold;
      if (input.monthlyBudgetCap !== undefined) account.monthlyBudgetCap = input.monthlyBudgetCap;
      if (input.lowCreditEmails !== undefined) account.lowCreditEmails = input.lowCreditEmails;
      if (timezone && timezone !== account.timezone) {
        account.timezone = timezone;
        // The database clock, as the ledger uses: both must agree on which month it is.
        const [{ ms }] = await em.getConnection().execute<{ ms: number }[]>('select (extract(epoch from clock_timestamp()) * 1000)::float8 as ms', [], 'all', em.getTransactionContext());
        const month = monthKey(new Date(Number(ms)), timezone);
        await em.getConnection().execute(
          `update wallet set spent_month = ?, spent_this_month = coalesce((select -sum(amount) from ledger_transaction
              where wallet_id = ? and kind in ('USAGE', 'CAPTURE') and created_at >= ?), 0) where id = ?`,
          [month, w.id, monthStart(month, timezone), w.id],
          'run',
          em.getTransactionContext(),
        );
      }
      await em.flush();
      return account;
    });
  }
}
