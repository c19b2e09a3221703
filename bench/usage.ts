import { randomBytes, randomUUID } from 'node:crypto';
import { gql as post, type Answer, jwtKeys, startBenchDb, startServer, withClient, type ServerProcess } from './harness';
import { ROLLUP_BUILD_SQL } from '../src/modules/usage/usage.service';

/** The shared client with this file's argument order: (url, token, query, variables). */
const gql = (url: string, token: string | null, query: string, variables: Record<string, unknown>): Promise<Answer> => post(url, query, variables, token ?? undefined);

/**
 * Usage reporting at scale (issue 6):
 *  1. usageSummary over HTTP for DAY / WEEK / MONTH, all synfluencers and one, p50/p95 — read
 *     from the daily rollup (a server with USAGE_ROLLUP=on) against the naive GROUP BY over
 *     ledger_transaction (a server with USAGE_ROLLUP=off on the same database), in the same
 *     run; both answers must be equal. Two ranges: the whole history (every one of the
 *     1,000,000 rows: the target) and the default ranges (30 days, 12 weeks, 12 months).
 *  2. chargeUsage throughput with rollup maintenance on vs off (same statement, one CTE more).
 *
 * The servers run as their own processes (like `npm start`), so the client's work and garbage
 * collection do not land inside the timed server work; timed requests go through the harness's
 * keep-alive node:http client, the leanest way to time a request end to end.
 *
 * The data: one account with `rows` USAGE transactions spread evenly over 13 months
 * (about 2,500 a day at 1,000,000), 20 synfluencers with 3 automations each; an automation
 * posts to one platform and uses 3 of the price book's 7 features.
 */
export interface UsageBenchOptions {
  /** @default 1_000_000 */
  rows?: number;
  /** Timed usageSummary requests per case from the rollup (cheap: enough for a stable p95). @default 50 */
  runs?: number;
  /** Timed requests per case for the naive GROUP BY (seconds each at 1M rows). @default 10 */
  naiveRuns?: number;
  /** Seconds per charge-throughput leg (each mode runs two legs, alternating). @default 4 */
  chargeSeconds?: number;
  /** @default 16 */
  concurrency?: number;
  log?: (msg: string) => void;
  /** From `npm run bench` (bench/harness.ts): a fresh database on the run's server. */
  createDatabase?: (name: string) => Promise<string>;
}

const FEATURES = ['trend_discovery', 'content_generation', 'qc_audit', 'image_generation', 'talking_head', 'ai_video', 'motion_video'];
const PLATFORMS = ['instagram', 'tiktok', 'youtube', 'x'];
const SYNFLUENCERS = 20;

const SUMMARY_QUERY = `query ($period: UsagePeriod!, $synfluencerId: ID, $from: DateTime, $to: DateTime) {
  usageSummary(period: $period, synfluencerId: $synfluencerId, from: $from, to: $to) {
    total count from to buckets { start total count }
    byFeature { key label total count } byPlatform { key label total count }
    byAutomation { key label total count } bySynfluencer { key label total count }
  }
}`;

const CHARGE_MUTATION = `mutation ($input: ChargeUsageInput!) { chargeUsage(input: $input) { transaction { id } } }`;

