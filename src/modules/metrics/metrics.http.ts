import cluster from 'node:cluster';
import http from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MetricsConfig, NodeEnv } from '../../config';
import { ErrorCode } from '../../shared/errors';
import { ClusterScrape } from './cluster-scrape';
import type { Logger } from '../../shared/logger';

/**
 * Where /metrics is served (docs/operations.md, "Metrics"):
 *  - `api-port`: on the API's own port (no METRICS_PORT). Open in development and test; in
 *    production only with METRICS_TOKEN, otherwise 403, so nothing leaks by default.
 *  - `own-port`: only on METRICS_PORT, bound to METRICS_HOST (127.0.0.1 unless set).
 *  - `supervisor`: a cluster worker with METRICS_PORT set; the supervisor serves the sum over
 *    all serving workers on METRICS_PORT (cluster-scrape.ts, over the cluster IPC channel).
 * METRICS_TOKEN, when set, is required as `Authorization: Bearer <token>` wherever it is served.
 */
export type MetricsExposure = 'api-port' | 'own-port' | 'supervisor';

export function exposureOf(config: MetricsConfig): MetricsExposure {
  if (config.port === undefined) return 'api-port';
  return cluster.isWorker ? 'supervisor' : 'own-port';
}

type Refusal = { status: 401 | 403; code: ErrorCode; message: string };

/** Constant-time comparison of the bearer token (both sides hashed to equal lengths first). */
function tokenMatches(header: string | undefined, token: string): boolean {
  const given = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1] ?? '';
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(token));
}

function refusalOf(req: http.IncomingMessage, config: MetricsConfig, nodeEnv: NodeEnv, onApiPort: boolean): Refusal | null {
  if (config.token !== undefined) {
    return tokenMatches(req.headers.authorization, config.token)
      ? null
      : { status: 401, code: ErrorCode.UNAUTHENTICATED, message: 'Metrics need Authorization: Bearer <METRICS_TOKEN>' };
  }
  if (onApiPort && nodeEnv === 'production') {
    return { status: 403, code: ErrorCode.FORBIDDEN, message: 'Metrics are not public in production: set METRICS_TOKEN, or METRICS_PORT to serve them on a separate address' };
  }
  return null;
}

function answerJson(res: http.ServerResponse, status: number, code: ErrorCode, message: string, headers: Record<string, string> = {}): void {
  const body = JSON.stringify({ errors: [{ message, extensions: { code } }] });
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', ...headers });
  res.end(body);
}

/** GET /metrics: the text from `scrape()`, after the token check. Works as an Express handler too. */
export function metricsHandler(opts: {
  scrape: () => Promise<{ text: string; contentType: string }>;
  config: MetricsConfig;
  nodeEnv: NodeEnv;
  onApiPort: boolean;
  log: Logger;
}): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  return (req, res) => {
    const refusal = refusalOf(req, opts.config, opts.nodeEnv, opts.onApiPort);
    if (refusal) {
      answerJson(res, refusal.status, refusal.code, refusal.message, refusal.status === 401 ? { 'www-authenticate': 'Bearer realm="metrics"' } : {});
      return;
    }
    opts.scrape().then(
      ({ text, contentType }) => {
        res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (err: unknown) => {
        opts.log.error({ err }, 'metrics scrape failed');
        if (!res.headersSent) answerJson(res, 500, ErrorCode.INTERNAL_SERVER_ERROR, 'Metrics could not be collected');
      },
    );
  };
}

/** A server of its own for METRICS_PORT: GET /metrics and nothing else. */
export async function startMetricsServer(
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => void,
  port: number,
  host: string,
): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?', 1)[0];
    if (path !== '/metrics') return answerJson(res, 404, ErrorCode.NOT_FOUND, 'Only /metrics is served here');
    if (req.method !== 'GET' && req.method !== 'HEAD') return answerJson(res, 405, ErrorCode.BAD_USER_INPUT, 'Use GET', { allow: 'GET, HEAD' });
    handler(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * WORKERS > 1 with METRICS_PORT: the supervisor's server, answering with every worker's metrics
 * combined (counters and histograms summed, database-wide gauges by their maximum).
 */
export function startClusterMetricsServer(config: MetricsConfig, nodeEnv: NodeEnv, log: Logger): Promise<{ port: number; close(): Promise<void> }> {
  const workers = new ClusterScrape();
  return startMetricsServer(metricsHandler({ scrape: () => workers.text(), config, nodeEnv, onApiPort: false, log }), config.port ?? 0, config.host);
}
