import type { Account, Role } from './account.entity';

/** An account as reads return it: the entity's public fields, as a plain object. */
export type AccountView = Pick<Account, 'id' | 'email' | 'role' | 'timezone' | 'createdAt' | 'burnAlertThreshold' | 'monthlyBudgetCap' | 'lowCreditEmails'>;

/**
 * The account row `a`'s public columns. `monthly_budget_cap` and `timezone` are named as the
 * wallet decoder expects them (WALLET_ACCOUNT_COLUMNS), so one query can read both.
 */
export const ACCOUNT_COLUMNS = `a.id as account_id, a.email, a.role, a.timezone, (extract(epoch from a.created_at) * 1000)::float8 as created_ms,
  a.burn_alert_threshold::text as burn_alert_threshold, a.monthly_budget_cap::text as monthly_budget_cap, a.low_credit_emails`;

/** The one decoder of account rows (ACCOUNT_COLUMNS). */
export function decodeAccount(row: Record<string, unknown>): AccountView {
  return {
    id: row.account_id as string,
    email: row.email as string,
    role: row.role as Role,
    timezone: row.timezone as string,
    createdAt: new Date(Number(row.created_ms)),
    burnAlertThreshold: row.burn_alert_threshold === null ? null : BigInt(row.burn_alert_threshold as string),
    monthlyBudgetCap: row.monthly_budget_cap === null ? null : BigInt(row.monthly_budget_cap as string),
    lowCreditEmails: row.low_credit_emails as boolean,
  };
}
