import { randomUUID } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from './config';
import { ormConfig } from './db/mikro-orm.config';
import { startEmbeddedPostgres } from './db/embedded';
import { migrateUp } from './db/migrate';
import { Sql } from './db/sql';
import { SupportedTimeZones } from './db/time-zones';
import type { Logger } from './shared/logger';
import type { Services } from './services';
import { AccountsService } from './modules/accounts/accounts.service';
import { AuthService } from './modules/auth/auth.service';
import { TokenService } from './modules/auth/tokens';
import { REVOCATION_CHANNEL } from './modules/auth/credential-cache';
import { LedgerService } from './modules/ledger/ledger.service';
import { PricingService } from './modules/pricing/pricing.service';
import { SynfluencersService } from './modules/synfluencers/synfluencers.service';
import { SocketRegistry } from './modules/realtime/socket-registry';
import { RealtimeHub } from './modules/realtime/realtime.hub';
import { BillingService } from './modules/billing/billing.service';
import { MessagesService } from './modules/alerts/messages.service';
import { MessageKind } from './modules/alerts/message.entity';
import { EmailOutboxWorker } from './modules/alerts/email.outbox';
import { alertsParticipant } from './modules/alerts/alerts.participant';
import { AlertDecisions } from './modules/alerts/alert-decisions';
import { UsageService } from './modules/usage/usage.service';
import { usageRollupParticipant } from './modules/usage/usage-rollup.participant';
import { HistoryService } from './modules/usage/history.service';
import { webhooksModule, type WebhooksModule } from './modules/webhooks/webhooks.module';
import { WebhookEventType } from './modules/webhooks/webhook-event';
import { AutoTopUpService } from './modules/auto-top-up/auto-top-up.service';
import { autoTopUpParticipant } from './modules/auto-top-up/auto-top-up.participant';
import { Metrics } from './modules/metrics/metrics.module';

/** The database the service runs on: DATABASE_URL, or an embedded PostgreSQL under DATA_DIR. Migrated. */
export interface Database {
  orm: MikroORM;
  url: string;
  /** Stops the embedded PostgreSQL, if this process started one. */
  stopEmbedded: (() => Promise<void>) | undefined;
}

/** `attachOnly`: use the embedded database only if a server already runs it; never start (and so own) it. */
export async function openDatabase(config: Config, log: Logger, opts: { attachOnly?: boolean } = {}): Promise<Database> {
  let url = config.databaseUrl;
  let stopEmbedded: (() => Promise<void>) | undefined;
  if (!url) {
    const pg = await startEmbeddedPostgres(config.dataDir, config.embeddedPgPort, log, opts);
    url = pg.url;
    stopEmbedded = pg.stop;
  }
  const orm = await MikroORM.init(ormConfig(url, config.dbPoolSize, false, config.dbTimeouts));
  const applied = await migrateUp(orm);
  if (applied.length) log.info({ applied }, 'migrations applied');
  return { orm, url, stopEmbedded };
}

/**
 * Everything of one instance except its HTTP and WebSocket front: the services every request
 * uses, wired to each other, and the background work (outbox workers, sweeps) when asked for.
 */
export interface Core {
  /** This instance's id (its LISTEN connection's application_name and its live_socket rows carry it). */
  instanceId: string;
  services: Services;
  /** Live sockets of this instance, counted across instances for the per-account limits. */
  sockets: SocketRegistry;
  /** Null when METRICS=off. */
  metrics: Metrics | null;
  /** Settles queued ledger work, stops the workers, the LISTEN connection and the login throttle's cleanup, closes the pool. */
  stop(): Promise<void>;
}

/** Which background work an instance runs: the queue workers, and all sweeps, the expiry sweep alone or none. */
export interface BackgroundWork {
  workers: boolean;
  sweeps: 'all' | 'expiry' | 'none';
}

