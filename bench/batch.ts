import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { fmt, gql, jwtKeys, pct, processStat, root, startServer, withClient, type BenchDb, type ServerProcess } from './harness';
import { rawCharges } from './ledger';

/**
 * Batch charging (issue 14, part 3): `chargeUsageBatch` over HTTP, batches of 100 charges, each
 * batch from one account's API key (USAGE_WRITE), 16 clients over 1,000 wallets, against two raw
 * SQL baselines on the same PostgreSQL in the same run, measured like bench/ledger.ts measures
 * raw SQL: single-debit transactions (conditional UPDATE + ledger INSERT, one transaction each)
 * and batched debits (the same two statements 100 times in one transaction, on one wallet, as a
 * batch of one account is). Targets: >= 10x the single-debit rate, >= 0.3x the batched rate.
 */
const CLIENTS = 16;
const BATCH = 100;
const WALLETS = 1000;
/**
 * The three scenarios take turns, ROUNDS times, round r starting with scenario r (API, raw
 * single, raw batched; raw single, raw batched, API; ...); each turn runs LEAD_IN_SECONDS
 * uncounted then ROUND_SECONDS counted on the same clients, and each row sums its rounds. This
 * machine's fsync latency and CPU drift by ±25 % within a minute; taking turns gives every
 * scenario the same share of each period, so the ratios compare like with like (one scenario
 * after another put whole drifts into one ratio).
 */
const ROUNDS = Number(process.env.BENCH_BATCH_ROUNDS ?? 3);
const ROUND_SECONDS = Number(process.env.BENCH_SECONDS ?? 8) / 2;
const LEAD_IN_SECONDS = 1;
/** 0.1 credits: one second of talking head, the same debit the raw baselines make. */
const DEBIT_MICROS = 100_000;

const BATCH_MUTATION = `mutation ($inputs: [ChargeUsageInput!]!) {
  chargeUsageBatch(inputs: $inputs) { charge { transaction { id amount } wallet { balance } } error { code message } }
}`;

/** CPU seconds used so far by the bench PostgreSQL's processes (the postmaster's children: backends, writers), by pid. */
function postgresCpuByPid(postmasterPid: number): Map<string, number> {
  const used = new Map<string, number>();
  for (const pid of fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = processStat(Number(pid));
      if (stat.parent !== postmasterPid && Number(pid) !== postmasterPid) continue;
      used.set(pid, stat.userSeconds + stat.systemSeconds);
    } catch {
      // the process ended between the listing and the read
    }
  }
  return used;
}

/** PostgreSQL CPU seconds between two snapshots: per process, so backends that ended in between (the raw clients') subtract nothing. */
function postgresCpuBetween(before: Map<string, number>, after: Map<string, number>): number {
  let total = 0;
  for (const [pid, seconds] of after) total += seconds - (before.get(pid) ?? 0);
  return total;
}

interface Account {
  accountId: string;
  walletId: string;
  apiKey: string;
}

interface BatchRun {
  label: string;
  charges: number;
  batches: number;
  errors: number;
  /** Milliseconds per batch (a whole transaction or HTTP request), sorted. */
  latencies: number[];
  seconds: number;
}

const emptyRun = (label: string): BatchRun => ({ label, charges: 0, batches: 0, errors: 0, latencies: [], seconds: 0 });

/** Adds one round's counts, latencies and duration to a scenario's totals. */
function addRound(total: BatchRun, round: BatchRun): void {
  total.charges += round.charges;
  total.batches += round.batches;
  total.errors += round.errors;
  total.seconds += round.seconds;
  for (const latency of round.latencies) total.latencies.push(latency);
}

/** 1,000 accounts, each with its wallet and an API key that may charge it. */
async function createAccounts(server: ServerProcess): Promise<Account[]> {
  const accounts: Account[] = [];
  const create = async (i: number): Promise<Account> => {
    const signUp = (
      await gql(server.url, 'mutation($e: String!) { signUp(input: { email: $e, password: "Bench-Passw0rd" }) { accessToken account { id wallet { id } } } }', { e: `batch${i}@bench.dev` })
    ).signUp;
    const key = await gql(server.url, 'mutation { createApiKey(name: "pipeline", scopes: [USAGE_WRITE]) { secret } }', {}, signUp.accessToken);
    return { accountId: signUp.account.id, walletId: signUp.account.wallet.id, apiKey: key.createApiKey.secret };
  };
  for (let i = 0; i < WALLETS; i += 50) accounts.push(...(await Promise.all(Array.from({ length: Math.min(50, WALLETS - i) }, (_, j) => create(i + j)))));
  return accounts;
}

