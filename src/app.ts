import 'reflect-metadata';
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import express from 'express';
import pinoHttp from 'pino-http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { MikroORM } from '@mikro-orm/postgresql';
import type { GraphQLSchema } from 'graphql';
import type { Config } from './config';
import { ormConfig } from './db/mikro-orm.config';
import { startEmbeddedPostgres } from './db/embedded';
import { migrateUp, pendingMigrations } from './db/migrate';
import { createLogger, type Logger } from './shared/logger';
import { graphqlHttpHandler, HttpDrain, jsonErrorHandler, jsonNotFound, requestIdOf, serviceUnavailablePlugin } from './shared/http';
import { corsHandler, originMatcher, webSocketOriginAllowed } from './shared/cors';
import { explorerPage, registerSiteRoutes, wantsExplorer } from './site/site';
import { isDatabaseUnavailable, makeFormatError, serviceUnavailable } from './shared/errors';
import { apolloArmorOf, parseOptionsOf } from './shared/graphql-limits';
import { buildGraphQLSchema } from './schema';
import type { Services } from './services';
import { AccountsService } from './modules/accounts/accounts.service';
import { AuthService } from './modules/auth/auth.service';
import { TokenService } from './modules/auth/tokens';
import { createLoaders, type Context } from './modules/auth/context';
import { LedgerService } from './modules/ledger/ledger.service';
import { PricingService } from './modules/pricing/pricing.service';
import { SynfluencersService } from './modules/synfluencers/synfluencers.service';
import { startWebSocketServer } from './ws';
import { SocketRegistry } from './modules/realtime/socket-registry';
import { REVOCATION_CHANNEL } from './modules/auth/credential-cache';
import { BillingService } from './modules/billing/billing.service';
import { registerStripeWebhook } from './modules/billing/billing.routes';
import { Sql } from './db/sql';
import { MessagesService } from './modules/alerts/messages.service';
import { MessageKind } from './modules/alerts/message.entity';
import { EmailOutboxWorker } from './modules/alerts/email.outbox';
import { alertsParticipant } from './modules/alerts/alerts.participant';
import { RealtimeHub } from './modules/realtime/realtime.hub';
import { UsageService } from './modules/usage/usage.service';
import { registerUsageRoutes } from './modules/usage/usage.routes';
import { registerMcpRoutes } from './modules/mcp/mcp.routes';
import { usageRollupParticipant } from './modules/usage/usage-rollup.participant';
import { HistoryService } from './modules/usage/history.service';
import { AlertDecisions } from './modules/alerts/alert-decisions';
import { webhooksModule } from './modules/webhooks/webhooks.module';
import { WebhookEventType } from './modules/webhooks/webhook-event';
import { AutoTopUpService } from './modules/auto-top-up/auto-top-up.service';
import { autoTopUpParticipant } from './modules/auto-top-up/auto-top-up.participant';
import { registerDashboard } from './shared/web-app';
import { exposeMetrics, graphqlMetricsPlugin, Metrics } from './modules/metrics/metrics.module';

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
}

/**
 * Builds the whole service without listening, so tests and the benchmark can start it on
 * their own database and port. Applies pending migrations (under an advisory lock).
 */
