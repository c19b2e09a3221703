import fs from 'node:fs';
import { fmt, gql, jwtKeys, startBenchDb, startServer, type ServerProcess } from './harness';

/**
 * `npm run bench:metrics`: the charge path's server CPU with metrics on and off. Each round starts
 * the compiled server on a fresh database, warms it up, then sends CHARGES chargeUsage requests
 * (CONCURRENCY in flight, over WALLETS wallets) and reads the server process's CPU time from
 * /proc before and after. Rounds alternate off/on so a busy machine biases both alike; the
 * median per mode is reported.
 */
const CHARGES = Number(process.env.METRICS_BENCH_CHARGES ?? 2000);
const ROUNDS = Number(process.env.METRICS_BENCH_ROUNDS ?? 3);
const CONCURRENCY = 16;
const WALLETS = 16;
const CHARGE = 'mutation($k: String!) { chargeUsage(input: { feature: "caption", quantity: 1, idempotencyKey: $k }) { transaction { id } } }';

/** utime + stime of a process, in milliseconds (USER_HZ is 100 on Linux). */
function cpuMs(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

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

async function round(dbUrl: string, keys: Record<string, string>, metrics: boolean, index: number): Promise<{ cpuPerCharge: number; seconds: number }> {
  const server = await startServer({ DATABASE_URL: dbUrl, ...keys, PRICE_BOOK: 'influgen', SIGNUP_BONUS: '1000000', PASSWORD_HASH_COST: '10', METRICS: metrics ? 'on' : 'off', METRICS_TOKEN: 'bench-metrics-token-0123456789' });
  try {
    const tokens: string[] = [];
    for (let i = 0; i < WALLETS; i++) {
      const email = `m${index}-${i}-${metrics ? 'on' : 'off'}@bench.dev`;
      tokens.push((await gql(server.url, 'mutation($e: String!) { signUp(input: { email: $e, password: "Bench-Passw0rd", timezone: "UTC" }) { accessToken } }', { e: email })).signUp.accessToken);
    }
    await charges(server, tokens, 500, `warm-${index}`);
    const cpuBefore = cpuMs(server.child.pid!);
    const started = performance.now();
    await charges(server, tokens, CHARGES, `run-${index}`);
    const seconds = (performance.now() - started) / 1000;
    return { cpuPerCharge: (cpuMs(server.child.pid!) - cpuBefore) / CHARGES, seconds };
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const db = await startBenchDb();
  const keys = await jwtKeys();
  const results: Record<'off' | 'on', { cpuPerCharge: number; seconds: number }[]> = { off: [], on: [] };
  try {
    for (let i = 0; i < ROUNDS; i++) {
      for (const mode of ['off', 'on'] as const) {
        const dbUrl = await db.createDatabase(`bench_metrics_${mode}_${i}`);
        const result = await round(dbUrl, keys, mode === 'on', i);
        results[mode].push(result);
        console.log(`round ${i + 1} metrics ${mode}: ${fmt(result.cpuPerCharge, 3)} ms CPU per charge, ${fmt(CHARGES / result.seconds)} charges/s`);
      }
    }
  } finally {
    await db.stop();
  }
  const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];
  const cpu = (mode: 'off' | 'on') => median(results[mode].map((result) => result.cpuPerCharge));
  const rate = (mode: 'off' | 'on') => median(results[mode].map((result) => CHARGES / result.seconds));
  console.log(`\n| metrics | server CPU ms per charge (median of ${ROUNDS}) | charges/s |\n|---|---:|---:|`);
  for (const mode of ['off', 'on'] as const) console.log(`| ${mode} | ${fmt(cpu(mode), 3)} | ${fmt(rate(mode))} |`);
  console.log(`\nmetrics on / off CPU per charge: ${fmt(cpu('on') / cpu('off'), 3)}x`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