/**
 * A measured run: the clients start at once and run LEAD_IN_SECONDS uncounted (on the same
 * connections), then `seconds` counted. Only operations started after the lead-in count, and a
 * run's duration is measured up to its last counted operation's end, not assumed.
 */
class Window {
  readonly countFrom: number;
  readonly end: number;

  constructor(seconds: number, leadInSeconds: number) {
    this.countFrom = Date.now() + leadInSeconds * 1000;
    this.end = this.countFrom + seconds * 1000;
  }

  counts(startedAt: number): boolean {
    return startedAt >= this.countFrom;
  }

  /** Seconds from the end of the lead-in until now (call when every client has stopped). */
  elapsed(): number {
    return (Date.now() - this.countFrom) / 1000;
  }
}

/**
 * 16 clients, each sending batches of 100 charges, each batch with the next account's API key.
 * `minBatches`: keep going past `seconds` until that many batches were sent (the warm-up uses
 * every account's key once).
 */
async function apiBatches(server: ServerProcess, accounts: Account[], label: string, seconds = ROUND_SECONDS, minBatches = 0, leadInSeconds = LEAD_IN_SECONDS): Promise<BatchRun> {
  const run: BatchRun = { label, charges: 0, batches: 0, errors: 0, latencies: [], seconds: 0 };
  const window = new Window(seconds, leadInSeconds);
  let next = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (Date.now() < window.end || next < minBatches) {
        const account = accounts[next++ % accounts.length];
        const run0 = randomUUID();
        const inputs = Array.from({ length: BATCH }, (_, i) => ({ feature: 'talking_head', quantity: 1, idempotencyKey: `${run0}-${i}` }));
        const counted = window.counts(Date.now());
        const started = performance.now();
        try {
          const results = (await gql(server.url, BATCH_MUTATION, { inputs }, account.apiKey)).chargeUsageBatch as { charge: unknown; error: unknown }[];
          if (!counted) continue;
          run.latencies.push(performance.now() - started);
          run.batches++;
          run.charges += results.filter((item) => item.charge).length;
          run.errors += results.filter((item) => item.error).length;
        } catch {
          run.errors += BATCH; // lead-in failures too: a failed warm-up leaves a key uncached
        }
      }
    }),
  );
  run.seconds = window.elapsed();
  return run;
}

/** The raw batched baseline: BEGIN; 100 x (conditional UPDATE ... RETURNING; ledger INSERT) on one wallet; COMMIT. */
async function rawBatches(dbUrl: string, accounts: Account[], label: string): Promise<BatchRun> {
  const run: BatchRun = { label, charges: 0, batches: 0, errors: 0, latencies: [], seconds: 0 };
  const clients = await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      const client = new Client({ connectionString: dbUrl });
      await client.connect();
      return client;
    }),
  );
  const window = new Window(ROUND_SECONDS, LEAD_IN_SECONDS);
  let next = 0;
  await Promise.all(
    clients.map(async (client) => {
      while (Date.now() < window.end) {
        const account = accounts[next++ % accounts.length];
        const counted = window.counts(Date.now());
        const started = performance.now();
        try {
          await client.query('begin');
          for (let i = 0; i < BATCH; i++) {
            const debited = await client.query({
              name: 'raw_batch_debit',
              text: 'update wallet set balance = balance - $2, version = version + 1 where id = $1 and balance >= $2 returning balance, version',
              values: [account.walletId, DEBIT_MICROS],
            });
            if (debited.rowCount !== 1) continue;
            await client.query({
              name: 'raw_batch_insert',
              text: `insert into ledger_transaction (id, wallet_id, account_id, kind, amount, balance_after, wallet_version, description, idempotency_key, created_at)
                     values ($1, $2, $3, 'USAGE', -${DEBIT_MICROS}, $4, $5, 'raw', $6, now())`,
              values: [randomUUID(), account.walletId, account.accountId, debited.rows[0].balance, debited.rows[0].version, `raw-${randomUUID()}`],
            });
          }
          await client.query('commit');
          if (!counted) continue;
          run.latencies.push(performance.now() - started);
          run.batches++;
          run.charges += BATCH;
        } catch {
          run.errors += BATCH;
          await client.query('rollback').catch(() => undefined);
        }
      }
    }),
  );
  run.seconds = window.elapsed();
  await Promise.all(clients.map((client) => client.end()));
  return run;
}

