import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/postgresql';
import { loadConfig } from '../config';
import { ormConfig } from '../db/mikro-orm.config';
import { startEmbeddedPostgres } from '../db/embedded';
import { createLogger } from '../shared/logger';

/** Runs a script against the configured database (embedded when DATABASE_URL is absent). */
export async function withOrm<T>(fn: (orm: MikroORM) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const log = createLogger({ ...config, logLevel: config.logLevel === 'info' ? 'warn' : config.logLevel });
  let url = config.databaseUrl;
  let stop: (() => Promise<void>) | undefined;
  if (!url) {
    const pg = await startEmbeddedPostgres(config.dataDir, config.embeddedPgPort, log);
    url = pg.url;
    stop = pg.stop;
  }
  const orm = await MikroORM.init(ormConfig(url!, 4));
  try {
    return await fn(orm);
  } finally {
    await orm.close(true);
    if (stop) await stop();
  }
}
