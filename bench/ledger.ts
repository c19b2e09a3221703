import { randomUUID } from 'node:crypto';
import path from 'node:path';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { fmt, gql, jwtKeys, pct, root, startServer, type BenchDb, type LoadResult } from './harness';

/**
 * The charge path benchmark (issue 3): GraphQL chargeUsage over HTTP with a real access token
 * against raw SQL doing the minimal debit (conditional UPDATE + ledger INSERT, one transaction
 * per debit) at the same concurrency on the same PostgreSQL, plus wallet reads against a bare
 * graphql-js server. Everything is measured in one run, so the ratios compare like with like.
 */
const CONCURRENCY = 64;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const WALLETS = 1000;

async function autocannonCharges(url: string, tokens: string[], label: string): Promise<LoadResult> {
  let n = 0;
  const query = 'mutation($k: String!) { chargeUsage(input: { feature: "talking_head", quantity: 1, idempotencyKey: $k }) { wallet { version } } }';
  const result = await autocannon({
    url,
    connections: CONCURRENCY,
    duration: SECONDS,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (req: autocannon.Request) => {
          const i = n++;
          req.headers = { ...req.headers, authorization: `Bearer ${tokens[i % tokens.length]}` };
          req.body = JSON.stringify({ query, variables: { k: `b-${i}-${randomUUID()}` } });
          return req;
        },
      },
    ],
  });
  return { label, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.non2xx, total: result.requests.total };
}

/** The same debit in raw SQL: BEGIN; conditional UPDATE ... RETURNING; INSERT ledger row; COMMIT. (Also the batch section's single-debit baseline.) */
/**
 * `leadInSeconds`: the clients first run that long uncounted; only debits started after it count,
 * and the rate is over the measured time from then until the last client stopped.
 */
export async function rawCharges(dbUrl: string, walletIds: string[], accountIds: string[], label: string, concurrency = CONCURRENCY, seconds = SECONDS, leadInSeconds = 0): Promise<LoadResult & { latencies: number[]; seconds: number }> {
  const clients = await Promise.all(Array.from({ length: concurrency }, async () => {
    const c = new Client({ connectionString: dbUrl });
    await c.connect();
    return c;
  }));
  const latencies: number[] = [];
  let errors = 0;
  const countFrom = Date.now() + leadInSeconds * 1000;
  const end = countFrom + seconds * 1000;
  let n = 0;
  await Promise.all(
    clients.map(async (c) => {
      while (Date.now() < end) {
        const i = n++ % walletIds.length;
        const counted = Date.now() >= countFrom;
        const t0 = performance.now();
        try {
          await c.query('begin');
          const r = await c.query({
            name: 'raw_debit',
            text: 'update wallet set balance = balance - $2, version = version + 1 where id = $1 and balance >= $2 returning balance, version',
            values: [walletIds[i], 100000],
          });
          if (r.rowCount === 1) {
            await c.query({
              name: 'raw_insert',
              text: `insert into ledger_transaction (id, wallet_id, account_id, kind, amount, balance_after, wallet_version, description, idempotency_key, created_at)
                     values ($1, $2, $3, 'USAGE', -100000, $4, $5, 'raw', $6, now())`,
              values: [randomUUID(), walletIds[i], accountIds[i], r.rows[0].balance, r.rows[0].version, `raw-${randomUUID()}`],
            });
          }
          await c.query('commit');
          if (counted) latencies.push(performance.now() - t0);
        } catch {
          if (counted) errors++;
          await c.query('rollback').catch(() => undefined);
        }
      }
    }),
  );
  const elapsed = (Date.now() - countFrom) / 1000;
  await Promise.all(clients.map((c) => c.end()));
  latencies.sort((a, b) => a - b);
  return { label, rps: latencies.length / elapsed, p50: pct(latencies, 50), p99: pct(latencies, 99), errors, total: latencies.length, latencies, seconds: elapsed };
}

async function autocannonReads(url: string, token: string, label: string): Promise<LoadResult> {
  const result = await autocannon({
    url,
    connections: CONCURRENCY,
    duration: SECONDS,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ me { wallet { balance } } }' }),
  });
  return { label, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.non2xx, total: result.requests.total };
}