export async function benchBatch(db: BenchDb): Promise<string> {
  const dbUrl = await db.createDatabase('bench_batch');
  const env = {
    DATABASE_URL: dbUrl,
    ...(await jwtKeys()),
    SIGNUP_BONUS: '1000000000',
    PASSWORD_HASH_COST: '10',
    DB_POOL_SIZE: '32',
    ACCESS_TOKEN_TTL_SECONDS: '3600',
    LEDGER_MAX_BATCH: process.env.LEDGER_MAX_BATCH ?? '1000',
    LEDGER_MAX_CONCURRENT_BATCHES: process.env.LEDGER_MAX_CONCURRENT_BATCHES ?? '4',
  };
  // BENCH_CPU_PROF=<dir>: the API process writes a V8 CPU profile there when it stops (open it in Chrome DevTools).
  const profileDir = process.env.BENCH_CPU_PROF ? path.resolve(root, process.env.BENCH_CPU_PROF) : null;
  const server = await startServer(env, undefined, profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []);
  const api = emptyRun(`GraphQL chargeUsageBatch, ${BATCH} per call`);
  const raw = emptyRun(`raw SQL, ${BATCH} debits per transaction`);
  const single = emptyRun('raw SQL single debits (one per transaction)');
  const apiCpu = { user: 0, system: 0 };
  let postgresCpu = 0;
  let loadGeneratorCpu = 0;
  let lonelyDebit: { p50: number; p99: number } | undefined;
  // BENCH_PG_STATEMENTS=1 (with BENCH_PG_FLAGS="-c shared_preload_libraries=pg_stat_statements"): PostgreSQL's time per statement over the measured rounds.
  const statementsWanted = Boolean(process.env.BENCH_PG_STATEMENTS);
  let statements: string[] = [];
  const postmasterPid = await withClient(dbUrl, async (client) => processStat((await client.query('select pg_backend_pid() as pid')).rows[0].pid).parent);
  try {
    const accounts = await createAccounts(server);
    // JIT, pools, and every API key and wallet id cached (a key's first use reads it and writes its last_used_at).
    const warmUp = await apiBatches(server, accounts, 'warm-up', Math.min(3, ROUND_SECONDS), accounts.length, 0);
    if (warmUp.errors > 0) throw new Error(`batch warm-up: ${warmUp.errors} charges failed`);
    const walletIds = accounts.map((account) => account.walletId);
    const accountIds = accounts.map((account) => account.accountId);
    // What one debit's commit costs on this machine with nothing else running: the single-debit
    // baseline is bound by it where fsync is slow and by CPU where it is fast, and the ratio moves with it.
    const alone = await rawCharges(dbUrl, walletIds, accountIds, 'one client', 1, 2, 0.5);
    lonelyDebit = { p50: alone.p50, p99: alone.p99 };
    const measureApi = async () => {
      const cpuBefore = processStat(server.child.pid!);
      const postgresBefore = postgresCpuByPid(postmasterPid);
      const generatorBefore = process.cpuUsage();
      const round = await apiBatches(server, accounts, api.label);
      const generatorUsed = process.cpuUsage(generatorBefore);
      loadGeneratorCpu += (generatorUsed.user + generatorUsed.system) / 1e6;
      const cpuAfter = processStat(server.child.pid!);
      // CPU over the whole turn (lead-in included), divided below by counted seconds plus lead-ins.
      postgresCpu += postgresCpuBetween(postgresBefore, postgresCpuByPid(postmasterPid));
      apiCpu.user += cpuAfter.userSeconds - cpuBefore.userSeconds;
      apiCpu.system += cpuAfter.systemSeconds - cpuBefore.systemSeconds;
      addRound(api, round);
    };
    const measureSingle = async () => {
      const debits = await rawCharges(dbUrl, walletIds, accountIds, single.label, CLIENTS, ROUND_SECONDS, LEAD_IN_SECONDS);
      addRound(single, { ...single, charges: debits.total, batches: debits.total, errors: debits.errors, latencies: debits.latencies, seconds: debits.seconds });
    };
    const measureRawBatches = async () => addRound(raw, await rawBatches(dbUrl, accounts, raw.label));
    const scenarios = [measureApi, measureSingle, measureRawBatches];
    if (statementsWanted) await withClient(dbUrl, (client) => client.query('create extension if not exists pg_stat_statements; select pg_stat_statements_reset()'));
    // Round r starts with scenario r, so no scenario always follows the same one.
    for (let round = 0; round < ROUNDS; round++) {
      for (let turn = 0; turn < scenarios.length; turn++) await scenarios[(round + turn) % scenarios.length]();
    }
    if (statementsWanted) statements = await topStatements(dbUrl);
  } finally {
    await server.stop();
  }
  for (const run of [api, raw, single]) run.latencies.sort((a, b) => a - b);
  const rate = (run: BatchRun) => run.charges / run.seconds;
  const apiTurnSeconds = api.seconds + ROUNDS * LEAD_IN_SECONDS;
  const cpuShare = (seconds: number) => fmt((seconds / apiTurnSeconds) * 100);
  // CPU microseconds per charge over the whole turns (lead-ins included, at the counted rate): steadier than the rates on a drifting machine.
  const perCharge = (seconds: number) => fmt((seconds / (rate(api) * apiTurnSeconds)) * 1e6, 1);
  return [
    `### Batch charging (${CLIENTS} clients, batches of ${BATCH} from one account each, ${WALLETS} wallets, same PostgreSQL, fsync on; ${ROUNDS} rounds, each turn ${LEAD_IN_SECONDS} s uncounted then ${ROUND_SECONDS} s counted, the scenarios taking turns)`,
    '',
    '| scenario | charges/s | batches/s | p50 ms per batch | p99 ms per batch | errors | charges |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...[api, raw].map((run) => `| ${run.label} | ${fmt(rate(run))} | ${fmt(run.batches / run.seconds)} | ${fmt(pct(run.latencies, 50), 1)} | ${fmt(pct(run.latencies, 99), 1)} | ${run.errors} | ${run.charges} |`),
    `| ${single.label} | ${fmt(rate(single))} | | ${fmt(pct(single.latencies, 50), 1)} per debit | ${fmt(pct(single.latencies, 99), 1)} per debit | ${single.errors} | ${single.charges} |`,
    '',
    '| ratio | measured | target |',
    '|---|---:|---:|',
    `| chargeUsageBatch / raw single debits | ${fmt(rate(api) / rate(single), 2)}x | >= 10x |`,
    `| chargeUsageBatch / raw batched debits | ${fmt(rate(api) / rate(raw), 2)}x | >= 0.3x |`,
    '',
    `CPU during the chargeUsageBatch rounds: API process ${cpuShare(apiCpu.user + apiCpu.system)} % of one core (user ${cpuShare(apiCpu.user)} %, system ${cpuShare(apiCpu.system)} %), PostgreSQL ${cpuShare(postgresCpu)} %, load generator ${cpuShare(loadGeneratorCpu)} % (this machine: ${os.cpus().length} cores).`,
    `CPU per charge: API ${perCharge(apiCpu.user + apiCpu.system)} µs, PostgreSQL ${perCharge(postgresCpu)} µs, load generator ${perCharge(loadGeneratorCpu)} µs.`,
    `One raw single debit with no other load (the commit's cost here): p50 ${fmt(lonelyDebit?.p50 ?? NaN, 2)} ms, p99 ${fmt(lonelyDebit?.p99 ?? NaN, 2)} ms.`,
    ...statements,
  ].join('\n');
}

/** The statements PostgreSQL spent most execution time on (pg_stat_statements), as a table. */
async function topStatements(dbUrl: string): Promise<string[]> {
  const { rows } = await withClient(dbUrl, (client) =>
    client.query(`select calls, rows, round(total_exec_time::numeric, 1) as total_ms, round((total_exec_time / calls)::numeric, 3) as mean_ms,
                         regexp_replace(left(query, 110), '\\s+', ' ', 'g') as query
                    from pg_stat_statements order by total_exec_time desc limit 12`),
  );
  return ['', '| calls | rows | total ms | mean ms | statement |', '|---:|---:|---:|---:|---|', ...rows.map((row) => `| ${row.calls} | ${row.rows} | ${row.total_ms} | ${row.mean_ms} | ${String(row.query).replaceAll('|', '/')} |`)];
}
