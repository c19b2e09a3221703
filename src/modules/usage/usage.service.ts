import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../../config';
import { Sql } from '../../db/sql';
import { badInput, notFound } from '../../shared/errors';
import { isUuid } from '../../shared/ids';
import { divRoundHalfUp } from '../../shared/money';
import { SPEND_KINDS_SQL } from '../ledger/domain/kinds';
import type { LedgerService } from '../ledger/ledger.service';
import { lockWalletOfAccount } from '../ledger/store/wallet-lock';
import type { PricingService } from '../pricing/pricing.service';
import { NO_SYNFLUENCER } from './usage-rollup.entity';

export enum UsagePeriod {
  DAY = 'DAY',
  WEEK = 'WEEK',
  MONTH = 'MONTH',
}

/** PostgreSQL date_trunc units; 'week' is the ISO week (Monday start). */
const UNIT: Record<UsagePeriod, 'day' | 'week' | 'month'> = { DAY: 'day', WEEK: 'week', MONTH: 'month' };
/** Buckets in the default range when `from` is absent: 30 days, 12 weeks, 12 months. */
const DEFAULT_BUCKETS: Record<UsagePeriod, number> = { DAY: 30, WEEK: 12, MONTH: 12 };
/** Longest range a summary may cover (keeps DAY summaries to a few thousand buckets). */
const MAX_RANGE_DAYS = 3700;
/**
 * The years a range may touch. No ledger entry is older or younger, and at either end of the
 * calendar local buckets would fall in year 0 (before any date a client can read) or in year
 * 10000 (whose five-digit keys do not sort as text).
 */
const EARLIEST = new Date('1970-01-01T00:00:00Z');
const LATEST = new Date('9000-01-01T00:00:00Z');

export interface UsageBucketRow {
  start: Date;
  total: bigint;
  count: number;
}
export interface UsageBreakdownRow {
  key: string | null;
  label: string | null;
  total: bigint;
  count: number;
}
export interface UsageSummaryResult {
  period: UsagePeriod;
  timezone: string;
  from: Date;
  to: Date;
  total: bigint;
  count: number;
  buckets: UsageBucketRow[];
  byFeature: UsageBreakdownRow[];
  byPlatform: UsageBreakdownRow[];
  byAutomation: UsageBreakdownRow[];
  bySynfluencer: UsageBreakdownRow[];
}

export interface RunwayResult {
  /** Spend in the last 7 days (micro-credits). */
  spent7d: bigint;
  /** spent7d / 7, rounded half up to the micro-credit. */
  dailyBurn: bigint;
  /** balance / dailyBurn; null when nothing was spent in the last 7 days. */
  daysLeft: number | null;
}

/**
 * Usage reporting: summaries by day, ISO week or month in the account's timezone, and the
 * spend-rate figures (runway). The rollup it reads is written in the ledger's batches by the
 * usage-rollup participant (usage-rollup.participant.ts), and rebuilt here when stale.
 */
export class UsageService {
  private readonly sql: Sql;

  constructor(
    orm: MikroORM,
    private readonly config: Config,
    private readonly pricing: PricingService,
    private readonly ledger: LedgerService,
  ) {
    this.sql = new Sql(orm);
  }

