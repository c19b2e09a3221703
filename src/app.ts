import 'reflect-metadata';
import http from 'node:http';
import express from 'express';
import pinoHttp from 'pino-http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLSchema } from 'graphql';
import type { Config } from './config';
import { buildCore, openDatabase } from './core';
import { pendingMigrations } from './db/migrate';
import { Sql } from './db/sql';
import { createLogger, type Logger } from './shared/logger';
import { graphqlHttpHandler, HttpDrain, isGraphqlPath, jsonErrorHandler, jsonNotFound, requestIdOf, serviceUnavailablePlugin, subscriptionsOverHttpRefusedPlugin } from './shared/http';
import { corsHandler, originMatcher, webSocketOriginAllowed } from './shared/cors';
import { explorerPage, registerSiteRoutes, wantsExplorer } from './site/site';
import { clientAddressOf } from './shared/client-address';
import { isDatabaseUnavailable, makeFormatError, serviceUnavailable } from './shared/errors';
import { apolloArmorOf, parseOptionsOf } from './shared/graphql-limits';
import { registerDashboard } from './shared/web-app';
import { buildGraphQLSchema } from './schema';
import type { Services } from './services';
import { createLoaders, type Context } from './modules/auth/context';
import { startWebSocketServer } from './ws';
import { registerStripeWebhook } from './modules/billing/billing.routes';
import { registerUsageRoutes } from './modules/usage/usage.routes';
import { registerMcpRoutes } from './modules/mcp/mcp.routes';
import { exposeMetrics, graphqlMetricsPlugin, type Metrics } from './modules/metrics/metrics.module';

export interface App {
  /** This instance's id (its LISTEN connection's application_name and its live_socket rows carry it). */
  instanceId: string;
  services: Services;
  schema: GraphQLSchema;
  httpServer: http.Server;
  /** Listens on `port` (0 = any free port) and resolves with the bound port; starts METRICS_PORT's server too. */
  listen(port?: number, host?: string): Promise<number>;
  /** The port /metrics has to itself (METRICS_PORT), once listening; null when it is served on the API port or not at all. */
  readonly metricsPort: number | null;
  /** Graceful stop: refuse new work, drain HTTP and WebSocket, settle queued ledger work, close the pool. */
  stop(): Promise<void>;
}

export interface BuildOptions {
  logger?: Logger;
  /**
   * Run the background work: the email, webhook and auto top-up workers and the expiry sweeps.
   * Off for a process that only serves calls beside the servers (the stdio MCP entry), so it
   * never claims queued work with a configuration made for something else. @default true
   */
  background?: boolean;
  /**
   * With `background: false`, still release holds and expire credits past their time (the
   * ledger's sweep: re-checked under the wallet lock, so safe beside any number of servers, and
   * independent of this process's configuration). @default false
   */
  expirySweep?: boolean;
  /** Use the embedded database only when a server already runs it (see openDatabase). @default false */
  attachToRunningDatabase?: boolean;
}

/**
 * Builds the whole service without listening, so tests and the benchmark can start it on
 * their own database and port. Applies pending migrations (under an advisory lock).
 */
