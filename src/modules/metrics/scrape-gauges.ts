import { Counter, Gauge, type Registry } from 'prom-client';
import type { PoolUsage } from '../../db/sql';
import type { Logger } from '../../shared/logger';
import type { OutboxDepth } from './outbox-depth';

/** What the app exposes to be read at scrape time (closures, so no module imports metrics). */
export interface ScrapeSources {
  pool: () => PoolUsage | null;
  ledgerDepth: () => { queued: number; inflight: number };
  /** Open WebSocket connections (graphql-ws), authenticated or not yet. */
  sockets: () => number;
  subscriptions: () => { balanceSubscribers: number; messageSubscribers: number; lowCreditSubscribers: number };
  realtimeStats: () => { notifiesSent: number; notificationsReceived: number; pollRepairs: number };
  outboxes: () => Promise<OutboxDepth[]>;
  log: Logger;
}

/** A scrape never waits longer than this for the outbox query (a saturated pool must not stall it). */
const OUTBOX_QUERY_TIMEOUT_MS = 1000;

/**
 * Gauges (and counters of the realtime hub's own tallies) computed when Prometheus scrapes,
 * costing nothing between scrapes. `aggregator` says how the supervisor combines workers
 * (WORKERS > 1): per-process figures add up, database-wide ones (outboxes) take the maximum.
 */
export function registerScrapeGauges(registry: Registry, sources: ScrapeSources): void {
  const registers = [registry];
  new Gauge({
    name: 'credits_db_pool_connections',
    help: 'PostgreSQL connections of the pool behind MikroORM, by state: used, idle, opening (the realtime LISTEN connection is not pooled).',
    labelNames: ['state'],
    registers,
    collect() {
      const usage = sources.pool();
      if (!usage) return;
      this.set({ state: 'used' }, usage.used);
      this.set({ state: 'idle' }, usage.idle);
      this.set({ state: 'opening' }, usage.opening);
    },
  });
  new Gauge({
    name: 'credits_db_pool_waiting',
    help: 'Callers waiting for a pooled PostgreSQL connection.',
    registers,
    collect() {
      this.set(sources.pool()?.waiting ?? 0);
    },
  });
  new Gauge({
    name: 'credits_db_pool_max',
    help: 'Largest number of pooled PostgreSQL connections (DB_POOL_SIZE).',
    registers,
    collect() {
      this.set(sources.pool()?.max ?? 0);
    },
  });
  new Gauge({
    name: 'credits_ledger_queue_depth',
    help: 'Ledger operations waiting for a batch transaction on this instance.',
    registers,
    collect() {
      this.set(sources.ledgerDepth().queued);
    },
  });
  new Gauge({
    name: 'credits_ledger_operations_in_flight',
    help: 'Ledger operations submitted and not yet answered on this instance (queued ones included).',
    registers,
    collect() {
      this.set(sources.ledgerDepth().inflight);
    },
  });
  new Gauge({
    name: 'credits_websocket_connections',
    help: 'Open graphql-ws WebSocket connections on this instance.',
    registers,
    collect() {
      this.set(sources.sockets());
    },
  });
  new Gauge({
    name: 'credits_subscriptions_active',
    help: 'Active GraphQL subscriptions on this instance, by subscription field.',
    labelNames: ['subscription'],
    registers,
    collect() {
      const counts = sources.subscriptions();
      this.set({ subscription: 'balanceChanged' }, counts.balanceSubscribers);
      this.set({ subscription: 'messageAdded' }, counts.messageSubscribers);
      this.set({ subscription: 'lowCreditAlert' }, counts.lowCreditSubscribers);
    },
  });
  registerRealtimeCounters(registry, sources);
  registerOutboxGauges(registry, sources);
}

/** The hub's tallies as counters: each scrape adds what they grew by since the last one. */
function registerRealtimeCounters(registry: Registry, sources: ScrapeSources): void {
  const tallies = [
    ['credits_realtime_notifies_sent_total', 'NOTIFY payloads this instance sent on wallet_changes (coalesced after commit).', 'notifiesSent'],
    ['credits_realtime_notifications_received_total', 'Notifications this instance received on wallet_changes (its own included).', 'notificationsReceived'],
    ['credits_realtime_poll_repairs_total', 'Watched wallets whose change the version poll found before any notification (a publisher that died after commit, or a lost NOTIFY).', 'pollRepairs'],
  ] as const;
  for (const [name, help, key] of tallies) {
    let reported = 0;
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        const now = sources.realtimeStats()[key];
        if (now > reported) this.inc(now - reported);
        reported = now;
      },
    });
  }
}

function registerOutboxGauges(registry: Registry, sources: ScrapeSources): void {
  let latest: Promise<OutboxDepth[]> | null = null;
  /** One outbox query per scrape, shared by both gauges; bounded in time, and a failure only leaves the gauges out. */
  const read = (): Promise<OutboxDepth[]> => {
    latest ??= withTimeout(sources.outboxes(), OUTBOX_QUERY_TIMEOUT_MS)
      .catch((err: unknown) => {
        sources.log.warn({ err }, 'metrics: outbox depth query failed');
        return [];
      })
      .finally(() => setImmediate(() => (latest = null)));
    return latest;
  };
  const depth = new Gauge({
    name: 'credits_outbox_depth',
    help: 'Rows waiting to be sent, by outbox: email (alert emails), webhook (deliveries to enabled endpoints). Database-wide.',
    labelNames: ['outbox'],
    registers: [registry],
    aggregator: 'max',
    async collect() {
      depth.reset();
      for (const row of await read()) this.set({ outbox: row.outbox }, row.depth);
    },
  });
  const oldest = new Gauge({
    name: 'credits_outbox_oldest_age_seconds',
    help: 'Age of the oldest row waiting in each outbox (0 when empty). Database-wide.',
    labelNames: ['outbox'],
    registers: [registry],
    aggregator: 'max',
    async collect() {
      oldest.reset();
      for (const row of await read()) this.set({ outbox: row.outbox }, row.oldestSeconds);
    },
  });
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