  async summary(accountId: string, period: UsagePeriod, opts: { synfluencerId?: string | null; from?: Date | null; to?: Date | null } = {}): Promise<UsageSummaryResult> {
    const synfluencerId = opts.synfluencerId ?? null;
    if (synfluencerId !== null) {
      if (!isUuid(synfluencerId)) throw notFound('Synfluencer');
      await this.ledger.assertOwnSynfluencer(accountId, synfluencerId); // another account's synfluencer is NOT_FOUND
    }
    const unit = UNIT[period];
    for (const [name, value] of [['from', opts.from], ['to', opts.to]] as const) {
      if (value && (value < EARLIEST || value > LATEST)) throw badInput(`${name} must lie between ${EARLIEST.toISOString()} and ${LATEST.toISOString()}`);
    }
    const query = () => this.summaryQuery(accountId, unit, DEFAULT_BUCKETS[period], synfluencerId, opts.from ?? null, opts.to ?? null);
    let res = await query();
    if (this.config.usageRollup && res.range.stale) {
      // Rollup rows of another timezone: the account's zone changed since they were written.
      await this.rebuildRollup(accountId);
      res = await query();
    }
    const rows = res.groups;
    const series = res.series;
    const names = new Map(res.names.map((n) => [n.id, n.name]));

    // grouping() bits, most significant first: bucket, synfluencer, feature, platform, automation.
    const only = (bit: number) => 0b11111 ^ (1 << bit);
    const byBucket = new Map<string, { total: bigint; count: number }>();
    const breakdown = (bit: number, key: (r: (typeof rows)[number]) => string | null, label: (k: string | null) => string | null): UsageBreakdownRow[] =>
      rows
        .filter((r) => Number(r.g) === only(bit))
        .map((r) => {
          const k = key(r);
          return { key: k, label: label(k), total: BigInt(r.total), count: Number(r.count) };
        })
        .sort(byTotalDesc);
    for (const r of rows) if (Number(r.g) === only(4)) byBucket.set(r.bucket!, { total: BigInt(r.total), count: Number(r.count) });

    const bySynfluencer = breakdown(3, (r) => (r.s === NO_SYNFLUENCER ? null : r.s), () => null);
    for (const b of bySynfluencer) b.label = b.key === null ? null : (names.get(b.key) ?? null);

    const buckets = series.map((s) => ({ start: new Date(s.start), total: byBucket.get(s.key)?.total ?? 0n, count: byBucket.get(s.key)?.count ?? 0 }));
    let total = 0n;
    let count = 0;
    for (const v of byBucket.values()) {
      total += v.total;
      count += v.count;
    }
    return {
      period,
      timezone: res.range.tz,
      from: new Date(res.range.f),
      to: new Date(res.range.t),
      total,
      count,
      buckets,
      byFeature: breakdown(2, (r) => r.f || null, (k) => (k === null ? null : this.featureLabel(k))),
      byPlatform: breakdown(1, (r) => r.p || null, (k) => k),
      byAutomation: breakdown(0, (r) => r.a || null, (k) => k),
      bySynfluencer,
    };
  }

