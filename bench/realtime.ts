import 'reflect-metadata';
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import path from 'node:path';
import { buildApp, type App } from '../src/app';
import { loadConfig } from '../src/config';
import { startEmbeddedPostgres } from '../src/db/embedded';
import { createLogger } from '../src/shared/logger';
import { cpuSeconds, rssMb, SERVER_NODE_ARGS, type Answer } from './harness';

/**
 * Real-time benchmark (issue 4): two API instances on one embedded PostgreSQL.
 *  - Instance A runs in this process and takes the charges.
 *  - Instance B runs as a child process (`node dist/src/index.js`) so its RSS can be read;
 *    it holds every WebSocket subscriber, so every event crosses instances via NOTIFY.
 *
 * 2,000 subscribers are spread over 200 accounts (10 dashboards per account). That is the
 * realistic shape (a studio has a few browser tabs open, not 2,000), and it makes every
 * charge fan out to 10 sockets on B. With all 2,000 on ONE wallet, 50 changes/s would mean
 * 100,000 WebSocket messages/s, which the per-subscriber coalescing (latest state wins)
 * would absorb by design, but then the p99 would measure coalescing rather than delivery.
 *
 * Commit time is when the chargeUsage HTTP response arrives at the benchmark (the commit
 * happened just before); an event is matched by (account, version): the first event a
 * subscriber receives with version >= the charge's version.
 */

export interface RealtimeBenchOptions {
  subscribers?: number;
  accounts?: number;
  /** Balance changes per second during the latency phase. */
  rate?: number;
  latencySeconds?: number;
  throughputSeconds?: number;
  concurrency?: number;
}

const now = () => performance.timeOrigin + performance.now();

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function gql(url: string, query: string, variables: Record<string, unknown>, token?: string): Promise<{ data?: Answer; errors?: { message: string }[] }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: Answer; errors?: { message: string }[] };
}

async function inBatches<T>(n: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, concurrency) }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await task(i);
      }
    }),
  );
  return out;
}


/** Waits for the next IPC message of a given type from the clients process. */
function nextMessage<T>(child: ChildProcess, type: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`clients process: no "${type}" within ${timeoutMs} ms`)), timeoutMs);
    const on = (m: { type: string; message?: string }) => {
      if (m.type === 'error') {
        clearTimeout(t);
        child.off('message', on);
        reject(new Error(`clients process: ${m.message}`));
      } else if (m.type === type) {
        clearTimeout(t);
        child.off('message', on);
        resolve(m as T);
      }
    };
    child.on('message', on);
  });
}

