import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import { ormConfig } from '../src/db/mikro-orm.config';
import { createTestDatabase, withSql } from './helpers/db';
import { startTestApp, type TestApp } from './helpers/app';
import { ChargeUsageDocument, CreateSynfluencerDocument } from './generated/graphql';

// Class 10 of the hardening issue: referential integrity in the database.

/** Columns that hold another row's id but are deliberately not foreign keys (see the migration). */
const NOT_REFERENCES = new Set([
  'usage_rollup.synfluencer_id', // a sentinel uuid means "no synfluencer"; derived, rebuildable data
  'usage_rollup.account_id', // part of the rollup's primary key; derived, rebuildable data
  'ledger_transaction.account_id', // hot path: covered by wallet_id -> wallet -> account
  'hold.account_id', // same
  'refresh_token.family_id', // a group of refresh tokens, not a row
  'live_socket.instance_id', // a running process, not a row
  'live_socket.session_id', // a refresh-token family, not a row
]);

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

it('every uuid column that names another row is a foreign key (read from the live schema, so new columns are checked too)', async () => {
  const { rows } = await withSql(t.dbUrl, (c) =>
    c.query(`select c.table_name || '.' || c.column_name as col,
                    exists (select 1 from pg_constraint k join pg_attribute a on a.attrelid = k.conrelid and a.attnum = any(k.conkey)
                            where k.contype = 'f' and k.conrelid = (quote_ident(c.table_name))::regclass and a.attname = c.column_name) as fk
               from information_schema.columns c
              where c.table_schema = 'public' and c.data_type = 'uuid' and c.column_name <> 'id'`),
  );
  expect(rows.length).toBeGreaterThan(20);
  const missing = rows.filter((r) => !r.fk && !NOT_REFERENCES.has(r.col)).map((r) => r.col);
  expect(missing).toEqual([]);
  const unexpected = rows.filter((r) => r.fk && NOT_REFERENCES.has(r.col)).map((r) => r.col);
  expect(unexpected).toEqual([]);
});

it('the database refuses orphans and deleting a referenced row; the services are unchanged', async () => {
  const u = await t.signUp();
  const s = (await t.ok(CreateSynfluencerDocument, { input: { name: 'Nova', handle: 'nova' } }, u.token)).createSynfluencer;
  // The service layer writes through the constraints as before.
  const charged = await t.ok(ChargeUsageDocument, { input: { feature: 'talking_head', quantity: 1, idempotencyKey: 'fk-1', synfluencerId: s.id } }, u.token);
  expect(charged.chargeUsage.transaction.synfluencer?.id).toBe(s.id);
  await withSql(t.dbUrl, async (c) => {
    const refused = async (sql: string, params: unknown[]) => {
      // foreign_key_violation on an orphan insert, restrict_violation on deleting a referenced row
      await expect(c.query(sql, params)).rejects.toMatchObject({ code: expect.stringMatching(/^(23503|23001)$/) });
    };
    await refused(`insert into synfluencer (id, account_id, name, handle, platforms) values ($1, $2, 'x', 'x', '{}')`, [randomUUID(), randomUUID()]);
    await refused(`insert into api_key (id, account_id, name, prefix, secret_hash, scopes) values ($1, $2, 'x', 'x', $3, '{}')`, [randomUUID(), randomUUID(), randomUUID()]);
    const w = (await c.query(`select id from wallet where account_id = $1`, [u.accountId])).rows[0].id;
    await refused(
      `insert into ledger_transaction (id, wallet_id, account_id, kind, amount, balance_after, wallet_version, description, synfluencer_id) values ($1, $2, $3, 'USAGE', 0, 0, 0, 'x', $4)`,
      [randomUUID(), w, u.accountId, randomUUID()],
    );
    await refused(`insert into credit_bucket (id, wallet_id, source, granted, remaining) values ($1, $2, 'ADMIN_GRANT', 1, 1)`, [randomUUID(), randomUUID()]);
    await refused(`delete from synfluencer where id = $1`, [s.id]); // its charge below references it
    await refused(`delete from account where id = $1`, [u.accountId]);
  });
});

it('the migration lists orphans already in the database instead of failing on the first violation', async () => {
  const db = await createTestDatabase();
  const orm = await MikroORM.init({ ...ormConfig(db.url, 2), logger: () => undefined });
  try {
    const migrator = orm.getMigrator();
    const [fk] = (await migrator.getExecutedMigrations()).map((m) => m.name).filter((n) => /Migration20261201010455/.test(n));
    expect(fk).toBeDefined();
    const executed = (await migrator.getExecutedMigrations()).map((m) => m.name);
    await migrator.down({ to: executed[executed.indexOf(fk) - 1] }); // back to just before the foreign keys
    await withSql(db.url, (c) => c.query(`insert into synfluencer (id, account_id, name, handle, platforms) values ($1, $2, 'orphan', 'orphan', '{}')`, [randomUUID(), randomUUID()]));
    await expect(migrator.up()).rejects.toThrow(/rows reference rows that do not exist.*synfluencer\.account_id: 1/);
  } finally {
    await orm.close(true);
    await db.drop();
  }
});