  /**
   * One statement (one round trip): the range the summary covers, the grouped spend, the bucket
   * series and the synfluencer names.
   *
   * The range, in the account's timezone: absent `to`, the end of the current period; absent
   * `from`, the start of the period N-1 periods before the one `to` falls in. All zone arithmetic
   * happens in PostgreSQL, with the same zone rules the rollup was built with. Whole local days
   * [day_from, day_to) are read from the rollup (USAGE_ROLLUP=on); the partial days at either end,
   * [f, i_from) and [i_to, t), from the ledger. With the rollup off, everything comes from the
   * ledger (the naive GROUP BY, and the benchmark's baseline). Nothing is aggregated unless the
   * range is valid (`ok`); the caller turns the flags into errors.
   *
   * `unit` comes from the UNIT table, never from the caller, so it is inlined: the grouping
   * expression must be textually identical in SELECT and GROUP BY. Each (unit, source, scope)
   * is one fixed text, run as a prepared statement.
   */
  private async summaryQuery(accountId: string, unit: (typeof UNIT)[UsagePeriod], n: number, synfluencerId: string | null, from: Date | null, to: Date | null) {
    const synFilter = synfluencerId === null ? '' : 'and synfluencer_id = $4';
    const spendRow = `(created_at at time zone rng.tz)::date as day, coalesce(synfluencer_id, '${NO_SYNFLUENCER}'::uuid) as synfluencer_id,
                      coalesce(feature, '') as feature, coalesce(platform, '') as platform, coalesce(automation_id, '') as automation_id,
                      -amount as total, 1 as count`;
    const source = this.config.usageRollup
      ? `select u.day, u.synfluencer_id, u.feature, u.platform, u.automation_id, u.total, u.count
           from rng join usage_rollup u on u.account_id = $1 and u.tz = rng.tz and u.day >= rng.day_from and u.day < rng.day_to
          where rng.ok ${synFilter}
         union all
         select ${spendRow}
           from rng join ledger_transaction l on l.account_id = $1 and l.kind in ${SPEND_KINDS_SQL}
                 and ((l.created_at >= rng.f and l.created_at < rng.i_from) or (l.created_at >= rng.i_to and l.created_at < rng.t))
          where rng.ok ${synFilter}`
      : `select ${spendRow}
           from rng join ledger_transaction l on l.account_id = $1 and l.kind in ${SPEND_KINDS_SQL} and l.created_at >= rng.f and l.created_at < rng.t
          where rng.ok ${synFilter}`;
    // A day is its own bucket; weeks and months truncate the local date (ISO weeks start on Monday).
    const bucketOf = unit === 'day' ? 'day' : `date_trunc('${unit}', day::timestamp)`;
    type GroupRow = { g: number; bucket: string | null; s: string; f: string; p: string; a: string; total: string; count: string };
    type RangeRow = { tz: string; f: string; t: string; ok: boolean; ordered: boolean; stale: boolean };
    const rows = await this.sql.query<{ range: RangeRow | null; groups: GroupRow[]; series: { key: string; start: string }[]; names: { id: string; name: string }[] }>(
      `with acc as (select timezone as tz from account where id = $1),
            t as (select tz, coalesce($2::timestamptz, (date_trunc('${unit}', now() at time zone tz) + interval '1 ${unit}') at time zone tz) as t from acc),
            r as (select tz, t, coalesce($3::timestamptz, (date_trunc('${unit}', (t - interval '1 microsecond') at time zone tz) - interval '${n - 1} ${unit}') at time zone tz) as f from t),
            d as (select tz, f, t,
                         case when date_trunc('day', f at time zone tz) = f at time zone tz then date_trunc('day', f at time zone tz)
                              else date_trunc('day', f at time zone tz) + interval '1 day' end as a_local,
                         date_trunc('day', t at time zone tz) as b_local
                    from r),
            rng as materialized (
              select tz, f, t, f < t as ordered, f < t and t - f <= interval '${MAX_RANGE_DAYS} days' as ok,
                     a_local::date as day_from,
                     -- No whole local day inside the range: everything comes from the ledger.
                     case when a_local < b_local then b_local else a_local end::date as day_to,
                     case when a_local < b_local then a_local at time zone tz else t end as i_from,
                     case when a_local < b_local then b_local at time zone tz else t end as i_to,
                     -- Rollup rows of another zone mean the timezone changed since they were written.
                     -- (The ORDER BY makes both probes walk the primary key from (account_id, tz), never a scan.)
                     (select u.tz from usage_rollup u where u.account_id = $1 and u.tz < d.tz order by u.tz desc limit 1) is not null
                       or (select u.tz from usage_rollup u where u.account_id = $1 and u.tz > d.tz order by u.tz limit 1) is not null as stale
                from d),
            agg as (
              select grouping(${bucketOf}, synfluencer_id, feature, platform, automation_id) as g,
                     to_char(${bucketOf}, 'YYYY-MM-DD') as bucket, synfluencer_id::text as s, feature as f, platform as p, automation_id as a,
                     sum(total)::text as total, sum(count)::text as count
                from (${source}) src
               group by grouping sets ((${bucketOf}), (synfluencer_id), (feature), (platform), (automation_id))),
            ser as (
              select to_char(gs, 'YYYY-MM-DD') as key, gs at time zone rng.tz as start
                from rng, generate_series(date_trunc('${unit}', rng.f at time zone rng.tz), rng.t at time zone rng.tz - interval '1 microsecond', interval '1 ${unit}') gs
               where rng.ok)
       select (select json_build_object('tz', tz, 'f', f, 't', t, 'ok', ok, 'ordered', ordered, 'stale', stale) from rng) as range,
              (select coalesce(json_agg(agg), '[]') from agg) as groups,
              (select coalesce(json_agg(ser order by ser.key), '[]') from ser) as series,
              -- archived synfluencers too: their past usage keeps its label
              (select coalesce(json_agg(json_build_object('id', id, 'name', name)), '[]') from synfluencer where account_id = $1) as names`,
      [accountId, to, from, ...(synfluencerId === null ? [] : [synfluencerId])],
      { prepare: true },
    );
    const res = rows[0];
    if (!res?.range) throw notFound('Account');
    if (!res.range.ordered) throw badInput('from must be before to');
    if (!res.range.ok) throw badInput(`a usage summary covers at most ${MAX_RANGE_DAYS} days`);
    return { ...res, range: res.range };
  }