export async function benchUsage(opts: UsageBenchOptions = {}): Promise<string> {
  const rows = opts.rows ?? 1_000_000;
  const runs = opts.runs ?? 50;
  const naiveRuns = opts.naiveRuns ?? 10;
  const chargeSeconds = opts.chargeSeconds ?? 4;
  const concurrency = opts.concurrency ?? 16;
  const say = opts.log ?? ((m: string) => process.stderr.write(`[bench:usage] ${m}\n`));

  // Standalone (`node dist/bench/usage.js`): a PostgreSQL of its own from the shared harness.
  const own = opts.createDatabase ? null : await startBenchDb();
  const db = { url: await (opts.createDatabase ?? own!.createDatabase)('bench_usage'), drop: async () => own?.stop() };
  const env = {
    DATABASE_URL: db.url,
    DB_POOL_SIZE: '20',
    ...(await jwtKeys()),
    // the charge-throughput payers spend from their sign-up bonus
    SIGNUP_BONUS: '1000000000',
  };
  const servers: ServerProcess[] = [];
  try {
    const on = await startServer({ ...env, USAGE_ROLLUP: 'on' });
    servers.push(on);
    const off = await startServer({ ...env, USAGE_ROLLUP: 'off' });
    servers.push(off);
    const onUrl = on.url;
    const offUrl = off.url;

    // ---- data
    const user = await signUp(onUrl, 'America/New_York');
    const syns: string[] = [];
    for (let i = 0; i < SYNFLUENCERS; i++) {
      const r = await gql(onUrl, user.token, `mutation ($input: CreateSynfluencerInput!) { createSynfluencer(input: $input) { id } }`, {
        input: { name: `Synfluencer ${i + 1}`, handle: `syn${i + 1}`, platforms: PLATFORMS },
      });
      syns.push(r.createSynfluencer.id);
    }
    const started = Date.now();
    say(`inserting ${rows.toLocaleString('en')} usage rows over 13 months…`);
    await withClient(db.url, async (c) => {
      const [{ id: walletId }] = (await c.query(`select id from wallet where account_id = $1`, [user.accountId])).rows;
      // Rows spread evenly over 395 days, oldest first (seq follows time, as in production).
      // i % 20 picks the synfluencer, (i / 20) % 3 its automation, which fixes the platform
      // and a set of 3 features; (i / 60) % 3 picks one of those features.
      await c.query(
        `insert into ledger_transaction (id, wallet_id, account_id, kind, amount, balance_after, wallet_version, description,
                                         synfluencer_id, feature, platform, automation_id, created_at)
         select gen_random_uuid(), $1, $2, 'USAGE', -(1000 + (i::bigint * 7919) % 2000000), 0, 10 + i, 'Bench usage',
                ($3::uuid[])[1 + i % 20],
                ($4::text[])[1 + ((i % 20) * 3 + (i / 20) % 3 + (i / 60) % 3) % 7],
                ($5::text[])[1 + ((i % 20) + (i / 20) % 3) % 4],
                'auto-' || (i % 20) || '-' || ((i / 20) % 3),
                now() - interval '395 days' * (1 - i::float8 / $6)
           from generate_series(1, $6::int) i`,
        [walletId, user.accountId, syns, FEATURES, PLATFORMS, rows],
      );
      const insertedAt = Date.now();
      say(`ledger rows inserted in ${((insertedAt - started) / 1000).toFixed(1)} s; building the rollup…`);
      await c.query(`delete from usage_rollup where account_id = $1`, [user.accountId]);
      await c.query(ROLLUP_BUILD_SQL, [user.accountId, 'America/New_York']);
      await c.query(`vacuum analyze ledger_transaction`);
      await c.query(`vacuum analyze usage_rollup`);
    });
    const rollupRows = await withClient(db.url, async (c) => (await c.query(`select count(*)::int as n from usage_rollup where account_id = $1`, [user.accountId])).rows[0].n as number);
    const setupSeconds = (Date.now() - started) / 1000;
    say(`setup done in ${setupSeconds.toFixed(1)} s (${rollupRows.toLocaleString('en')} rollup rows)`);

    // ---- summaries
    // The whole history: from the first usage row's local day to the end of today.
    const span = await withClient(db.url, async (c) =>
      (await c.query(`select date_trunc('day', min(created_at) at time zone 'America/New_York') at time zone 'America/New_York' as f,
                             (date_trunc('day', now() at time zone 'America/New_York') + interval '1 day') at time zone 'America/New_York' as t
                        from ledger_transaction where account_id = $1`, [user.accountId])).rows[0] as { f: Date; t: Date },
    );
    type Case = { range: 'history' | 'default'; period: string; scope: string; synfluencerId: string | null };
    const cases: Case[] = [];
    for (const range of ['history', 'default'] as const) {
      for (const period of ['DAY', 'WEEK', 'MONTH']) {
        cases.push({ range, period, scope: 'all synfluencers', synfluencerId: null });
        cases.push({ range, period, scope: 'one synfluencer', synfluencerId: syns[3] });
      }
    }
    const summaryRows: Record<Case['range'], string[]> = { history: [], default: [] };
    let allEqual = true;
    const worst: Record<Case['range'], number> = { history: Infinity, default: Infinity };
    for (const c of cases) {
      const vars = { period: c.period, synfluencerId: c.synfluencerId, ...(c.range === 'history' ? { from: span.f.toISOString(), to: span.t.toISOString() } : {}) };
      const a = await gql(onUrl, user.token, SUMMARY_QUERY, vars);
      const b = await gql(offUrl, user.token, SUMMARY_QUERY, vars);
      const equal = JSON.stringify(a) === JSON.stringify(b);
      allEqual &&= equal;
      const fast = await timeRuns(runs, 2, () => gql(onUrl, user.token, SUMMARY_QUERY, vars));
      const slow = await timeRuns(naiveRuns, 1, () => gql(offUrl, user.token, SUMMARY_QUERY, vars));
      const ratio = slow.p95 / fast.p95;
      worst[c.range] = Math.min(worst[c.range], ratio);
      summaryRows[c.range].push(
        `| ${c.period} | ${c.scope} | ${a.usageSummary.count.toLocaleString('en')} | ${ms(fast.p50)} | ${ms(fast.p95)} | ${ms(slow.p50)} | ${ms(slow.p95)} | ${ratio.toFixed(1)}x | ${equal ? 'yes' : 'NO'} |`,
      );
      say(`${c.range} ${c.period} ${c.scope}: rollup p95 ${ms(fast.p95)} ms, naive p95 ${ms(slow.p95)} ms`);
    }

    // The floor every request pays (HTTP, auth, GraphQL) whatever the strategy: context for small ranges.
    const floor = await timeRuns(runs, 2, () => gql(onUrl, user.token, `query { me { id } }`, {}));
    say(`floor (me { id }): p50 ${ms(floor.p50)} ms, p95 ${ms(floor.p95)} ms`);

    // ---- charge throughput, rollup maintenance on vs off (alternating legs to spread noise)
    const totals = { on: { n: 0, s: 0 }, off: { n: 0, s: 0 } };
    for (const mode of ['off', 'on', 'off', 'on'] as const) {
      const url = mode === 'on' ? onUrl : offUrl;
      const payer = await signUp(url, 'Europe/Berlin');
      const r = await chargeLoad(url, payer.token, await payerSynfluencers(url, payer.token), chargeSeconds, concurrency);
      totals[mode].n += r.ok;
      totals[mode].s += r.seconds;
      if (r.failed) say(`${mode}: ${r.failed} charges failed`);
      say(`charges with rollup ${mode}: ${(r.ok / r.seconds).toFixed(0)}/s`);
    }
    const onRate = totals.on.n / totals.on.s;
    const offRate = totals.off.n / totals.off.s;

    const table = (range: Case['range']) => [
      '| period | scope | usage rows in range | rollup p50 ms | rollup p95 ms | naive GROUP BY p50 ms | naive GROUP BY p95 ms | p95 speed-up | same answer |',
      '|---|---|---:|---:|---:|---:|---:|---:|---|',
      ...summaryRows[range],
    ];
    return [
      `### Usage reporting (${rows.toLocaleString('en')} usage rows over 13 months, one account, America/New_York)`,
      '',
      `Setup ${setupSeconds.toFixed(0)} s; daily rollup: ${rollupRows.toLocaleString('en')} rows. Each server (rollup on, rollup off) is its own process on the same database; timed requests over HTTP (keep-alive node:http client), one at a time, per cell: ${runs} from the rollup (after 2 warm-ups), ${naiveRuns} naive (after 1).`,
      '',
      `Whole history (the summary covers all ${rows.toLocaleString('en')} rows):`,
      '',
      ...table('history'),
      '',
      `Target p95 speed-up >= 10x at ${rows.toLocaleString('en')} rows: worst case ${worst.history.toFixed(1)}x (${worst.history >= 10 ? 'met' : 'NOT met'}).`,
      '',
      'Default ranges (no from/to: the last 30 days, 12 weeks, 12 months; a fraction of the rows):',
      '',
      ...table('default'),
      '',
      `Worst case ${worst.default.toFixed(1)}x. Answers identical (rollup vs naive, every cell): ${allEqual ? 'yes' : 'NO'}. Request floor (\`me { id }\`, same server and client): p50 ${ms(floor.p50)} ms, p95 ${ms(floor.p95)} ms.`,
      '',
      `| chargeUsage over HTTP, ${concurrency} clients, ${2 * chargeSeconds} s per mode | charges/s |`,
      '|---|---:|',
      `| rollup maintenance off | ${offRate.toFixed(0)} |`,
      `| rollup maintenance on | ${onRate.toFixed(0)} |`,
      `| on / off | ${(onRate / offRate).toFixed(2)}x (target >= 0.9x: ${onRate / offRate >= 0.9 ? 'met' : 'NOT met'}) |`,
      '',
    ].join('\n');
  } finally {
    for (const server of servers.reverse()) await server.stop().catch(() => undefined);
    await db.drop();
  }
}