export async function benchLedger(db: BenchDb): Promise<string> {
  const dbUrl = await db.createDatabase('bench_ledger');
  const keys = await jwtKeys();
  const env = { DATABASE_URL: dbUrl, ...keys, SIGNUP_BONUS: '1000000000', PASSWORD_HASH_COST: '10', DB_POOL_SIZE: '32', ACCESS_TOKEN_TTL_SECONDS: '3600', LEDGER_MAX_CONCURRENT_BATCHES: process.env.LEDGER_MAX_CONCURRENT_BATCHES ?? '4', WORKERS: process.env.BENCH_WORKERS ?? '1' };
  const server = await startServer(env);
  const rows: LoadResult[] = [];
  try {
    // Accounts: one hot wallet, and 1,000 wallets.
    const signUp = async (i: number) =>
      (await gql(server.url, 'mutation($e: String!) { signUp(input: { email: $e, password: "Bench-Passw0rd" }) { accessToken account { id wallet { id } } } }', { e: `bench${i}@bench.dev` })).signUp;
    const hot = await signUp(0);
    const many: { accessToken: string; account: { id: string; wallet: { id: string } } }[] = [];
    for (let i = 1; i <= WALLETS; i += 50) many.push(...(await Promise.all(Array.from({ length: 50 }, (_, j) => signUp(i + j)))));

    // Warm up the server's JIT and connection pool.
    await autocannonCharges(server.url, [hot.accessToken], 'warm-up').catch(() => undefined);

    rows.push(await autocannonCharges(server.url, [hot.accessToken], 'GraphQL chargeUsage, 1 hot wallet'));
    rows.push(await rawCharges(dbUrl, [hot.account.wallet.id], [hot.account.id], 'raw SQL debit, 1 hot wallet'));
    rows.push(await autocannonCharges(server.url, many.map((m) => m.accessToken), `GraphQL chargeUsage, ${WALLETS} wallets`));
    rows.push(await rawCharges(dbUrl, many.map((m) => m.account.wallet.id), many.map((m) => m.account.id), `raw SQL debit, ${WALLETS} wallets`));

    rows.push(await autocannonReads(server.url, hot.accessToken, 'GraphQL me { wallet { balance } }'));
    await server.stop();
    const bare = await startServer({ DATABASE_URL: dbUrl, JWT_PUBLIC_KEY: keys.JWT_PUBLIC_KEY }, path.join(root, 'dist', 'bench', 'bare-server.js'));
    try {
      rows.push(await autocannonReads(bare.url, hot.accessToken, 'bare graphql-js server, same query'));
    } finally {
      await bare.stop();
    }
  } finally {
    if (server.child.exitCode === null) await server.stop();
  }

  const by = (label: string) => rows.find((r) => r.label.startsWith(label))!;
  const ratio = (a: LoadResult, b: LoadResult) => a.rps / b.rps;
  const lines = [
    `### Charge path (${CONCURRENCY} concurrent clients, ${SECONDS} s each, same PostgreSQL, fsync on)`,
    '',
    '| scenario | req/s | p50 ms | p99 ms | errors | total |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.label} | ${fmt(r.rps)} | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} | ${r.errors} | ${r.total} |`),
    '',
    '| ratio | measured | target |',
    '|---|---:|---:|',
    `| GraphQL / raw, 1 hot wallet | ${fmt(ratio(by('GraphQL chargeUsage, 1 hot'), by('raw SQL debit, 1 hot')), 2)}x | >= 1.5x |`,
    `| GraphQL / raw, ${WALLETS} wallets | ${fmt(ratio(by(`GraphQL chargeUsage, ${WALLETS}`), by(`raw SQL debit, ${WALLETS}`)), 2)}x | >= 0.5x |`,
    `| GraphQL reads / bare graphql-js | ${fmt(ratio(by('GraphQL me'), by('bare graphql-js')), 2)}x | >= 0.6x |`,
  ];
  return lines.join('\n');
}
