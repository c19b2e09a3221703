import { cpuSeconds, fmt, gql, jwtKeys, startBenchDb, startServer, type ServerProcess } from './harness';

/**
 * `npm run bench:metrics`: the charge path's server CPU with metrics on and off. Each round starts
 * the compiled server twice (METRICS=off, METRICS=on) on fresh databases, warms both up, then
 * sends CHARGES chargeUsage requests to each at the same time (CONCURRENCY in flight per server,
 * over WALLETS wallets) and reads each server process's CPU time from /proc before and after.
 */
const CHARGES = Number(process.env.METRICS_BENCH_CHARGES ?? 2000);
const ROUNDS = Number(process.env.METRICS_BENCH_ROUNDS ?? 3);
const CONCURRENCY = 16;
const WALLETS = 16;
const CHARGE = 'mutation($k: String!) { chargeUsage(input: { feature: "caption", quantity: 1, idempotencyKey: $k }) { transaction { id } } }';

/** utime + stime of a process, in milliseconds. */
const cpuMs = (pid: number): number => cpuSeconds(pid) * 1000;

async function charges(server: ServerProcess, tokens: string[], count: number, tag: string): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) {
        const i = next++;
        await gql(server.url, CHARGE, { k: `${tag}-${i}` }, tokens[i % tokens.length]);
      }
    }),
  );
}

interface Measured {
  cpuPerCharge: number;
  seconds: number;
}

/** A server with its accounts, warmed up. */
async function prepare(dbUrl: string, keys: Record<string, string>, metrics: boolean, index: number): Promise<{ server: ServerProcess; tokens: string[] }> {
  const server = await startServer({ DATABASE_URL: dbUrl, ...keys, PRICE_BOOK: 'influgen', SIGNUP_BONUS: '1000000', PASSWORD_HASH_COST: '10', METRICS: metrics ? 'on' : 'off', METRICS_TOKEN: 'bench-metrics-token-0123456789' });
  const tokens: string[] = [];
  for (let i = 0; i < WALLETS; i++) {
    const email = `m${index}-${i}-${metrics ? 'on' : 'off'}@bench.dev`;
    tokens.push((await gql(server.url, 'mutation($e: String!) { signUp(input: { email: $e, password: "Bench-Passw0rd", timezone: "UTC" }) { accessToken } }', { e: email })).signUp.accessToken);
  }
  await charges(server, tokens, 500, `warm-${index}`);
  return { server, tokens };
}

async function measure(target: { server: ServerProcess; tokens: string[] }, index: number): Promise<Measured> {
  const cpuBefore = cpuMs(target.server.child.pid!);
  const started = performance.now();
  await charges(target.server, target.tokens, CHARGES, `run-${index}`);
  const seconds = (performance.now() - started) / 1000;
  return { cpuPerCharge: (cpuMs(target.server.child.pid!) - cpuBefore) / CHARGES, seconds };
}

/**
 * One round: both servers run at the same time and take their charges in the same window, so
 * whatever else loads the machine weighs on both alike.
 */
async function round(db: Awaited<ReturnType<typeof startBenchDb>>, keys: Record<string, string>, index: number): Promise<Record<'off' | 'on', Measured>> {
  const off = await prepare(await db.createDatabase(`bench_metrics_off_${index}`), keys, false, index);
  const on = await prepare(await db.createDatabase(`bench_metrics_on_${index}`), keys, true, index);
  try {
    const [offResult, onResult] = await Promise.all([measure(off, index), measure(on, index)]);
    return { off: offResult, on: onResult };
  } finally {
    await Promise.all([off.server.stop(), on.server.stop()]);
  }
}

async function main(): Promise<void> {
  const db = await startBenchDb();
  const keys = await jwtKeys();
  const results: Record<'off' | 'on', Measured>[] = [];
  try {
    for (let i = 0; i < ROUNDS; i++) {
      const result = await round(db, keys, i);
      results.push(result);
      console.log(`round ${i + 1}: off ${fmt(result.off.cpuPerCharge, 3)} ms CPU per charge (${fmt(CHARGES / result.off.seconds)}/s), on ${fmt(result.on.cpuPerCharge, 3)} ms (${fmt(CHARGES / result.on.seconds)}/s), on/off ${fmt(result.on.cpuPerCharge / result.off.cpuPerCharge, 3)}x`);
    }
  } finally {
    await db.stop();
  }
  const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];
  const cpu = (mode: 'off' | 'on') => median(results.map((result) => result[mode].cpuPerCharge));
  const rate = (mode: 'off' | 'on') => median(results.map((result) => CHARGES / result[mode].seconds));
  console.log(`\n| metrics | server CPU ms per charge (median of ${ROUNDS}) | charges/s |\n|---|---:|---:|`);
  for (const mode of ['off', 'on'] as const) console.log(`| ${mode} | ${fmt(cpu(mode), 3)} | ${fmt(rate(mode))} |`);
  console.log(`\nmedian of the per-round on/off CPU ratios: ${fmt(median(results.map((result) => result.on.cpuPerCharge / result.off.cpuPerCharge)), 3)}x`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
