import type http from 'node:http';
import type { Config } from '../../config';
import type { Sql } from '../../db/sql';
import type { Logger } from '../../shared/logger';
import type { LedgerEngine } from '../ledger/engine/scheduler';
import type { RealtimeHub } from '../realtime/realtime.hub';
import type { Metrics } from './metrics';
import { answerSupervisor } from './cluster-scrape';
import { exposureOf, metricsHandler, startMetricsServer } from './metrics.http';
import { OutboxDepthQuery } from './outbox-depth';
import { registerScrapeGauges } from './scrape-gauges';

export { Metrics } from './metrics';
export { graphqlMetricsPlugin } from './graphql-plugin';

export interface MetricsExposure {
  /** The handler for GET /metrics on the API port, or null when it is served elsewhere. */
  apiRoute: ((req: http.IncomingMessage, res: http.ServerResponse) => void) | null;
  /** Starts the METRICS_PORT server when this process serves one; resolves with its port (null: none). */
  listen(): Promise<number | null>;
  close(): Promise<void>;
}

/**
 * Wires the scrape-time gauges to the app's parts and decides where /metrics is served
 * (metrics.http.ts). Called once the WebSocket server exists.
 */
export function exposeMetrics(
  metrics: Metrics,
  parts: { config: Config; log: Logger; sql: Sql; ledger: LedgerEngine; realtime: RealtimeHub; sockets: () => number },
): MetricsExposure {
  const { config, log, sql, realtime } = parts;
  const outboxes = new OutboxDepthQuery(sql);
  registerScrapeGauges(metrics.registry, {
    pool: () => sql.poolUsage(),
    ledgerDepth: () => parts.ledger.depth(),
    sockets: parts.sockets,
    subscriptions: () => realtime.counts(),
    realtimeStats: () => realtime.stats,
    outboxes: () => outboxes.read(),
    log,
  });
  const exposure = exposureOf(config.metrics);
  const scrape = async () => ({ text: await metrics.text(), contentType: metrics.contentType });
  const handler = metricsHandler({ scrape, config: config.metrics, nodeEnv: config.nodeEnv, onApiPort: exposure === 'api-port', log });
  if (exposure === 'supervisor') answerSupervisor(metrics.registry);
  if (exposure === 'api-port' && config.nodeEnv === 'production' && !config.metrics.token) {
    log.warn('GET /metrics answers 403 in production without METRICS_TOKEN or METRICS_PORT');
  }
  let server: Awaited<ReturnType<typeof startMetricsServer>> | null = null;
  return {
    apiRoute: exposure === 'api-port' ? handler : null,
    async listen() {
      if (exposure !== 'own-port') return null;
      server ??= await startMetricsServer(handler, config.metrics.port!, config.metrics.host);
      return server.port;
    },
    async close() {
      await server?.close();
    },
  };
}
