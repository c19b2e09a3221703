import type { MikroORM } from '@mikro-orm/postgresql';
import { Sql } from '../../db/sql';
import type { SupportedTimeZones } from '../../db/time-zones';
import { badInput, notFound } from '../../shared/errors';
import { recomputeMonthToDate } from '../ledger/store/month-to-date';
import { lockWalletOfAccount } from '../ledger/store/wallet-lock';
import { advanceWalletVersion } from '../ledger/store/wallet-version';
import { decodeWallet, WALLET_COLUMNS } from '../ledger/store/rows';
import { walletView, type WalletView } from '../ledger/wallet.view';
import { ACCOUNT_COLUMNS, decodeAccount, type AccountView } from './account.rows';

export type { AccountView } from './account.rows';

export interface SettingsInput {
  timezone?: string;
  burnAlertThreshold?: bigint | null;
  monthlyBudgetCap?: bigint | null;
  lowCreditEmails?: boolean;
}

const textOf = (value: bigint | null): string | null => (value === null ? null : value.toString());

/** Whether a change moves what the wallet shows: its cap, and through the month's boundary its month-to-date spend and status. */
const movesWallet = (before: AccountView, after: AccountView): boolean => before.monthlyBudgetCap !== after.monthlyBudgetCap || before.timezone !== after.timezone;

/** Whether a change moves what the ledger's alerts compare against: the cap, the burn threshold, or the month (timezone). */
const movesAlerts = (before: AccountView, after: AccountView): boolean => movesWallet(before, after) || before.burnAlertThreshold !== after.burnAlertThreshold;

export class AccountsService {
  private readonly sql: Sql;

  /**
   * `settingsChanged`: after a committed change that moves alerts, the ledger reviews the wallet;
   * `publish` when the change also moved what the wallet shows, and so its version.
   */
  constructor(
    orm: MikroORM,
    private readonly timeZones: SupportedTimeZones,
    private readonly settingsChanged: (accountId: string, publish: boolean) => Promise<void> = async () => undefined,
  ) {
    this.sql = new Sql(orm);
  }

  /**
   * The account and its wallet in one query: `me { wallet { balance } }` is the most frequent
   * dashboard read, so it costs one round trip.
   */
  getWithWallet(id: string): Promise<{ account: AccountView; wallet: WalletView }> {
    return this.oneWithWallet('a.id = ?', id);
  }

  /** Admin look-up by email (stored lower-cased, so the match is case-insensitive). */
  getByEmail(email: string): Promise<{ account: AccountView; wallet: WalletView }> {
    return this.oneWithWallet('a.email = ?', email.trim().toLowerCase());
  }

  private async oneWithWallet(where: string, value: string): Promise<{ account: AccountView; wallet: WalletView }> {
    const rows = await this.sql.query(`select ${ACCOUNT_COLUMNS}, ${WALLET_COLUMNS} from account a join wallet w on w.account_id = a.id where ${where}`, [value]);
    if (rows.length === 0) throw notFound('Account');
    return { account: decodeAccount(rows[0]), wallet: walletView(decodeWallet(rows[0])) };
  }

  /**
   * `undefined` leaves a setting alone; an explicit `null` turns a threshold or cap off.
   * A timezone change moves the month boundary, so the wallet's month-to-date spend is
   * recomputed from the ledger under the wallet lock (the cap stays exact, docs/invariants.md #6).
   * A cap or threshold moved below this month's spend, or a new month boundary, can make an alert
   * due with no ledger change to raise it: after commit the ledger reviews the wallet. A new cap or
   * month boundary also changes what the wallet shows (cap, spend, status): the wallet takes the
   * next version in this transaction, and the review publishes it like a charge's
   * (docs/invariants.md #5; should the review not run, the realtime poll delivers it).
   */
  async updateSettings(accountId: string, input: SettingsInput): Promise<AccountView> {
    if (input.burnAlertThreshold !== undefined && input.burnAlertThreshold !== null && input.burnAlertThreshold <= 0n) {
      throw badInput('burnAlertThreshold must be greater than 0 (or null to turn it off)');
    }
    if (input.monthlyBudgetCap !== undefined && input.monthlyBudgetCap !== null && input.monthlyBudgetCap < 0n) {
      throw badInput('monthlyBudgetCap must not be negative (or null to turn it off)');
    }
    if (input.lowCreditEmails === null) throw badInput('lowCreditEmails must be true or false');
    const timezone = input.timezone === undefined || input.timezone === null ? undefined : await this.timeZones.assert(input.timezone);
    const { before, after } = await this.sql.withTransaction(async (client) => {
      // Lock the wallet first: every ledger batch reads the cap and timezone under this lock.
      const walletId = await lockWalletOfAccount(client, accountId);
      const current = await client.query(`select ${ACCOUNT_COLUMNS} from account a where a.id = $1`, [accountId]);
      if (current.rows.length === 0) throw notFound('Account');
      const account = decodeAccount(current.rows[0]);
      const next: AccountView = {
        ...account,
        burnAlertThreshold: input.burnAlertThreshold === undefined ? account.burnAlertThreshold : input.burnAlertThreshold,
        monthlyBudgetCap: input.monthlyBudgetCap === undefined ? account.monthlyBudgetCap : input.monthlyBudgetCap,
        lowCreditEmails: input.lowCreditEmails === undefined ? account.lowCreditEmails : input.lowCreditEmails,
        timezone: timezone ?? account.timezone,
      };
      const updated = await client.query(
        `update account a set burn_alert_threshold = $2, monthly_budget_cap = $3, low_credit_emails = $4, timezone = $5, updated_at = now()
          where a.id = $1 returning ${ACCOUNT_COLUMNS}`,
        [accountId, textOf(next.burnAlertThreshold), textOf(next.monthlyBudgetCap), next.lowCreditEmails, next.timezone],
      );
      if (walletId && next.timezone !== account.timezone) await recomputeMonthToDate(client, walletId, next.timezone);
      if (walletId && movesWallet(account, next)) await advanceWalletVersion(client, walletId);
      return { before: account, after: decodeAccount(updated.rows[0]) };
    });
    if (movesAlerts(before, after)) await this.settingsChanged(accountId, movesWallet(before, after));
    return after;
  }
}
