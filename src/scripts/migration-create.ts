import { withOrm } from './with-orm';
import { migrateUp } from '../db/migrate';

/** Diffs the entities against the (migrated) database and writes a new migration into migrations/. */
withOrm(async (orm) => {
  await migrateUp(orm);
  const initial = process.argv.includes('--initial');
  const result = await orm.getMigrator().createMigration(orm.config.get('migrations').pathTs, false, initial);
  console.log(result.fileName ? `created migrations/${result.fileName}` : 'no schema changes: nothing to create');
}).catch((err) => {
  console.error(err);
  process.exit(1);
});
