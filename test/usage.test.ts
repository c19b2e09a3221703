import { randomUUID } from 'node:crypto';
import { startTestApp, errorCode, type TestApp, type TestUser } from './helpers/app';
import { withSql } from './helpers/db';
import { sharedJwtEnv } from './helpers/subscriptions';
import {
  CaptureHoldDocument,
  CreateApiKeyDocument,
  CreateSynfluencerDocument,
  GrantCreditsDocument,
  LedgerCheckDocument,
  ReleaseHoldDocument,
  ReserveCreditsDocument,
  RevokeApiKeyDocument,
  TransactionsDocument,
  type TransactionsQuery,
  UpdateSettingsDocument,
  UsageSummaryDocument,
  WalletRunwayDocument,
  type UsagePeriod,
  type UsageSummaryQuery,
} from './generated/graphql';
import { ROLLUP_BUILD_SQL } from '../src/modules/usage/usage.service';
import { CreditSource } from '../src/modules/ledger/credit-bucket.entity';
import { formatCredits, parseCredits } from '../src/shared/money';

let t: TestApp;
/** The same database served with USAGE_ROLLUP=off: summaries read the ledger directly. */
let naive: TestApp;
beforeAll(async () => {
  // One key pair for both instances, so a token from one is accepted by the other.
  const keys = sharedJwtEnv();
  t = await startTestApp(keys);
  naive = await startTestApp({ ...keys, USAGE_ROLLUP: 'off' }, { dbUrl: t.dbUrl });
});
afterAll(async () => {
  await naive.stop();
  await t.stop();
});

const C = 1_000_000n;
type Summary = UsageSummaryQuery['usageSummary'];

async function summary(user: TestUser, period: UsagePeriod, args: { synfluencerId?: string; from?: string; to?: string } = {}, app = t): Promise<Summary> {
  return (await app.ok(UsageSummaryDocument, { period, ...args }, user.token)).usageSummary;
}

/** Both strategies (rollup and ledger) must give the same answer; returns it. */
async function summaryBoth(user: TestUser, period: UsagePeriod, args: { synfluencerId?: string; from?: string; to?: string } = {}): Promise<Summary> {
  const a = await summary(user, period, args, t);
  const b = await summary(user, period, args, naive);
  expect(a).toEqual(b);
  return a;
}

const iso = (s: string) => new Date(s).toISOString();
const buckets = (s: Summary) => s.buckets.map((b) => [b.start, b.total, b.count]);

/**
 * Synthetic spend at exact instants, written straight into the ledger (the immutability
 * trigger only refuses UPDATE/DELETE), then the account's rollup rebuilt from the ledger the
 * way UsageService does. Only for accounts whose wallet invariants are not asserted.
 */
async function insertSpend(
  user: TestUser,
  rows: { at: string; credits: bigint; synfluencerId?: string; feature?: string; platform?: string; automationId?: string; kind?: string }[],
): Promise<void> {
  await withSql(t.dbUrl, async (c) => {
    const [{ id: walletId, timezone }] = (
      await c.query(`select w.id, a.timezone from wallet w join account a on a.id = w.account_id where w.account_id = $1`, [user.accountId])
    ).rows;
    let v = 1000;
    for (const r of rows) {
      await c.query(
        `insert into ledger_transaction (id, wallet_id, account_id, kind, amount, balance_after, wallet_version, description, synfluencer_id, feature, platform, automation_id, created_at)
         values ($1, $2, $3, $4, $5, 0, $6, 'synthetic', $7, $8, $9, $10, $11)`,
        [randomUUID(), walletId, user.accountId, r.kind ?? 'USAGE', (-r.credits).toString(), v++, r.synfluencerId ?? null, r.feature ?? 'qc_audit', r.platform ?? null, r.automationId ?? null, r.at],
      );
    }
    await c.query('begin');
    await c.query(`delete from usage_rollup where account_id = $1`, [user.accountId]);
    await c.query(ROLLUP_BUILD_SQL, [user.accountId, timezone]);
    await c.query('commit');
  });
}

async function grant(user: TestUser, credits: string): Promise<void> {
  const admin = await t.admin();
  await t.ok(GrantCreditsDocument, { accountId: user.accountId, amount: credits, reason: 'test credits', idempotencyKey: randomUUID() }, admin.token);
}

async function synfluencer(user: TestUser, name: string): Promise<string> {
  return (await t.ok(CreateSynfluencerDocument, { input: { name, handle: name.toLowerCase().replace(/\W/g, ''), platforms: ['instagram'] } }, user.token)).createSynfluencer.id;
}