export async function buildCore(db: Database, config: Config, log: Logger, background: BackgroundWork): Promise<Core> {
  const { orm } = db;
  const instanceId = randomUUID();
  const pricing = new PricingService(config);
  const ledger = new LedgerService(orm, config, pricing, log);
  const messages = new MessagesService(orm);
  // Real time and alerts: everything here runs after commit and never blocks a charge.
  const realtime = new RealtimeHub({ databaseUrl: db.url, instanceId, config, log, sql: new Sql(orm), ledger, messages });
  const outbox = new EmailOutboxWorker({ sql: new Sql(orm), config, log });
  const alertDecisions = new AlertDecisions();
  const webhooks = webhooksModule({ orm, config, messages, alertDecisions, log });
  const billing = new BillingService(orm, config, pricing, ledger, log, () => services.notifier);
  const autoTopUp = new AutoTopUpService({ orm, config, pricing, billing, ledger, messages, publisher: webhooks.publisher, emailsQueued: () => outbox.kick(), log });
  addBatchParticipants({ config, ledger, messages, outbox, alertDecisions, webhooks, autoTopUp });
  ledger.onCommit((committed) => realtime.committed(committed));
  messages.onAdded((accountIds) => realtime.messagesAdded(accountIds));

  // Credentials end everywhere at once: revocations arrive on the realtime LISTEN connection, and
  // while it is down nothing about credentials is cached (credential-cache.ts).
  // One reader of PostgreSQL's zone names for sign-up and settings (time-zones.ts).
  const timeZones = new SupportedTimeZones(new Sql(orm));
  const auth = new AuthService(orm, config, await TokenService.create(config), ledger, pricing, timeZones, log);
  const sockets = new SocketRegistry({ sql: new Sql(orm), instanceId, limits: config.ws, endedCredentials: (sessionIds, apiKeyIds) => auth.endedCredentials(sessionIds, apiKeyIds), log });
  realtime.listen(REVOCATION_CHANNEL, (payload) => auth.credentials.notified(payload));
  realtime.onListening((listening) => {
    auth.credentials.setListening(listening);
    sockets.listeningChanged(listening);
  });
  auth.credentials.onRevoked((revocation) => sockets.revoked(revocation));

  // Operators' metrics (src/modules/metrics/): the ledger and the hub report through observers.
  const metrics = config.metrics.enabled ? new Metrics(config.metrics) : null;
  if (metrics) {
    ledger.engine.observe(metrics.ledger);
    realtime.observe(metrics.realtime);
  }

  const services: Services = {
    config,
    log,
    orm,
    pricing,
    ledger,
    messages,
    realtime,
    // A failed review loses nothing: the next ledger change of the wallet decides its alerts again,
    // and the realtime poll delivers the version the settings change took.
    accounts: new AccountsService(orm, timeZones, (accountId, publish) => ledger.review(accountId, { publish }).catch((err) => log.error({ err, accountId }, 'alert review after a settings change failed'))),
    synfluencers: new SynfluencersService(orm),
    auth,
    // Billing's PURCHASE_COMPLETED / REFUND_COMPLETED / PLAN_RENEWED become Messages.
    notifier: {
      notify: (accountId, kind, title, body, data, effectKey) => messages.notify(accountId, MessageKind[kind], title, body, data, effectKey),
      notifyWithin: (client, accountId, kind, title, body, data) => messages.recordWithin(client, { accountId, kind: MessageKind[kind], title, body, data }),
      announced: (accountId) => messages.added([accountId]),
    },
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

  await realtime.start();
  // Only serving instances: a local tool (npm run mcp) started without ADMIN_EMAILS must not demote anyone.
  if (background.workers) await auth.reconcileAdmins();
  const workers = [outbox, webhooks.worker, autoTopUp.worker];
  const sweeper = background.sweeps === 'none' ? undefined : startSweeps(services, config, log, background.sweeps === 'all');
  if (background.workers) workers.forEach((worker) => worker.start());

  return {
    instanceId,
    services,
    sockets,
    metrics,
    async stop() {
      clearInterval(sweeper);
      auth.stop();
      await ledger.drain();
      await realtime.stop();
      for (const worker of workers) await worker.stop();
      await orm.close(true);
      if (db.stopEmbedded) await db.stopEmbedded();
    },
  };
}

/** Modules that add their rows to every ledger batch (BatchParticipant): one transaction, one write statement. */
function addBatchParticipants(parts: {
  config: Config;
  ledger: LedgerService;
  messages: MessagesService;
  outbox: EmailOutboxWorker;
  alertDecisions: AlertDecisions;
  webhooks: WebhooksModule;
  autoTopUp: AutoTopUpService;
}): void {
  const { config, ledger, messages, outbox, alertDecisions, webhooks, autoTopUp } = parts;
  ledger.addParticipant(alertsParticipant({ messagesCommitted: (accountIds) => messages.added(accountIds), emailsCommitted: () => outbox.kick(), decisions: alertDecisions }));
  if (config.usageRollup) ledger.addParticipant(usageRollupParticipant());
  ledger.addParticipant(webhooks.participant); // after alerts: it turns their decisions into outbound events
  ledger.addParticipant(autoTopUpParticipant({ maxFailures: config.autoTopUp.maxFailures, started: () => autoTopUp.worker.kick() }));
}

/**
 * Holds and buckets past their time are expired, a month that ended zeroes its wallets' spend,
 * and (`refunds`) refused refunds are retried, by a sweep on every instance (safe: each expiry
 * and month turn is re-checked under the wallet lock).
 */
function startSweeps(services: Services, config: Config, log: Logger, refunds: boolean): NodeJS.Timeout {
  const sweeper = setInterval(() => {
    services.ledger.sweep().catch((err) => log.error({ err }, 'expiry sweep failed'));
    if (refunds) services.billing.refunds.sweep().catch((err) => log.error({ err }, 'refund retry sweep failed'));
  }, config.sweepIntervalMs);
  sweeper.unref();
  return sweeper;
}
