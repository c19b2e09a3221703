import type http from 'node:http';
import { Counter, Histogram, Registry } from 'prom-client';
import type { MetricsConfig } from '../../config';
import { DomainError } from '../../shared/errors';
import type { BatchReport, LedgerObserver } from '../ledger/engine/observer';
import type { RealtimeObserver } from '../realtime/realtime.hub';
import { methodOf, routeOf } from './http-labels';
import { processMetrics } from './process-metrics';
import { OperationNameLabels } from './operation-names';

/** Seconds: from a fast local answer (1 ms) to a slow one (10 s). */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Operations per ledger transaction: 1 without contention, up to LEDGER_MAX_BATCH (200 by default, at most 5000). */
const BATCH_SIZE_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000];
/** Seconds between a NOTIFY and its delivery on another instance; the contract's bound is 2 s. */
const LAG_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5];

/**
 * The metrics of one app instance, in a registry of its own (not prom-client's global one): tests
 * run several apps in one process, and each must count only its own work. Recording is a few
 * counter and histogram updates per request and per ledger batch; everything that reads state
 * (pool, queues, sockets, outboxes) is read when Prometheus scrapes (scrape-gauges.ts). The
 * process's own metrics (CPU, memory, event loop, GC) are shared by every app of the process
 * (process-metrics.ts).
 */
export class Metrics {
  readonly registry: Registry = Registry.merge([processMetrics()]);
  readonly operationNames: OperationNameLabels;

  private readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  private readonly httpDuration: Histogram<'method' | 'route'>;
  private readonly graphqlOperations: Counter<'operation_name' | 'operation_type' | 'result'>;
  private readonly graphqlDuration: Histogram<'operation_name' | 'operation_type'>;
  private readonly ledgerBatchOperations: Histogram;
  private readonly ledgerBatchDuration: Histogram<'outcome'>;
  private readonly ledgerCommitDuration: Histogram;
  private readonly ledgerOperations: Counter<'result'>;
  private readonly notifyLag: Histogram;

  /** Handed to the ledger engine (LedgerEngine.observe). */
  readonly ledger: LedgerObserver = { batchFinished: (report) => this.batchFinished(report) };
  /** Handed to the realtime hub (RealtimeHub.observe). */
  readonly realtime: RealtimeObserver = { deliveredAfterNotify: (lagSeconds) => this.notifyLag.observe(lagSeconds) };

  constructor(config: MetricsConfig) {
    const registers = [this.registry];
    this.operationNames = new OperationNameLabels(config.operationNames, config.maxOperationNames);
    this.httpRequests = new Counter({
      name: 'credits_http_requests_total',
      help: 'HTTP requests answered (or aborted by the client: status "aborted"), by method, route and status code.',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'credits_http_request_duration_seconds',
      help: 'Time from the request arriving to the last byte of its answer.',
      labelNames: ['method', 'route'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.graphqlOperations = new Counter({
      name: 'credits_graphql_operations_total',
      help: 'GraphQL operations over HTTP, by operation name (bounded: see docs/operations.md), type and result (ok, or error when the answer carries any error).',
      labelNames: ['operation_name', 'operation_type', 'result'],
      registers,
    });
    this.graphqlDuration = new Histogram({
      name: 'credits_graphql_operation_duration_seconds',
      help: 'Time from Apollo receiving a GraphQL operation (context built) to its answer being ready.',
      labelNames: ['operation_name', 'operation_type'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.ledgerBatchOperations = new Histogram({
      name: 'credits_ledger_batch_operations',
      help: 'Ledger operations applied per database transaction (group commit batch size); committed and nothing-written batches.',
      buckets: BATCH_SIZE_BUCKETS,
      registers,
    });
    this.ledgerBatchDuration = new Histogram({
      name: 'credits_ledger_batch_duration_seconds',
      help: 'Ledger batch transaction time, from BEGIN (connection in hand) to COMMIT answered, by outcome (committed, nothing-written, failed).',
      labelNames: ['outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.ledgerCommitDuration = new Histogram({
      name: 'credits_ledger_commit_duration_seconds',
      help: 'The COMMIT round trip of committed ledger batches (the WAL flush every operation of the batch shares).',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.ledgerOperations = new Counter({
      name: 'credits_ledger_operations_total',
      help: 'Ledger operations settled by a batch: result "ok" or the refusal code (INSUFFICIENT_CREDITS, BUDGET_CAP_EXCEEDED, IDEMPOTENCY_CONFLICT, ...).',
      labelNames: ['result'],
      registers,
    });
    this.notifyLag = new Histogram({
      name: 'credits_realtime_notify_delivery_lag_seconds',
      help: 'Balance events announced by another instance: time from its NOTIFY being sent to this instance pushing the event to its subscribers (wall clocks of both instances).',
      buckets: LAG_BUCKETS,
      registers,
    });
  }

  /** The scrape answer: Prometheus text exposition format. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Counts one HTTP request when its answer is finished or the client went away. */
  trackHttp(req: http.IncomingMessage, res: http.ServerResponse): void {
    const started = performance.now();
    res.once('close', () => {
      const method = methodOf(req);
      const route = routeOf(req.url);
      this.httpRequests.inc({ method, route, status: res.writableFinished ? String(res.statusCode) : 'aborted' });
      this.httpDuration.observe({ method, route }, (performance.now() - started) / 1000);
    });
  }

  /** One GraphQL operation over HTTP (graphql-plugin.ts). */
  graphqlFinished(operationName: string, operationType: string, failed: boolean, seconds: number): void {
    this.graphqlOperations.inc({ operation_name: operationName, operation_type: operationType, result: failed ? 'error' : 'ok' });
    this.graphqlDuration.observe({ operation_name: operationName, operation_type: operationType }, seconds);
  }

  private batchFinished(report: BatchReport): void {
    this.ledgerBatchDuration.observe({ outcome: report.outcome }, report.seconds);
    if (report.outcome === 'failed') return;
    this.ledgerBatchOperations.observe(report.operations);
    if (report.outcome === 'committed') this.ledgerCommitDuration.observe(report.commitSeconds);
    let ok = 0;
    const refused = new Map<string, number>();
    for (const outcomes of report.outcomes) {
      for (const outcome of outcomes) {
        if (outcome.ok) ok++;
        else {
          const code = outcome.error instanceof DomainError ? outcome.error.code : 'error';
          refused.set(code, (refused.get(code) ?? 0) + 1);
        }
      }
    }
    if (ok > 0) this.ledgerOperations.inc({ result: 'ok' }, ok);
    for (const [code, count] of refused) this.ledgerOperations.inc({ result: code }, count);
  }
}