export async function buildApp(config: Config, opts: BuildOptions = {}): Promise<App> {
  const background = opts.background ?? true;
  const log = opts.logger ?? createLogger(config);
  let stopEmbedded: (() => Promise<void>) | undefined;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    const pg = await startEmbeddedPostgres(config.dataDir, config.embeddedPgPort, log);
    databaseUrl = pg.url;
    stopEmbedded = pg.stop;
  }

  const orm = await MikroORM.init(ormConfig(databaseUrl!, config.dbPoolSize, false, config.dbTimeouts));
  const applied = await migrateUp(orm);
  if (applied.length) log.info({ applied }, 'migrations applied');

  const tokens = await TokenService.create(config);
  const pricing = new PricingService(config);
  const ledger = new LedgerService(orm, config, pricing, log);
  // Real time and alerts: everything here runs after commit and never blocks a charge.
  const messages = new MessagesService(orm);
  const instanceId = randomUUID();
  const realtime = new RealtimeHub({ databaseUrl: databaseUrl!, instanceId, config, log, sql: new Sql(orm), ledger, messages });
  const outbox = new EmailOutboxWorker({ sql: new Sql(orm), config, log });
  const alertDecisions = new AlertDecisions();
  const webhooks = webhooksModule({ orm, config, messages, alertDecisions, log });
  // Modules that add their rows to every ledger batch (BatchParticipant): one transaction, one write statement.
  ledger.addParticipant(alertsParticipant({ messagesCommitted: (accountIds) => messages.added(accountIds), emailsCommitted: () => outbox.kick(), decisions: alertDecisions }));
  if (config.usageRollup) ledger.addParticipant(usageRollupParticipant());
  ledger.addParticipant(webhooks.participant); // after alerts: it turns their decisions into outbound events
  ledger.addParticipant(autoTopUpParticipant({ maxFailures: config.autoTopUp.maxFailures, started: () => autoTopUp.worker.kick() }));
  ledger.onCommit((committed) => realtime.committed(committed));
  messages.onAdded((accountIds) => realtime.messagesAdded(accountIds));
  // Credentials end everywhere at once: revocations arrive on the realtime LISTEN connection, and
  // while it is down nothing about credentials is cached (credential-cache.ts).
  const auth = new AuthService(orm, config, tokens, ledger, pricing, log);
  const sockets = new SocketRegistry({ sql: new Sql(orm), instanceId, limits: config.ws, log });
  realtime.listen(REVOCATION_CHANNEL, (payload) => auth.credentials.notified(payload));
  realtime.onListening((listening) => auth.credentials.setListening(listening));
  auth.credentials.onRevoked((revocation) => sockets.revoked(revocation));
  // Operators' metrics (src/modules/metrics/): the ledger and the hub report through observers.
  const metrics = config.metrics.enabled ? new Metrics(config.metrics) : null;
  if (metrics) {
    ledger.engine.observe(metrics.ledger);
    realtime.observe(metrics.realtime);
  }
  await realtime.start();
  if (background) outbox.start();

  const billing = new BillingService(orm, config, pricing, ledger, log, () => services.notifier);
  const autoTopUp = new AutoTopUpService({ orm, config, pricing, billing, ledger, messages, publisher: webhooks.publisher, emailsQueued: () => outbox.kick(), log });
  const services: Services = {
    config,
    log,
    orm,
    pricing,
    ledger,
    messages,
    realtime,
    accounts: new AccountsService(orm),
    synfluencers: new SynfluencersService(orm),
    auth,
    // Billing's PURCHASE_COMPLETED / REFUND_COMPLETED / PLAN_RENEWED become Messages.
    notifier: { notify: (accountId, kind, title, body, data) => messages.notify(accountId, MessageKind[kind], title, body, data) },
    billing,
    usage: new UsageService(orm, config, pricing, ledger),
    history: new HistoryService(orm, ledger),
    webhooks: webhooks.service,
    autoTopUp,
  };
  billing.useEvents({
    refundCompleted: (client, accountId, details) => webhooks.publisher.publishWithin(client, accountId, WebhookEventType.REFUND_COMPLETED, details),
    committed: () => webhooks.publisher.committed(),
  });
  billing.webhooks.usePaymentEvents(autoTopUp);
  if (background) {
    webhooks.worker.start();
    services.autoTopUp.worker.start();
  }

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
    const path = (req.url ?? '').split('?', 1)[0];
    if (path !== '/graphql' && path !== '/graphql/') app(req, res);
    else if (explorer && wantsExplorer(req)) explorer(req, res);
    else graphqlHttp(req, res);
  };
  const httpServer = http.createServer((req, res) => {
    drain.track(res);
    metrics?.trackHttp(req, res);
    cors(req, res, () => route(req, res));
  });

  const armor = apolloArmorOf(config);
  const apollo = new ApolloServer<Context>({
    schema,
    introspection: config.introspection,
    csrfPrevention: true,
    hideSchemaDetailsFromClientErrors: true,
    includeStacktraceInErrorResponses: exposeInternals,
    formatError,
    validationRules: armor.validationRules,
    parseOptions: parseOptionsOf(config),
    allowBatchedHttpRequests: false,
    // No cache hints in a billing API (every answer is private and live). Apollo's default
    // cache-control plugin would also wrap every field resolver to compute them.
    plugins: [
      ...armor.plugins,
      serviceUnavailablePlugin(),
      ...(metrics ? [graphqlMetricsPlugin<Context>(metrics, (context) => context.principal !== null)] : []),
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginCacheControlDisabled(),
    ],
  });
  await apollo.start();

  const ws = startWebSocketServer({ httpServer, schema, services, config, registry: sockets, formatError, originAllowed: webSocketOriginAllowed(originAllowed) });
  const metricsExposure = metrics ? exposeMetrics(metrics, { config, log, sql: new Sql(orm), ledger: ledger.engine, realtime, sockets: () => ws.wss.clients.size }) : null;
  graphqlHttp = graphqlHttpHandler({
    apollo,
    log,
    maxBodyBytes: config.limits.maxBodyBytes,
    context: async (req, requestId): Promise<Context> => ({
      principal: await services.auth.authenticate(req.headers.authorization).catch((err: unknown) => {
        // Apollo answers a context failure 500 unless it carries its own status: 503 while the database is down.
        throw isDatabaseUnavailable(err) ? serviceUnavailable() : err;
      }),
      services,
      requestId,
      ip: req.socket.remoteAddress ?? 'unknown',
      loaders: createLoaders(services),
    }),
  });

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
  app.get('/readyz', async (_req, res) => {
    if (drain.isDraining) {
      res.status(503).json({ status: 'draining' });
      return;
    }
    try {
      await orm.em.getConnection().execute('select 1');
      const pending = await pendingMigrations(orm);
      if (pending > 0) {
        res.status(503).json({ status: 'migrations pending', pending });
        return;
      }
      res.json({ status: 'ready' });
    } catch (err) {
      log.warn({ err }, 'readiness check failed');
      res.status(503).json({ status: 'database unreachable' });
    }
  });

  registerUsageRoutes(app, services);
  if (metricsExposure?.apiRoute) app.get('/metrics', metricsExposure.apiRoute);
  registerMcpRoutes(app, services);
  registerSiteRoutes(app, config);
  registerDashboard(app, config.webDir, log);

  // Keep these two last: unknown paths and every route's errors answer JSON with a contract code.
  app.use(jsonNotFound);
  app.use(jsonErrorHandler(log));

  // Holds and buckets past their time are expired by a sweep on every instance (safe: each
  // expiry is re-checked under the wallet lock).
  const sweeper = background
    ? setInterval(() => {
        ledger.sweep().catch((err) => log.error({ err }, 'expiry sweep failed'));
        services.billing.sweep().catch((err) => log.error({ err }, 'refund retry sweep failed'));
      }, config.sweepIntervalMs)
    : undefined;
  sweeper?.unref();

  let stopped: Promise<void> | undefined;
  let metricsPort: number | null = null;
  return {
    instanceId,
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
        clearInterval(sweeper);
        await ws.close();
        await drain.drain(httpServer, 15_000); // stop accepting, answer every request in flight, then close sockets
        await metricsExposure?.close();
        await apollo.stop();
        await ledger.drain();
        await realtime.stop();
        await outbox.stop();
        await webhooks.worker.stop();
        await services.autoTopUp.worker.stop();
        await orm.close(true);
        if (stopEmbedded) await stopEmbedded();
      })();
      return stopped;
    },
  };
}
