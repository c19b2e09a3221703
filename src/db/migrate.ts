import type { MikroORM } from '@mikro-orm/postgresql';
import { Sql } from './sql';

/** Any fixed number: all instances agree on it, so only one migrates at a time. */
const MIGRATION_LOCK = 72_431_901;

/** Applies pending migrations under an advisory lock, so several instances can start at once. */
export async function migrateUp(orm: MikroORM): Promise<string[]> {
  const sql = new Sql(orm);
  const lockClient = await sql.acquire();
  try {
    await lockClient.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const applied = await orm.getMigrator().up();
    return applied.map((m) => m.name);
  } finally {
    await lockClient.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    sql.release(lockClient);
  }
}

export async function pendingMigrations(orm: MikroORM): Promise<number> {
  return (await orm.getMigrator().getPendingMigrations()).length;
}