describe('bucket boundaries in the account timezone', () => {
  // 2026 in Los Angeles: DST starts Sun 8 March 02:00 PST (10:00Z), ends Sun 1 November 02:00 PDT (09:00Z).
  let la: TestUser;
  beforeAll(async () => {
    la = await t.signUp({ timezone: 'America/Los_Angeles' });
    await insertSpend(la, [
      { at: '2026-03-08T07:59:59.999Z', credits: 1n * C }, // Sat 7 March 23:59:59.999 PST
      { at: '2026-03-08T08:00:00.000Z', credits: 2n * C }, // Sun 8 March 00:00 PST
      { at: '2026-03-09T06:59:59.000Z', credits: 4n * C }, // Sun 8 March 23:59:59 PDT (a 23-hour day)
      { at: '2026-03-09T07:00:00.000Z', credits: 8n * C }, // Mon 9 March 00:00 PDT
      { at: '2026-11-01T06:59:59.000Z', credits: 16n * C }, // Sat 31 October 23:59:59 PDT
      { at: '2026-11-01T07:00:00.000Z', credits: 32n * C }, // Sun 1 November 00:00 PDT
      { at: '2026-11-01T08:30:00.000Z', credits: 64n * C }, // 01:30 PDT (first time)
      { at: '2026-11-01T09:30:00.000Z', credits: 128n * C }, // 01:30 PST (second time; a 25-hour day)
      { at: '2026-11-02T07:59:59.000Z', credits: 256n * C }, // Sun 1 November 23:59:59 PST
      { at: '2026-11-02T08:00:00.000Z', credits: 512n * C }, // Mon 2 November 00:00 PST
    ]);
  });

  it('DAY buckets follow local midnight across the spring-forward change (23-hour day)', async () => {
    const s = await summaryBoth(la, 'DAY', { from: '2026-03-07T08:00:00Z', to: '2026-03-10T07:00:00Z' });
    expect(buckets(s)).toEqual([
      [iso('2026-03-07T08:00:00Z'), '1', 1],
      [iso('2026-03-08T08:00:00Z'), '6', 2],
      [iso('2026-03-09T07:00:00Z'), '8', 1],
    ]);
    expect([s.total, s.count, s.timezone]).toEqual(['15', 4, 'America/Los_Angeles']);
  });

  it('DAY buckets follow local midnight across the fall-back change (25-hour day)', async () => {
    const s = await summaryBoth(la, 'DAY', { from: '2026-10-31T07:00:00Z', to: '2026-11-03T08:00:00Z' });
    expect(buckets(s)).toEqual([
      [iso('2026-10-31T07:00:00Z'), '16', 1],
      [iso('2026-11-01T07:00:00Z'), '480', 4],
      [iso('2026-11-02T08:00:00Z'), '512', 1],
    ]);
  });

  it('WEEK buckets are ISO weeks starting Monday 00:00 local time', async () => {
    const spring = await summaryBoth(la, 'WEEK', { from: '2026-03-02T08:00:00Z', to: '2026-03-16T07:00:00Z' });
    expect(buckets(spring)).toEqual([
      [iso('2026-03-02T08:00:00Z'), '7', 3], // Mon 2 March PST .. Sun 8 March
      [iso('2026-03-09T07:00:00Z'), '8', 1], // Mon 9 March PDT
    ]);
    const fall = await summaryBoth(la, 'WEEK', { from: '2026-10-26T07:00:00Z', to: '2026-11-09T08:00:00Z' });
    expect(buckets(fall)).toEqual([
      [iso('2026-10-26T07:00:00Z'), '496', 5],
      [iso('2026-11-02T08:00:00Z'), '512', 1],
    ]);
  });

  it('MONTH buckets start on the 1st at local midnight, with empty months included', async () => {
    const s = await summaryBoth(la, 'MONTH', { from: '2026-03-01T08:00:00Z', to: '2026-12-01T08:00:00Z' });
    expect(s.buckets).toHaveLength(9);
    expect(s.buckets[0]).toEqual({ start: iso('2026-03-01T08:00:00Z'), total: '15', count: 4 });
    expect(s.buckets.slice(1, 7).every((b) => b.total === '0' && b.count === 0)).toBe(true);
    expect(s.buckets[4].start).toBe(iso('2026-07-01T07:00:00Z')); // PDT
    expect(s.buckets[7]).toEqual({ start: iso('2026-10-01T07:00:00Z'), total: '16', count: 1 });
    expect(s.buckets[8]).toEqual({ start: iso('2026-11-01T07:00:00Z'), total: '992', count: 5 });
    expect([s.total, s.count]).toEqual(['1023', 10]);
  });

  it('counts exactly [from, to) when the range does not start or end at midnight', async () => {
    // No whole local day inside: everything from the ledger.
    const a = await summaryBoth(la, 'DAY', { from: '2026-11-01T08:30:00Z', to: '2026-11-02T08:00:00.001Z' });
    expect(buckets(a)).toEqual([
      [iso('2026-11-01T07:00:00Z'), '448', 3],
      [iso('2026-11-02T08:00:00Z'), '512', 1],
    ]);
    // A whole day in the middle (from the rollup) plus partial days at both ends (from the ledger).
    const b = await summaryBoth(la, 'DAY', { from: '2026-10-31T12:00:00Z', to: '2026-11-02T12:00:00Z' });
    expect(buckets(b)).toEqual([
      [iso('2026-10-31T07:00:00Z'), '16', 1],
      [iso('2026-11-01T07:00:00Z'), '480', 4],
      [iso('2026-11-02T08:00:00Z'), '512', 1],
    ]);
    // Excluding the exact start instant of a row at `to`.
    const c = await summaryBoth(la, 'DAY', { from: '2026-11-01T07:00:00Z', to: '2026-11-02T08:00:00Z' });
    expect([c.total, c.count]).toEqual(['480', 4]);
  });

  it('handles a +05:30 offset (Asia/Kolkata): days start at 18:30Z', async () => {
    const in_ = await t.signUp({ timezone: 'Asia/Kolkata' });
    await insertSpend(in_, [
      { at: '2026-01-14T18:29:59Z', credits: 1n * C }, // Wed 14 Jan 23:59:59 IST
      { at: '2026-01-14T18:30:00Z', credits: 2n * C }, // Thu 15 Jan 00:00 IST
      { at: '2026-01-31T18:29:59.999Z', credits: 4n * C }, // Sat 31 Jan 23:59:59.999 IST
      { at: '2026-01-31T18:30:00Z', credits: 8n * C }, // Sun 1 Feb 00:00 IST
    ]);
    const day = await summaryBoth(in_, 'DAY', { from: '2026-01-13T18:30:00Z', to: '2026-01-15T18:30:00Z' });
    expect(buckets(day)).toEqual([
      [iso('2026-01-13T18:30:00Z'), '1', 1],
      [iso('2026-01-14T18:30:00Z'), '2', 1],
    ]);
    const week = await summaryBoth(in_, 'WEEK', { from: '2026-01-11T18:30:00Z', to: '2026-01-18T18:30:00Z' });
    expect(buckets(week)).toEqual([[iso('2026-01-11T18:30:00Z'), '3', 2]]); // Mon 12 Jan IST
    const month = await summaryBoth(in_, 'MONTH', { from: '2025-12-31T18:30:00Z', to: '2026-02-28T18:30:00Z' });
    expect(buckets(month)).toEqual([
      [iso('2025-12-31T18:30:00Z'), '7', 3],
      [iso('2026-01-31T18:30:00Z'), '8', 1],
    ]);
    // Partial edges with a half-hour offset.
    const edge = await summaryBoth(in_, 'DAY', { from: '2026-01-14T18:00:00Z', to: '2026-01-31T18:29:59.999Z' });
    expect([edge.total, edge.count]).toEqual(['3', 2]);
  });

  it('defaults to the last 30 days, 12 weeks or 12 months including the current one', async () => {
    const u = await t.signUp({ timezone: 'Asia/Kolkata' });
    const day = await summary(u, 'DAY');
    const week = await summary(u, 'WEEK');
    const month = await summary(u, 'MONTH');
    expect([day.buckets.length, week.buckets.length, month.buckets.length]).toEqual([30, 12, 12]);
    const now = Date.now();
    for (const s of [day, week, month]) {
      expect(new Date(s.from).getTime()).toBeLessThanOrEqual(now);
      expect(new Date(s.to).getTime()).toBeGreaterThan(now);
      expect(s.buckets[0].start).toBe(s.from);
    }
    // Local midnights in Kolkata are 18:30Z; ISO weeks start on Monday; months on the 1st.
    expect(day.buckets.every((b) => b.start.endsWith('T18:30:00.000Z'))).toBe(true);
    const mondayLocal = new Date(new Date(week.buckets[3].start).getTime() + 5.5 * 3600_000);
    expect(mondayLocal.getUTCDay()).toBe(1);
    expect(new Date(new Date(month.buckets[5].start).getTime() + 5.5 * 3600_000).getUTCDate()).toBe(1);
  });

  it('rejects an empty, inverted or over-long range', async () => {
    const r = await t.gql(UsageSummaryDocument, { period: 'DAY', from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }, la.token);
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    expect(r.errors![0].message).toMatch(/before/);
    const empty = await t.gql(UsageSummaryDocument, { period: 'DAY', from: '2026-02-01T00:00:00Z', to: '2026-02-01T00:00:00Z' }, la.token);
    expect(errorCode(empty)).toBe('BAD_USER_INPUT');
    const long = await t.gql(UsageSummaryDocument, { period: 'MONTH', from: '2010-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }, la.token);
    expect(errorCode(long)).toBe('BAD_USER_INPUT');
    expect(long.errors![0].message).toMatch(/at most 3700 days/);
    // Exactly at the limit is fine.
    const limit = await t.gql(UsageSummaryDocument, { period: 'MONTH', from: '2016-01-01T00:00:00Z', to: new Date(Date.parse('2016-01-01T00:00:00Z') + 3700 * 86_400_000).toISOString() }, la.token);
    expect(limit.errors).toBeUndefined();
  });
});

describe('timezone changes', () => {
  it('re-buckets history when the account timezone changes (rollup rebuilt in the new zone)', async () => {
    const u = await t.signUp({ timezone: 'UTC' });
    await insertSpend(u, [
      { at: '2026-02-01T02:00:00Z', credits: 1n * C }, // 1 Feb UTC, but 31 Jan in Los Angeles
      { at: '2026-02-10T12:00:00Z', credits: 2n * C },
    ]);
    const range = { from: '2026-01-01T00:00:00Z', to: '2026-03-01T00:00:00Z' };
    const before = await summaryBoth(u, 'MONTH', range);
    expect(buckets(before)).toEqual([
      [iso('2026-01-01T00:00:00Z'), '0', 0],
      [iso('2026-02-01T00:00:00Z'), '3', 2],
    ]);
    await t.ok(UpdateSettingsDocument, { input: { timezone: 'America/Los_Angeles' } }, u.token);
    // A charge after the change is written to the rollup in the new zone.
    await grant(u, '10');
    await t.chargeOk(u, { feature: 'qc_audit', providerCost: '0.5' });

    const after = await summaryBoth(u, 'MONTH', { from: '2026-01-01T08:00:00Z', to: '2026-03-01T08:00:00Z' });
    expect(after.timezone).toBe('America/Los_Angeles');
    expect(buckets(after)).toEqual([
      [iso('2026-01-01T08:00:00Z'), '1', 1],
      [iso('2026-02-01T08:00:00Z'), '2', 1],
    ]);
    const zones = await withSql(t.dbUrl, (c) => c.query(`select distinct tz from usage_rollup where account_id = $1`, [u.accountId]));
    expect(zones.rows).toEqual([{ tz: 'America/Los_Angeles' }]);
    const current = await summaryBoth(u, 'DAY');
    expect([current.total, current.count]).toEqual(['0.5', 1]);
  });
});

describe('rollup maintenance switch', () => {
  it('spend charged with USAGE_ROLLUP=off is missing from the rollup until rebuilt from the ledger', async () => {
    const u = await t.signUp();
    await grant(u, '20');
    await t.chargeOk(u, { feature: 'qc_audit', providerCost: '1.5' }); // through the rollup instance
    await naive.chargeOk(u, { feature: 'qc_audit', providerCost: '2' });
    const fromRollup = await summary(u, 'DAY', {}, t);
    const fromLedger = await summary(u, 'DAY', {}, naive);
    expect([fromRollup.total, fromLedger.total]).toEqual(['1.5', '3.5']);
    await t.app.services.usage.rebuildRollup(u.accountId, { force: true }); // what `npm run usage:rebuild` does
    expect((await summaryBoth(u, 'DAY')).total).toBe('3.5');
  });
});

describe('scoping, holds and breakdowns', () => {
  it('scopes usage to one synfluencer while balance and lifetime figures stay account-wide', async () => {
    const u = await t.signUp({ timezone: 'Europe/Berlin' });
    await grant(u, '100');
    const ava = await synfluencer(u, 'Ava Vega');
    const bo = await synfluencer(u, 'Bo Lin');
    await t.chargeOk(u, { feature: 'talking_head', quantity: 10, synfluencerId: ava, platform: 'instagram', automationId: 'daily-reel' }); // 1.00
    await t.chargeOk(u, { feature: 'trend_discovery', providerCost: '0.25', synfluencerId: bo, platform: 'tiktok' }); // 0.25
    await t.chargeOk(u, { feature: 'ai_video', quantity: 3 }); // 0.39, no synfluencer

    const all = await summaryBoth(u, 'DAY');
    expect([all.total, all.count]).toEqual(['1.64', 3]);
    expect(all.bySynfluencer).toEqual([
      { key: ava, label: 'Ava Vega', total: '1', count: 1 },
      { key: null, label: null, total: '0.39', count: 1 },
      { key: bo, label: 'Bo Lin', total: '0.25', count: 1 },
    ]);
    expect(all.byFeature).toEqual([
      { key: 'talking_head', label: 'Talking head video (HeyGen)', total: '1', count: 1 },
      { key: 'ai_video', label: 'AI video (Veo)', total: '0.39', count: 1 },
      { key: 'trend_discovery', label: 'Trend discovery', total: '0.25', count: 1 },
    ]);
    expect(all.byPlatform).toEqual([
      { key: 'instagram', label: 'instagram', total: '1', count: 1 },
      { key: null, label: null, total: '0.39', count: 1 },
      { key: 'tiktok', label: 'tiktok', total: '0.25', count: 1 },
    ]);
    expect(all.byAutomation).toEqual([
      { key: 'daily-reel', label: 'daily-reel', total: '1', count: 1 },
      { key: null, label: null, total: '0.64', count: 2 },
    ]);
    expect(all.buckets.at(-1)).toMatchObject({ total: '1.64', count: 3 });

    const mine = await summaryBoth(u, 'WEEK', { synfluencerId: ava });
    expect([mine.total, mine.count]).toEqual(['1', 1]);
    expect(mine.bySynfluencer).toEqual([{ key: ava, label: 'Ava Vega', total: '1', count: 1 }]);
    expect(mine.byFeature.map((f) => f.key)).toEqual(['talking_head']);

    const wAll = (await t.ok(WalletRunwayDocument, {}, u.token)).me.wallet;
    const wAva = (await t.ok(WalletRunwayDocument, { synfluencerId: ava }, u.token)).me.wallet;
    expect(wAll.balance).toBe('103.36'); // 5 bonus + 100 - 1.64
    expect(wAva.balance).toBe('103.36');
    expect(wAva.lifetimeSpend).toBe('1.64');
    expect(wAva.runway.spentLast7Days).toBe('1');
    expect(wAll.runway.spentLast7Days).toBe('1.64');
  });

  it("answers NOT_FOUND for another account's synfluencer and enforces WALLET_READ", async () => {
    const owner = await t.signUp();
    const other = await t.signUp();
    const theirs = await synfluencer(owner, 'Theirs');
    expect(errorCode(await t.gql(UsageSummaryDocument, { period: 'DAY', synfluencerId: theirs }, other.token))).toBe('NOT_FOUND');
    expect(errorCode(await t.gql(UsageSummaryDocument, { period: 'DAY', synfluencerId: 'nope' }, other.token))).toBe('NOT_FOUND');
    expect(errorCode(await t.gql(WalletRunwayDocument, { synfluencerId: theirs }, other.token))).toBe('NOT_FOUND');
    expect(errorCode(await t.gql(UsageSummaryDocument, { period: 'DAY' }))).toBe('UNAUTHENTICATED');
    const writeOnly = (await t.ok(CreateApiKeyDocument, { name: 'pipeline', scopes: ['USAGE_WRITE'] }, owner.token)).createApiKey.secret;
    const reader = (await t.ok(CreateApiKeyDocument, { name: 'dashboard', scopes: ['WALLET_READ'] }, owner.token)).createApiKey.secret;
    expect(errorCode(await t.gql(UsageSummaryDocument, { period: 'DAY' }, writeOnly))).toBe('FORBIDDEN');
    expect((await t.ok(UsageSummaryDocument, { period: 'DAY', synfluencerId: theirs }, reader)).usageSummary.total).toBe('0');
  });

  it('counts holds only when captured, at the captured amount', async () => {
    const u = await t.signUp();
    await grant(u, '50');
    const hold = (id: string) => t.ok(ReserveCreditsDocument, { input: { feature: 'talking_head', quantity: 30, idempotencyKey: id } }, u.token);
    const h1 = (await hold(randomUUID())).reserveCredits; // 3.00 held
    let s = await summaryBoth(u, 'DAY');
    expect([s.total, s.count]).toEqual(['0', 0]);

    await t.ok(CaptureHoldDocument, { id: h1.id, quantity: 20 }, u.token); // 2.00 spent, 1.00 returned
    s = await summaryBoth(u, 'DAY');
    expect([s.total, s.count]).toEqual(['2', 1]);
    expect(s.byFeature).toEqual([{ key: 'talking_head', label: 'Talking head video (HeyGen)', total: '2', count: 1 }]);

    const h2 = (await hold(randomUUID())).reserveCredits;
    await t.ok(ReleaseHoldDocument, { id: h2.id }, u.token);
    await hold(randomUUID()); // stays pending
    s = await summaryBoth(u, 'MONTH');
    expect([s.total, s.count]).toEqual(['2', 1]);
    const w = (await t.ok(WalletRunwayDocument, {}, u.token)).me.wallet;
    expect([w.lifetimeSpend, w.spentThisMonth, w.runway.spentLast7Days]).toEqual(['2', '2', '2']);
  });
});

describe('after a random concurrent workload', () => {
  it('every breakdown, bucket and wallet figure equals a direct SQL sum over the ledger', async () => {
    const u = await t.signUp({ timezone: 'Asia/Kolkata' });
    await grant(u, '5000');
    const syns = [await synfluencer(u, 'One'), await synfluencer(u, 'Two'), await synfluencer(u, 'Three')];
    const pick = <T>(xs: T[]): T => xs[Math.floor(Math.random() * xs.length)];
    const platforms = ['instagram', 'tiktok', 'youtube', null];
    const automations = ['a-1', 'a-2', null];
    const usage = () => {
      const feature = pick(['trend_discovery', 'qc_audit', 'talking_head', 'ai_video', 'motion_video']);
      return {
        feature,
        ...(['trend_discovery', 'qc_audit'].includes(feature) ? { providerCost: `0.${Math.floor(Math.random() * 999_999) + 1}` } : { quantity: Math.floor(Math.random() * 20) + 1 }),
        synfluencerId: pick([...syns, null]),
        platform: pick(platforms),
        automationId: pick(automations),
      };
    };
    const failures: unknown[] = [];
    const client = async () => {
      for (let i = 0; i < 12; i++) {
        const op = Math.random();
        try {
          if (op < 0.5) await t.chargeOk(u, usage());
          else if (op < 0.6) await t.app.services.ledger.grant(u.accountId, { source: CreditSource.PURCHASE, amount: BigInt(Math.floor(Math.random() * 10) + 1) * C, description: 'pack' });
          else {
            const input = usage();
            const h = (await t.ok(ReserveCreditsDocument, { input: { ...input, idempotencyKey: randomUUID() } as never }, u.token)).reserveCredits;
            const next = Math.random();
            // Per-second holds are captured at the actual seconds (less than held) or in full; pass-through ones in full.
            const partial = 'quantity' in input && Math.random() < 0.5;
            if (next < 0.5) await t.ok(CaptureHoldDocument, { id: h.id, quantity: partial ? 1 : null }, u.token);
            else if (next < 0.8) await t.ok(ReleaseHoldDocument, { id: h.id }, u.token);
          }
        } catch (err) {
          failures.push(err);
        }
      }
    };
    await Promise.all(Array.from({ length: 32 }, client));
    expect(failures).toEqual([]);

    const direct = await withSql(t.dbUrl, async (c) => {
      const by = async (col: string) =>
        (
          await c.query(
            `select ${col}::text as key, (-sum(amount))::text as total, count(*)::int as count from ledger_transaction
              where account_id = $1 and kind in ('USAGE', 'CAPTURE') group by 1`,
            [u.accountId],
          )
        ).rows.map((r) => ({ key: r.key, total: formatCredits(BigInt(r.total)), count: r.count }));
      const sums = (
        await c.query(
          `select coalesce(-sum(amount) filter (where kind in ('USAGE', 'CAPTURE')), 0)::text as spend,
                  count(*) filter (where kind in ('USAGE', 'CAPTURE'))::int as n,
                  coalesce(sum(amount) filter (where kind = 'PURCHASE'), 0)::text as purchased,
                  count(*) filter (where kind = 'HOLD')::int as holds
             from ledger_transaction where account_id = $1`,
          [u.accountId],
        )
      ).rows[0];
      const rollup = (
        await c.query(`select coalesce(sum(total), 0)::text as total, coalesce(sum(count), 0)::int as count from usage_rollup where account_id = $1`, [u.accountId])
      ).rows[0];
      return { feature: await by('feature'), platform: await by('platform'), automation: await by('automation_id'), synfluencer: await by('synfluencer_id'), sums, rollup };
    });
    expect(direct.sums.holds).toBeGreaterThan(0);
    expect(direct.sums.n).toBeGreaterThan(100);
    const strip = (xs: { key: string | null; total: string; count: number }[]) =>
      xs.map(({ key, total, count }) => ({ key, total, count })).sort((a, b) => String(a.key).localeCompare(String(b.key)));

    for (const period of ['DAY', 'WEEK', 'MONTH'] as const) {
      const s = await summaryBoth(u, period);
      const spend = formatCredits(BigInt(direct.sums.spend));
      expect([s.total, s.count]).toEqual([spend, direct.sums.n]);
      expect(strip(s.byFeature)).toEqual(strip(direct.feature));
      expect(strip(s.byPlatform)).toEqual(strip(direct.platform));
      expect(strip(s.byAutomation)).toEqual(strip(direct.automation));
      expect(strip(s.bySynfluencer)).toEqual(strip(direct.synfluencer));
      const bucketSum = s.buckets.reduce((a, b) => a + parseCredits(b.total), 0n);
      expect(formatCredits(bucketSum)).toBe(spend);
    }
    expect([direct.rollup.total, direct.rollup.count]).toEqual([direct.sums.spend, direct.sums.n]);

    const w = (await t.ok(WalletRunwayDocument, {}, u.token)).me.wallet;
    expect(w.lifetimeSpend).toBe(formatCredits(BigInt(direct.sums.spend)));
    expect(w.spentThisMonth).toBe(formatCredits(BigInt(direct.sums.spend))); // all of it happened this month
    expect(w.lifetimePurchased).toBe(formatCredits(BigInt(direct.sums.purchased)));
    const admin = await t.admin();
    const check = (await t.ok(LedgerCheckDocument, { accountId: u.accountId }, admin.token)).ledgerCheck;
    expect(check.violations).toEqual([]);
  });
});

describe('runway', () => {
  it('dailyBurn is 7-day spend / 7 rounded half up; daysLeft = balance / dailyBurn; null without spend', async () => {
    const u = await t.signUp();
    const empty = (await t.ok(WalletRunwayDocument, {}, u.token)).me.wallet.runway;
    expect(empty).toEqual({ dailyBurn: '0', daysLeft: null, spentLast7Days: '0' });

    await grant(u, '100');
    const ava = await synfluencer(u, 'Ava');
    await t.chargeOk(u, { feature: 'qc_audit', providerCost: '1.000004' }); // 1.000004
    await t.chargeOk(u, { feature: 'talking_head', quantity: 10, synfluencerId: ava }); // 1.00
    // Spend older than 7 days does not count (synthetic row; this account's invariants are not asserted).
    await insertSpend(u, [{ at: new Date(Date.now() - 8 * 86_400_000).toISOString(), credits: 50n * C }]);

    const w = (await t.ok(WalletRunwayDocument, {}, u.token)).me.wallet;
    expect(w.balance).toBe('102.999996');
    // 2.000004 / 7 = 0.285714857… → 0.285715 (half up)
    expect(w.runway).toEqual({ dailyBurn: '0.285715', daysLeft: 102999996 / 285715, spentLast7Days: '2.000004' });
    expect(w.runway.daysLeft).toBeCloseTo(360.5, 1);

    // One synfluencer's rate against the account-wide balance: 1.00 / 7 = 0.142857142… → 0.142857
    const r = (await t.ok(WalletRunwayDocument, { synfluencerId: ava }, u.token)).me.wallet.runway;
    expect(r).toEqual({ dailyBurn: '0.142857', daysLeft: 102999996 / 142857, spentLast7Days: '1' });
  });
});

describe('CSV export', () => {
  function parseCsv(text: string): string[][] {
    const rows: string[][] = [];
    let row: string[] = [];
    let cell = '';
    let quoted = false;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (quoted) {
        if (ch === '"' && text[i + 1] === '"') {
          cell += '"';
          i++;
        } else if (ch === '"') quoted = false;
        else cell += ch;
      } else if (ch === '"') quoted = true;
      else if (ch === ',') {
        row.push(cell);
        cell = '';
      } else if (ch === '\r' && text[i + 1] === '\n') {
        row.push(cell);
        rows.push(row);
        row = [];
        cell = '';
        i++;
      } else cell += ch;
    }
    return rows;
  }

  async function exportCsv(token: string | null, query = ''): Promise<{ status: number; headers: Headers; chunks: number; text: string }> {
    const res = await fetch(t.url.replace('/graphql', `/exports/usage.csv${query}`), { headers: token ? { authorization: `Bearer ${token}` } : {} });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    let chunks = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks++;
      text += decoder.decode(value, { stream: true });
    }
    return { status: res.status, headers: res.headers, chunks, text };
  }

  async function allTransactions(u: TestUser, filter: Record<string, unknown> = {}) {
    const out = [];
    let after: string | null = null;
    for (;;) {
      const page: TransactionsQuery = await t.ok(TransactionsDocument, { first: 100, after, filter } as never, u.token);
      out.push(...page.transactions.edges.map((e) => e.node));
      if (!page.transactions.pageInfo.hasNextPage) break;
      after = page.transactions.pageInfo.endCursor;
    }
    return out as { id: string; kind: string; amount: string; balanceAfter: string; walletVersion: string; description: string; feature: string | null; platform: string | null; automationId: string | null; synfluencer: { id: string } | null; createdAt: string; idempotencyKey: string | null; holdId: string | null }[];
  }

  it('streams every transaction as CSV, matching `transactions`, with its filters', async () => {
    const u = await t.signUp();
    await grant(u, '100');
    const ava = await synfluencer(u, 'Ava, "the first"');
    await withSql(t.dbUrl, async (c) => {
      const [{ id: walletId }] = (await c.query(`select id from wallet where account_id = $1`, [u.accountId])).rows;
      await c.query(
        `insert into ledger_transaction (id, wallet_id, account_id, kind, amount, balance_after, wallet_version, description, feature, platform, created_at)
         select gen_random_uuid(), $1, $2, 'USAGE', -1000 - i, 0, 100000 + i, 'bulk ' || i, 'qc_audit', case when i % 2 = 0 then 'tiktok' end, now() - (i || ' minutes')::interval
           from generate_series(1, 5000) i`,
        [walletId, u.accountId],
      );
    });
    await t.chargeOk(u, { feature: 'talking_head', quantity: 10, synfluencerId: ava, platform: 'instagram', automationId: '=HYPERLINK("x")' });
    const h = (await t.ok(ReserveCreditsDocument, { input: { feature: 'ai_video', quantity: 2, idempotencyKey: randomUUID(), synfluencerId: ava } }, u.token)).reserveCredits;
    await t.ok(CaptureHoldDocument, { id: h.id, quantity: 1 }, u.token);

    const res = await exportCsv(u.token);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    expect(res.headers.get('content-length')).toBeNull();
    expect(res.chunks).toBeGreaterThan(1);
    const [header, ...rows] = parseCsv(res.text);
    expect(header).toEqual(['id', 'createdAt', 'kind', 'amount', 'balanceAfter', 'walletVersion', 'description', 'synfluencerId', 'synfluencerName', 'feature', 'platform', 'automationId', 'provider', 'quantity', 'unit', 'idempotencyKey', 'holdId']);

    const txs = await allTransactions(u);
    expect(txs.length).toBe(5000 + 6); // bonus, grant, charge, hold, release, capture
    expect(rows.length).toBe(txs.length);
    const col = (name: string) => header.indexOf(name);
    rows.forEach((r, i) => {
      const tx = txs[i];
      expect([r[col('id')], r[col('kind')], r[col('amount')], r[col('balanceAfter')], r[col('walletVersion')], r[col('createdAt')], r[col('description')]]).toEqual([
        tx.id,
        tx.kind,
        tx.amount,
        tx.balanceAfter,
        tx.walletVersion,
        tx.createdAt,
        tx.description,
      ]);
      expect([r[col('feature')] || null, r[col('platform')] || null, r[col('synfluencerId')] || null, r[col('holdId')] || null]).toEqual([tx.feature, tx.platform, tx.synfluencer?.id ?? null, tx.holdId]);
    });
    const usageRow = rows.find((r) => r[col('kind')] === 'USAGE' && r[col('synfluencerId')] === ava)!;
    expect(usageRow[col('synfluencerName')]).toBe('Ava, "the first"');
    expect(usageRow[col('automationId')]).toBe(`'=HYPERLINK("x")`); // formula neutralised

    const filtered = await exportCsv(u.token, `?synfluencerId=${ava}&kinds=USAGE,CAPTURE`);
    const fTxs = await allTransactions(u, { synfluencerId: ava, kinds: ['USAGE', 'CAPTURE'] });
    expect(parseCsv(filtered.text).slice(1).map((r) => r[0])).toEqual(fTxs.map((x) => x.id));
    expect(fTxs.length).toBe(2);

    const from = new Date(Date.now() - 100 * 60_000).toISOString();
    const to = new Date(Date.now() - 50 * 60_000).toISOString();
    const ranged = await exportCsv(u.token, `?platform=tiktok&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
    const rTxs = await allTransactions(u, { platform: 'tiktok', from, to });
    expect(rTxs.length).toBeGreaterThan(20);
    expect(parseCsv(ranged.text).slice(1).map((r) => r[0])).toEqual(rTxs.map((x) => x.id));
  });

  it('uses the GraphQL auth: no token is 401, a key without WALLET_READ 403, another account\'s synfluencer 404; dates as the transactions filter takes them', async () => {
    const u = await t.signUp();
    const other = await t.signUp();
    const theirs = await synfluencer(other, 'Theirs');
    const none = await exportCsv(null);
    expect([none.status, JSON.parse(none.text).errors[0].extensions.code]).toEqual([401, 'UNAUTHENTICATED']);
    const writeOnly = (await t.ok(CreateApiKeyDocument, { name: 'w', scopes: ['USAGE_WRITE'] }, u.token)).createApiKey.secret;
    const denied = await exportCsv(writeOnly);
    expect([denied.status, JSON.parse(denied.text).errors[0].extensions.code]).toEqual([403, 'FORBIDDEN']);
    const reader = (await t.ok(CreateApiKeyDocument, { name: 'r', scopes: ['WALLET_READ'] }, u.token)).createApiKey.secret;
    const ok = await exportCsv(reader);
    expect(ok.status).toBe(200);
    expect(parseCsv(ok.text)).toHaveLength(2); // header + sign-up bonus
    const nf = await exportCsv(u.token, `?synfluencerId=${theirs}`);
    expect([nf.status, JSON.parse(nf.text).errors[0].extensions.code]).toEqual([404, 'NOT_FOUND']);
    const bad = await exportCsv(u.token, `?kinds=USAGE,NOPE`);
    expect([bad.status, JSON.parse(bad.text).errors[0].extensions.code]).toEqual([400, 'BAD_USER_INPUT']);
    // Dates as the `transactions` filter takes them, no more: these were read as other days.
    for (const query of ['?to=2026-12-31junk', '?from=2026-02-30T00:00:00Z', '?to=2026-12-31T10:00:00', '?from=2026-12-31']) {
      const refused = await exportCsv(u.token, query);
      expect([query, refused.status, JSON.parse(refused.text).errors[0].extensions.code]).toEqual([query, 400, 'BAD_USER_INPUT']);
    }
    expect((await exportCsv(u.token, `?from=2020-01-01T00:00:00Z&to=${encodeURIComponent('2099-12-31T00:00:00+05:30')}`)).status).toBe(200);
  });

  it('cuts the transfer when its API key is revoked mid-export, before the next page', async () => {
    const u = await t.signUp();
    await withSql(t.dbUrl, async (c) => {
      const [{ id: walletId }] = (await c.query(`select id from wallet where account_id = $1`, [u.accountId])).rows;
      // ~15 MB of CSV: far more than the socket buffers hold, so the server is still paging when the key ends.
      await c.query(
        `insert into ledger_transaction (id, wallet_id, account_id, kind, amount, balance_after, wallet_version, description, created_at)
         select gen_random_uuid(), $1, $2, 'USAGE', -1000, 0, 100000 + i, 'bulk row ' || i, now() - (i || ' seconds')::interval
           from generate_series(1, 100000) i`,
        [walletId, u.accountId],
      );
    });
    const created = (await t.ok(CreateApiKeyDocument, { name: 'export', scopes: ['WALLET_READ'] }, u.token)).createApiKey;
    const res = await fetch(t.url.replace('/graphql', '/exports/usage.csv'), { headers: { authorization: `Bearer ${created.secret}` } });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let received = (await reader.read()).value!.length;
    await t.ok(RevokeApiKeyDocument, { id: created.apiKey.id }, u.token);
    const rest = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return 'complete';
        received += value.length;
      }
    })();
    await expect(rest).rejects.toThrow(); // a truncated transfer, never an end that looks complete
    expect(received).toBeLessThan(5_000_000);
  });
});
