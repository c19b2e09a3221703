import { BigIntType, Entity, Index, ManyToOne, Property } from '@mikro-orm/core';

/**
 * An account's auto top-up settings, its saved card, and the counters the decision needs. Read by
 * every ledger batch under the wallet lock (the auto top-up participant's `loadColumn`), so every
 * writer takes that lock first: the settings mutation, the card saved from a Stripe webhook, and
 * a failed top-up. The price (`credits`, `amount_minor`, `currency`) is fixed when the settings
 * are saved, so a batch needs no catalog.
 */
// The worker's sweep finds spacings that have ended (auto-top-up.worker.ts); a batch clears them.
@Index({
  name: 'auto_top_up_retry_after_index',
  properties: ['retryAfter'],
  expression: 'create index "auto_top_up_retry_after_index" on "auto_top_up" ("retry_after") where retry_after is not null',
})
@Entity({ tableName: 'auto_top_up' })
export class AutoTopUp {
  /** One row per account; the key is the account's id (a foreign key, docs/invariants.md). */
  @ManyToOne('Account', { primary: true, joinColumn: 'account_id', mapToPk: true, deleteRule: 'restrict', updateRule: 'restrict' })
  accountId!: string;

  @Property({ type: 'boolean', default: false })
  enabled: boolean = false;

  /** A spend that leaves the balance below this starts a top-up. */
  @Property({ type: new BigIntType('bigint'), nullable: true })
  threshold: bigint | null = null;

  /** The pack bought, or null for a custom amount. */
  @Property({ type: 'text', nullable: true })
  packId: string | null = null;

  /** Credits per top-up (micro-credits). */
  @Property({ type: new BigIntType('bigint'), nullable: true })
  credits: bigint | null = null;

  /** Price per top-up in the smallest currency unit. */
  @Property({ type: new BigIntType('bigint'), nullable: true })
  amountMinor: bigint | null = null;

  @Property({ type: 'text', nullable: true })
  currency: string | null = null;

  /** Top-ups started per calendar month (account timezone), failed ones not counted. */
  @Property({ type: 'integer', default: 3 })
  monthlyMaximum: number = 3;

  /** Saved for off-session payments by a Checkout with setup_future_usage or a setup-mode Checkout. */
  @Property({ type: 'text', nullable: true })
  paymentMethodId: string | null = null;

  /** When Stripe last saved a card here (a replaced card moves it). */
  @Property({ type: 'timestamptz', nullable: true })
  paymentMethodSavedAt: Date | null = null;

  @Property({ type: 'text', nullable: true })
  stripeCustomerId: string | null = null;

  /** The month ("YYYY-MM") `startedThisMonth` counts. */
  @Property({ type: 'text', default: '' })
  monthKey: string = '';

  @Property({ type: 'integer', default: 0 })
  startedThisMonth: number = 0;

  /** Failed top-ups since the last success or save; at AUTO_TOP_UP_MAX_FAILURES no more start. */
  @Property({ type: 'integer', default: 0 })
  consecutiveFailures: number = 0;

  @Property({ type: 'text', nullable: true })
  lastFailure: string | null = null;

  /**
   * No top-up starts before this after a failure (AUTO_TOP_UP_RETRY_AFTER_SECONDS, doubling with
   * each failure in a row); null when no failed top-up waits: cleared with `consecutiveFailures`,
   * and by the first batch that decides after it has passed (the worker asks for one).
   */
  @Property({ type: 'timestamptz', nullable: true })
  retryAfter: Date | null = null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  updatedAt: Date = new Date();
}