export async function benchRealtime(opts: RealtimeBenchOptions = {}): Promise<string> {
  const subscribers = opts.subscribers ?? 2000;
  const accounts = opts.accounts ?? 200;
  const rate = opts.rate ?? 50;
  const latencySeconds = opts.latencySeconds ?? 20;
  const throughputSeconds = opts.throughputSeconds ?? 12;
  const concurrency = opts.concurrency ?? 32;

  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const baseEnv = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    PRICE_BOOK: 'influgen', // caption: 1 credit
    SIGNUP_BONUS: '1000000',
    SIGNUP_MAX_PER_HOUR: '0', // the load generator signs up its accounts from one address
    PASSWORD_HASH_COST: '10',
    JWT_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    JWT_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'credits-bench-rt-'));
  fs.chmodSync(dataDir, 0o755); // PostgreSQL runs as the postgres user
  const log = createLogger({ logLevel: 'warn', nodeEnv: 'production' });
  const pg = await startEmbeddedPostgres(dataDir, await freePort(), log);
  let appA: App | undefined;
  let childB: ChildProcess | undefined;
  let clients: ChildProcess | undefined;
  try {
    appA = await buildApp(loadConfig({ ...baseEnv, DATABASE_URL: pg.url }), { logger: log });
    const portA = await appA.listen(0, '127.0.0.1');
    const urlA = `http://127.0.0.1:${portA}/graphql`;

    const portB = await freePort();
    childB = spawn(process.execPath, [...SERVER_NODE_ARGS, path.join(__dirname, '..', 'src', 'index.js')], {
      env: { ...baseEnv, DATABASE_URL: pg.url, PORT: String(portB), HOST: '127.0.0.1', PATH: process.env.PATH ?? '' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        if ((await fetch(`http://127.0.0.1:${portB}/readyz`)).ok) break;
      } catch {
        /* not up yet */
      }
      if (Date.now() > deadline || childB.exitCode !== null) throw new Error('instance B did not become ready');
      await sleep(200);
    }
    const wsB = `ws://127.0.0.1:${portB}/graphql`;

    // Accounts, signed up on A.
    const users = await inBatches(accounts, 8, async (i) => {
      const r = await gql(urlA, 'mutation($input: SignUpInput!) { signUp(input: $input) { accessToken account { id } } }', {
        input: { email: `rt-${i}-${randomUUID().slice(0, 8)}@bench.dev`, password: 'Bench-Passw0rd', timezone: 'UTC' },
      });
      if (!r.data) throw new Error(`sign-up failed: ${JSON.stringify(r.errors)}`);
      return { token: r.data.signUp.accessToken as string, accountId: r.data.signUp.account.id as string };
    });

    // Subscribers on B, held by a third process.
    const rssBefore = rssMb(childB.pid!);
    clients = fork(path.join(__dirname, 'realtime-clients.js'), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    clients.send({ type: 'open', url: wsB, users, count: subscribers });
    await nextMessage(clients, 'opened', 120_000);
    await sleep(2000); // idle
    const rssIdle = rssMb(childB.pid!);

    // Commit times, stamped in instance A right after COMMIT returned, keyed by account and version.
    const commits = new Map<string, number>();
    appA.services.ledger.onCommit(({ wallet }) => void commits.set(`${wallet.accountId}:${wallet.version}`, now()));

    const charge = async (u: { token: string; accountId: string }) => {
      const r = await gql(urlA, 'mutation($input: ChargeUsageInput!) { chargeUsage(input: $input) { wallet { version } } }', {
        input: { feature: 'caption', idempotencyKey: randomUUID() },
      }, u.token);
      if (!r.data) throw new Error(`charge failed: ${JSON.stringify(r.errors)}`);
      return BigInt(r.data.chargeUsage.wallet.version);
    };

    // Latency: an open loop of `rate` charges per second on A, round robin over the accounts.
    const charges: { accountId: string; version: bigint; sentAt: number; respondedAt: number }[] = [];
    const inflight: Promise<void>[] = [];
    const total = rate * latencySeconds;
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const cpuB0 = cpuSeconds(childB.pid!);
    const cpuC0 = cpuSeconds(clients.pid!);
    const cpuA0 = process.cpuUsage();
    const t0 = Date.now();
    for (let i = 0; i < total; i++) {
      const due = t0 + (i * 1000) / rate;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
      const u = users[i % accounts];
      const sentAt = now();
      inflight.push(
        charge(u).then((version) => {
          charges.push({ accountId: u.accountId, version, sentAt, respondedAt: now() });
        }),
      );
    }
    await Promise.all(inflight);
    const phaseS = (Date.now() - t0) / 1000;
    const cpuB = (cpuSeconds(childB.pid!) - cpuB0) / phaseS;
    const cpuC = (cpuSeconds(clients.pid!) - cpuC0) / phaseS;
    const cpuAu = process.cpuUsage(cpuA0);
    const cpuA = (cpuAu.user + cpuAu.system) / 1e6 / phaseS;
    lag.disable();
    await sleep(2500); // anything still undelivered now is a miss
    clients.send({ type: 'report' });
    const report = await nextMessage<{ subs: [string, [string, number][]][] }>(clients, 'events', 60_000);
    const byAccount = new Map<string, [bigint, number][][]>();
    for (const [accountId, events] of report.subs) {
      if (!byAccount.has(accountId)) byAccount.set(accountId, []);
      byAccount.get(accountId)!.push(events.map(([v, at]) => [BigInt(v), at]));
    }
    const fromCommit: number[] = [];
    const fromResponse: number[] = [];
    let missed = 0;
    for (const c of charges) {
      const committedAt = commits.get(`${c.accountId}:${c.version}`);
      for (const events of byAccount.get(c.accountId) ?? []) {
        // The first event at or past this version (a later one counts if versions were coalesced).
        const hit = events.find(([v]) => v >= c.version);
        if (!hit || committedAt === undefined) {
          missed++;
          continue;
        }
        fromCommit.push(hit[1] - committedAt);
        fromResponse.push(hit[1] - c.respondedAt);
      }
    }
    fromCommit.sort((x, y) => x - y);
    fromResponse.sort((x, y) => x - y);
    const chargeMs = charges.map((c) => c.respondedAt - c.sentAt).sort((x, y) => x - y);

    // Throughput on A with push off and on (same instance, same subscribers on B). The flag
    // is read per commit, so flipping it is exactly REALTIME_PUBLISH=off|on without a restart.
    const throughput = async (publish: boolean, seconds: number) => {
      appA!.services.config.realtime.publish = publish;
      let ok = 0;
      const end = Date.now() + seconds * 1000;
      await Promise.all(
        Array.from({ length: concurrency }, async (_, w) => {
          let i = w;
          while (Date.now() < end) {
            await charge(users[(i += concurrency) % accounts]);
            ok++;
          }
        }),
      );
      return ok / seconds;
    };
    await throughput(true, 1); // warm-up
    const off1 = await throughput(false, throughputSeconds / 2);
    const on1 = await throughput(true, throughputSeconds / 2);
    const off2 = await throughput(false, throughputSeconds / 2);
    const on2 = await throughput(true, throughputSeconds / 2);
    appA.services.config.realtime.publish = true;
    const off = (off1 + off2) / 2;
    const on = (on1 + on2) / 2;

    const expected = charges.length * (subscribers / accounts);
    const p = (xs: number[], q: number) => percentile(xs, q).toFixed(1);
    const lines = [
      `Real time: ${subscribers} WebSocket subscribers on instance B (${accounts} accounts x ${subscribers / accounts}), ${rate} charges/s on instance A for ${latencySeconds} s, one embedded PostgreSQL.`,
      '',
      '| metric | value | target |',
      '|---|---|---|',
      `| commit-to-subscriber latency p50 (commit stamped in A, arrival in the client process) | ${p(fromCommit, 50)} ms | |`,
      `| commit-to-subscriber latency p99 | ${p(fromCommit, 99)} ms | <= 100 ms ${percentile(fromCommit, 99) <= 100 ? 'PASS' : 'FAIL'} |`,
      `| commit-to-subscriber latency max | ${p(fromCommit, 100)} ms | |`,
      `| HTTP-response-to-subscriber p50 / p99 (negative: push beat the response) | ${p(fromResponse, 50)} / ${p(fromResponse, 99)} ms | |`,
      `| chargeUsage HTTP latency on A during that phase, p50 / p99 | ${p(chargeMs, 50)} / ${p(chargeMs, 99)} ms | |`,
      `| CPU during that phase: instance B / benchmark process (instance A + load generator) | ${(cpuB * 100).toFixed(0)} % / ${(cpuA * 100).toFixed(0)} % of one core (subscriber clients: ${(cpuC * 100).toFixed(0)} %) | |`,
      `| event-loop delay p99 in the benchmark process (inflates measured latency) | ${(lag.percentile(99) / 1e6).toFixed(1)} ms | |`,
      `| events delivered (charge x subscriber) | ${expected - missed} of ${expected} | all |`,
      `| RSS of instance B, idle with ${subscribers} subscribers | ${rssIdle.toFixed(0)} MB (${rssBefore.toFixed(0)} MB before) | <= 300 MB ${rssIdle <= 300 ? 'PASS' : 'FAIL'} |`,
      `| charges/s at ${concurrency} concurrency, push off | ${off.toFixed(0)} | |`,
      `| charges/s at ${concurrency} concurrency, push on | ${on.toFixed(0)} (${(on / off).toFixed(2)}x) | >= 0.9x ${on >= 0.9 * off ? 'PASS' : 'FAIL'} |`,
      `| NOTIFY payloads sent by A (whole run, coalesced per flush) | ${appA.services.realtime.stats.notifiesSent} | |`,
    ];
    return lines.join('\n');
  } finally {
    if (clients && clients.exitCode === null) {
      clients.send({ type: 'close' });
      await Promise.race([new Promise((r) => clients!.once('exit', r)), sleep(5000)]);
      if (clients.exitCode === null) clients.kill('SIGKILL');
    }
    if (childB && childB.exitCode === null) {
      const exited = new Promise((r) => childB!.once('exit', r));
      childB.kill('SIGTERM');
      await Promise.race([exited, sleep(10_000)]);
      if (childB.exitCode === null) childB.kill('SIGKILL');
    }
    if (appA) await appA.stop().catch(() => undefined);
    await pg.stop().catch(() => undefined);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchRealtime()
    .then((table) => {
      console.log(table);
      process.exit(0);
    })
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
