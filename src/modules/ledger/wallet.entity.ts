import { BigIntType, Check, Entity, Property, Unique } from '@mikro-orm/core';
import { BaseEntity, References } from '../../shared/base.entity';

/**
 * One wallet per account, written only by the ledger's batches (store/write.ts). Enforced here
 * and in the ledger (docs/invariants.md):
 *  #1 balance + held == sum(bucket.remaining) and balance == sum(transaction.amount)
 *  #2 balance >= 0 and held >= 0 (CHECK constraints: the database refuses a negative balance
 *     even if application code were wrong)
 *  #5 version strictly increases with every committed change
 * Every credit movement locks this row first (store/wallet-lock.ts), which serializes all
 * writers of one wallet across every API instance. `low_credit_fired`, `burn_alert_month` and
 * `cap_alert_month` belong to the alerts participant (alerts.participant.ts), `auto_top_up_attempt_id`
 * to the auto top-up participant (src/modules/auto-top-up/auto-top-up.participant.ts).
 */
@Entity({ tableName: 'wallet' })
@Check({ name: 'wallet_balance_non_negative', expression: 'balance >= 0' })
@Check({ name: 'wallet_held_non_negative', expression: 'held >= 0' })
export class Wallet extends BaseEntity<'balance' | 'held' | 'lifetimeSpend' | 'lifetimePurchased' | 'spentMonth' | 'spentThisMonth' | 'version' | 'lowCreditReference' | 'lowCreditFired' | 'burnAlertMonth' | 'capAlertMonth' | 'autoTopUpAttemptId' | 'updatedAt'> {
  @References('Account', 'account_id')
  @Unique()
  accountId!: string;

  @Property({ type: new BigIntType('bigint'), default: 0 })
  balance: bigint = 0n;

  @Property({ type: new BigIntType('bigint'), default: 0 })
  held: bigint = 0n;

  @Property({ type: new BigIntType('bigint'), default: 0 })
  lifetimeSpend: bigint = 0n;

  @Property({ type: new BigIntType('bigint'), default: 0 })
  lifetimePurchased: bigint = 0n;

  /** The calendar month (account timezone, "YYYY-MM") that `spentThisMonth` counts. */
  @Property({ type: 'text', default: '' })
  spentMonth: string = '';

  @Property({ type: new BigIntType('bigint'), default: 0 })
  spentThisMonth: bigint = 0n;

  @Property({ type: new BigIntType('bigint'), default: 0 })
  version: bigint = 0n;

  /** Balance right after the most recent top-up, allocation or grant: the 100 % of low-credit alerts. */
  @Property({ type: new BigIntType('bigint'), default: 0 })
  lowCreditReference: bigint = 0n;

  /** Bit mask of low-credit thresholds already fired in this cycle (1 = 25 %, 2 = 10 %, 4 = 0 %). */
  @Property({ type: 'smallint', default: 0 })
  lowCreditFired: number = 0;

  /** Month ("YYYY-MM") in which the burn alert last fired; once per month. */
  @Property({ type: 'text', nullable: true })
  burnAlertMonth: string | null = null;

  /** Month in which BUDGET_CAP_REACHED last fired; once per month. */
  @Property({ type: 'text', nullable: true })
  capAlertMonth: string | null = null;

  /** The auto top-up this wallet started and has not seen settle (at most one in flight). */
  @References('AutoTopUpAttempt', 'auto_top_up_attempt_id', { nullable: true })
  autoTopUpAttemptId: string | null = null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  updatedAt: Date = new Date();
}