async function timeRuns(runs: number, warmups: number, fn: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < warmups; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  const pct = (p: number) => times[Math.min(times.length - 1, Math.ceil((p / 100) * times.length) - 1)];
  return { p50: pct(50), p95: pct(95) };
}

const ms = (v: number) => (v < 10 ? v.toFixed(1) : v.toFixed(0));

async function payerSynfluencers(url: string, token: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < 4; i++) {
    const r = await gql(url, token, `mutation ($input: CreateSynfluencerInput!) { createSynfluencer(input: $input) { id } }`, {
      input: { name: `Payer ${i}`, handle: `payer${i}`, platforms: PLATFORMS },
    });
    ids.push(r.createSynfluencer.id);
  }
  return ids;
}

/** `concurrency` clients charging back to back for `seconds`; varied dimensions so batches touch several rollup rows. */
async function chargeLoad(url: string, token: string, syns: string[], seconds: number, concurrency: number): Promise<{ ok: number; failed: number; seconds: number }> {
  let ok = 0;
  let failed = 0;
  const t0 = Date.now();
  const until = t0 + seconds * 1000;
  let n = 0;
  const client = async () => {
    while (Date.now() < until) {
      const i = n++;
      try {
        await gql(url, token, CHARGE_MUTATION, {
          input: {
            feature: 'talking_head',
            quantity: 1 + (i % 30),
            synfluencerId: syns[i % syns.length],
            platform: PLATFORMS[i % PLATFORMS.length],
            automationId: `auto-${i % 5}`,
            idempotencyKey: randomUUID(),
          },
        });
        ok++;
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  return { ok, failed, seconds: (Date.now() - t0) / 1000 };
}

async function signUp(url: string, timezone: string): Promise<{ token: string; accountId: string }> {
  const email = `bench-${randomBytes(5).toString('hex')}@bench.dev`;
  const r = await gql(url, null, `mutation ($input: SignUpInput!) { signUp(input: $input) { accessToken account { id } } }`, {
    input: { email, password: 'Bench-passw0rd', timezone },
  });
  return { token: r.signUp.accessToken, accountId: r.signUp.account.id };
}

if (require.main === module) {
  const n = (name: string) => (process.env[name] ? Number(process.env[name]) : undefined);
  benchUsage({ rows: n('BENCH_USAGE_ROWS'), runs: n('BENCH_USAGE_RUNS'), naiveRuns: n('BENCH_USAGE_NAIVE_RUNS'), chargeSeconds: n('BENCH_USAGE_CHARGE_SECONDS') })
    .then((md) => {
      process.stdout.write(md + '\n');
      process.exit(0);
    })
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