export async function buildApp(config: Config, opts: BuildOptions = {}): Promise<App> {
  const log = opts.logger ?? createLogger(config);
  const db = await openDatabase(config, log, { attachOnly: opts.attachToRunningDatabase });
  const background = opts.background ?? true;
  const core = await buildCore(db, config, log, { workers: background, sweeps: background ? 'all' : opts.expirySweep ? 'expiry' : 'none' });
  const { services, metrics } = core;

  const schema = await buildGraphQLSchema();
  const exposeInternals = config.nodeEnv === 'development';
  const formatError = makeFormatError({ exposeInternals, log: (err) => log.error({ err }, 'unhandled error in GraphQL operation') });

  const app = express();
  app.disable('x-powered-by');
  // Every request is counted for the graceful drain; /graphql skips Express (see shared/http.ts).
  const drain = new HttpDrain();
  let graphqlHttp: (req: http.IncomingMessage, res: http.ServerResponse) => void = () => undefined;
  const originAllowed = originMatcher(config.corsOrigins);
  const cors = corsHandler(originAllowed);
  const explorer = config.explorer ? explorerPage(log) : null;
  const route = (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (!isGraphqlPath(req.url)) app(req, res);
    else if (explorer && wantsExplorer(req)) explorer(req, res);
    else graphqlHttp(req, res);
  };
  const httpServer = http.createServer((req, res) => {
    drain.track(res);
    metrics?.trackHttp(req, res);
    cors(req, res, () => route(req, res));
  });

  const apollo = apolloServer(config, schema, formatError, metrics);
  await apollo.start();

  const clientAddress = clientAddressOf(config.trustProxy);
  const ws = startWebSocketServer({ httpServer, schema, services, config, registry: core.sockets, formatError, originAllowed: webSocketOriginAllowed(originAllowed), clientAddress });
  const metricsExposure = metrics
    ? exposeMetrics(metrics, { config, log, sql: new Sql(services.orm), ledger: services.ledger.engine, realtime: services.realtime, sockets: () => ws.wss.clients.size })
    : null;
  graphqlHttp = graphqlHttpHandler({
    apollo,
    log,
    maxBodyBytes: config.limits.maxBodyBytes,
    context: async (req, requestId): Promise<Context> => ({
      principal: await services.auth.authenticate(req.headers.authorization).catch((err: unknown) => {
        // Apollo answers a context failure 500 unless it carries its own status: 503 while the database is down.
        throw isDatabaseUnavailable(err) ? serviceUnavailable() : err;
      }),
      authorization: req.headers.authorization,
      services,
      requestId,
      ip: clientAddress(req),
      loaders: createLoaders(services),
    }),
  });
  registerRoutes(app, services, drain, metricsExposure?.apiRoute ?? null);

  let stopped: Promise<void> | undefined;
  let metricsPort: number | null = null;
  return {
    instanceId: core.instanceId,
    services,
    schema,
    httpServer,
    get metricsPort() {
      return metricsPort;
    },
    async listen(port = config.port, host = config.host) {
      const bound = await new Promise<number>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          const addr = httpServer.address();
          resolve(typeof addr === 'object' && addr ? addr.port : port);
        });
      });
      metricsPort = (await metricsExposure?.listen()) ?? null;
      return bound;
    },
    stop() {
      stopped ??= (async () => {
        await ws.close();
        await drain.drain(httpServer, 15_000); // stop accepting, answer every request in flight, then close sockets
        await metricsExposure?.close();
        await apollo.stop();
        await core.stop();
      })();
      return stopped;
    },
  };
}

function apolloServer(config: Config, schema: GraphQLSchema, formatError: ReturnType<typeof makeFormatError>, metrics: Metrics | null): ApolloServer<Context> {
  const armor = apolloArmorOf(config);
  return new ApolloServer<Context>({
    schema,
    introspection: config.introspection,
    csrfPrevention: true,
    hideSchemaDetailsFromClientErrors: true,
    includeStacktraceInErrorResponses: config.nodeEnv === 'development',
    formatError,
    validationRules: armor.validationRules,
    parseOptions: parseOptionsOf(config),
    allowBatchedHttpRequests: false,
    // Compact JSON: Apollo's default indents every answer, which costs a batch of 100 results a
    // third more bytes and serialisation time for nobody (clients parse, they do not read).
    stringifyResult: (result) => JSON.stringify(result),
    // No cache hints in a billing API (every answer is private and live). Apollo's default
    // cache-control plugin would also wrap every field resolver to compute them.
    plugins: [
      ...armor.plugins,
      serviceUnavailablePlugin(),
      subscriptionsOverHttpRefusedPlugin(),
      ...(metrics ? [graphqlMetricsPlugin<Context>(metrics, (context) => context.principal !== null)] : []),
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginCacheControlDisabled(),
    ],
  });
}

/** The plain routes beside /graphql, in order; the last two answer unknown paths and every route's errors as JSON with a contract code. */
function registerRoutes(app: express.Express, services: Services, drain: HttpDrain, metricsRoute: express.RequestHandler | null): void {
  const { config, log } = services;
  app.use(
    pinoHttp({
      logger: log,
      genReqId: (req, res) => {
        const id = requestIdOf(req);
        res.setHeader('x-request-id', id);
        return id;
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' || req.url === '/metrics' },
    }),
  );
  // Raw body for the signature check: registered before any JSON body parser.
  registerStripeWebhook(app, services.billing.webhooks);
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', readiness(services, drain));
  registerUsageRoutes(app, services);
  if (metricsRoute) app.get('/metrics', metricsRoute);
  registerMcpRoutes(app, services);
  registerSiteRoutes(app, config);
  registerDashboard(app, config.webDir, log);
  app.use(jsonNotFound);
  app.use(jsonErrorHandler(log));
}

/** GET /readyz: 200 when the database answers and no migration is pending; 503 while draining. */
function readiness(services: Services, drain: HttpDrain): express.RequestHandler {
  return async (_req, res) => {
    if (drain.isDraining) {
      res.status(503).json({ status: 'draining' });
      return;
    }
    try {
      await services.orm.em.getConnection().execute('select 1');
      const pending = await pendingMigrations(services.orm);
      if (pending > 0) {
        res.status(503).json({ status: 'migrations pending', pending });
        return;
      }
      res.json({ status: 'ready' });
    } catch (err) {
      services.log.warn({ err }, 'readiness check failed');
      res.status(503).json({ status: 'database unreachable' });
    }
  };
}
