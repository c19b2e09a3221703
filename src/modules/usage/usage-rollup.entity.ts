import { BigIntType, Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/** Stands for "no synfluencer" in the rollup key (primary-key columns cannot be null). */
export const NO_SYNFLUENCER = '00000000-0000-0000-0000-000000000000';

/**
 * Spend per account, local calendar day and usage dimensions: what `usageSummary` reads
 * instead of scanning the ledger.
 *
 * The rollup's rule (kept by usage-rollup.participant.ts in the ledger's write statement,
 * docs/invariants.md "Derived rules"):
 * for every account, the rows with `tz` = the timezone the engine read under the wallet
 * lock sum to exactly -sum(amount) and count(*) of its USAGE and CAPTURE transactions,
 * grouped by the local date of `created_at` in that timezone. After a timezone change the
 * rows written under the old zone are stale; UsageService detects rows of another zone and
 * rebuilds the account's rollup from the ledger (under the wallet lock) before reading it.
 *
 * Why local days and not UTC hours or 15-minute slots: every bucket of every period (day,
 * ISO week, month) is a union of whole local days, so days answer every bucket exactly, and
 * a day aggregates ~24x (hours) to ~96x (15-minute slots) more ledger rows into one rollup
 * row. At a million usage rows a 15-minute rollup has about as many rows as the ledger.
 * Non-midnight `from`/`to` edges are read from the ledger itself (at most two partial days).
 *
 * The primary key starts (account_id, tz, day), so a summary reads one index range; a summary
 * of one synfluencer reads (account_id, tz, synfluencer_id, day). Upserts of an existing key
 * change only total and count, so they are HOT updates that touch neither index.
 * Null dimensions are stored as NO_SYNFLUENCER / '' and mapped back to null when read.
 */
@Entity({ tableName: 'usage_rollup' })
@Index({ name: 'usage_rollup_synfluencer_idx', properties: ['accountId', 'tz', 'synfluencerId', 'day'] })
export class UsageRollup {
  @PrimaryKey({ type: 'uuid' })
  accountId!: string;

  /** The IANA zone `day` was computed in. */
  @PrimaryKey({ type: 'text' })
  tz!: string;

  /** Local calendar date in `tz`. */
  @PrimaryKey({ type: 'date' })
  day!: string;

  @PrimaryKey({ type: 'uuid' })
  synfluencerId: string = NO_SYNFLUENCER;

  @PrimaryKey({ type: 'text' })
  feature: string = '';

  @PrimaryKey({ type: 'text' })
  platform: string = '';

  @PrimaryKey({ type: 'text' })
  automationId: string = '';

  /** Micro-credits spent (positive). */
  @Property({ type: new BigIntType('bigint') })
  total!: bigint;

  @Property({ type: 'integer' })
  count!: number;
}