  /**
   * Recomputes an account's rollup from its ledger (when stale, or always with `force`: after
   * running with USAGE_ROLLUP=off, see `npm run usage:rebuild`). Holds the wallet row lock, like every
   * ledger batch, so no spend can commit between the delete and the insert (the rollup stays
   * equal to the ledger) and the zone read here is the one new rows will be written with.
   */
  async rebuildRollup(accountId: string, opts: { force?: boolean } = {}): Promise<void> {
    await this.sql.withTransaction(async (client) => {
      if (!(await lockWalletOfAccount(client, accountId))) return;
      const account = await client.query<{ timezone: string }>('select timezone from account where id = $1', [accountId]);
      const timezone = account.rows[0].timezone;
      if (!opts.force) {
        const stale = await client.query('select 1 from usage_rollup where account_id = $1 and tz <> $2 limit 1', [accountId, timezone]);
        if (stale.rowCount === 0) return; // another instance rebuilt it while we waited for the lock
      }
      await client.query('delete from usage_rollup where account_id = $1', [accountId]);
      await client.query(ROLLUP_BUILD_SQL, [accountId, timezone]);
    });
  }

  /** Spend rate over the last 7 days (one synfluencer or all), against the account-wide balance. */
  async runway(accountId: string, balance: bigint, synfluencerId?: string | null): Promise<RunwayResult> {
    if (synfluencerId) {
      if (!isUuid(synfluencerId)) throw notFound('Synfluencer');
      await this.ledger.assertOwnSynfluencer(accountId, synfluencerId);
    }
    const [r] = await this.sql.query<{ spent: string }>(
      `select coalesce(-sum(amount), 0)::text as spent from ledger_transaction
        where account_id = ? and kind in ${SPEND_KINDS_SQL} and created_at >= now() - interval '7 days' ${synfluencerId ? 'and synfluencer_id = ?' : ''}`,
      synfluencerId ? [accountId, synfluencerId] : [accountId],
    );
    return runwayFrom(BigInt(r.spent), balance);
  }

  private featureLabel(feature: string): string {
    return this.pricing.book.features.find((f) => f.feature === feature)?.label ?? feature;
  }
}

/** Runway arithmetic: dailyBurn = spent7d / 7 (half up, micro-credits); daysLeft = balance / dailyBurn. */
export function runwayFrom(spent7d: bigint, balance: bigint): RunwayResult {
  if (spent7d <= 0n) return { spent7d: 0n, dailyBurn: 0n, daysLeft: null };
  const dailyBurn = divRoundHalfUp(spent7d, 7n);
  // Under 4 micro-credits a week the rounded burn is 0: use the exact rate instead of dividing by 0.
  const daysLeft = dailyBurn > 0n ? Number(balance) / Number(dailyBurn) : (Number(balance) * 7) / Number(spent7d);
  return { spent7d, dailyBurn, daysLeft };
}

/** Builds an account's rollup from its ledger in zone $2 (rebuilds, and the benchmark's bulk load). */
export const ROLLUP_BUILD_SQL = `insert into usage_rollup (account_id, tz, day, synfluencer_id, feature, platform, automation_id, total, count)
  select $1, $2::text, (created_at at time zone $2::text)::date, coalesce(synfluencer_id, '${NO_SYNFLUENCER}'::uuid), coalesce(feature, ''),
         coalesce(platform, ''), coalesce(automation_id, ''), -sum(amount), count(*)
    from ledger_transaction where account_id = $1 and kind in ${SPEND_KINDS_SQL}
   group by 3, 4, 5, 6, 7`;

function byTotalDesc(a: UsageBreakdownRow, b: UsageBreakdownRow): number {
  if (a.total !== b.total) return a.total > b.total ? -1 : 1;
  if (a.key === b.key) return 0;
  if (a.key === null) return 1;
  if (b.key === null) return -1;
  return a.key < b.key ? -1 : 1;
}
