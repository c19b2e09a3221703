import 'reflect-metadata';
import cluster from 'node:cluster';
import { ConfigError, loadConfig, type Config } from './config';
import { buildApp } from './app';
import { EmbeddedDatabaseError, startEmbeddedPostgres } from './db/embedded';
import { createLogger, type Logger } from './shared/logger';
import { startClusterMetricsServer } from './modules/metrics/metrics.http';

/**
 * WORKERS > 1: this process only supervises. It starts the embedded PostgreSQL if there is no
 * DATABASE_URL, then forks that many workers sharing the port (Node cluster). Each worker is a
 * complete instance, exactly as if several servers ran behind a load balancer on one PostgreSQL
 * (design.md): the wallet row lock, LISTEN/NOTIFY and advisory-locked migrations make that safe.
 */
async function supervise(config: Config, log: Logger): Promise<void> {
  let databaseUrl = config.databaseUrl;
  let stopPg: (() => Promise<void>) | undefined;
  if (!databaseUrl) {
    const pg = await startEmbeddedPostgres(config.dataDir, config.embeddedPgPort, log);
    databaseUrl = pg.url;
    stopPg = pg.stop;
  }
  // METRICS_PORT: the supervisor answers scrapes with every worker's metrics combined.
  const metricsServer = config.metrics.enabled && config.metrics.port !== undefined ? await startClusterMetricsServer(config.metrics, config.nodeEnv, log) : null;
  let stopping = false;
  const fork = () => cluster.fork({ DATABASE_URL: databaseUrl, WORKERS: '1' });
  for (let i = 0; i < config.workers; i++) fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    log.error({ pid: worker.process.pid, code, signal }, 'worker died; starting another');
    fork();
  });
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, workers: Object.keys(cluster.workers ?? {}).length }, 'shutting down workers');
    const exits = Object.values(cluster.workers ?? {}).map((w) => new Promise((r) => (w!.isDead() ? r(null) : w!.once('exit', r))));
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
    await Promise.all(exits);
    await metricsServer?.close();
    if (stopPg) await stopPg();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

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
  // Once per start: forked workers (WORKERS > 1) read the same environment; only the supervisor says it.
  if (cluster.isPrimary) for (const warning of config.warnings) log.warn(warning);
  if (config.workers > 1 && cluster.isPrimary) {
    await supervise(config, log);
    return;
  }
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
  // A known start-up problem is one clear sentence (exit 2, like a configuration error), not a stack.
  if (err instanceof EmbeddedDatabaseError) {
    console.error(err.message);
    process.exit(2);
  }
  console.error(err);
  process.exit(1);
});
