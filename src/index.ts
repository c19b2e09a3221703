import 'reflect-metadata';
import { ConfigError, loadConfig } from './config';
import { buildApp } from './app';
import { createLogger } from './shared/logger';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config);
  const app = await buildApp(config, { logger: log });
  const port = await app.listen();
  log.info({ port, priceBook: config.priceBook, embeddedDatabase: !config.databaseUrl }, `GraphQL on http://localhost:${port}/graphql (HTTP and WebSocket)`);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: draining HTTP and WebSocket');
    const force = setTimeout(() => {
      log.error('graceful shutdown took too long; exiting');
      process.exit(1);
    }, 20_000);
    force.unref();
    app
      .stop()
      .then(() => {
        log.info('stopped');
        process.exit(0);
      })
      .catch((err) => {
        log.error({ err }, 'error during shutdown');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
