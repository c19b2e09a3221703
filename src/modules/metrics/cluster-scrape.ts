import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';

/** The supervisor's question and a worker's answer on the cluster IPC channel. */
const REQUEST = 'credits:metrics-request';
const ANSWER = 'credits:metrics-answer';

type WorkerMetrics = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;
type Answer = { type: typeof ANSWER; requestId: number; metrics?: WorkerMetrics; error?: string };

interface PendingScrape {
  /** Workers asked that have not answered yet, by cluster worker id. */
  waitingFor: Set<number>;
  answers: WorkerMetrics[];
  settle(err: Error | null): void;
}

/**
 * The supervisor's side of a scrape with WORKERS > 1: every worker that is serving is asked for
 * its registry over IPC and the answers are combined with prom-client's aggregation (counters
 * and histograms summed; gauges marked `max` by their maximum).
 *
 * Only workers that are listening are asked. A worker still starting (the first ones, or one
 * forked to replace a worker that died) cannot answer yet and has counted nothing; asking it
 * made the whole scrape wait for the timeout and fail with 500 (prom-client's clusterMetrics
 * asks every connected worker). A worker that exits while a scrape waits for it is dropped
 * from that scrape, as its counts are gone with it; one that is alive and silent past the
 * timeout fails the scrape rather than answering a partial sum that would look like a reset.
 */
export class ClusterScrape {
  private readonly serving = new Set<number>();
  private readonly pending = new Map<number, PendingScrape>();
  private nextRequestId = 1;

  constructor(private readonly timeoutMs = 5000) {
    cluster.on('listening', (worker) => this.serving.add(worker.id));
    cluster.on('exit', (worker) => this.forget(worker));
    cluster.on('message', (worker, message: unknown) => this.receive(worker, message));
  }

  /** The combined metrics text of every serving worker ('' when none serves yet). */
  async text(): Promise<{ text: string; contentType: string }> {
    const answers = await this.ask();
    const registry = AggregatorRegistry.aggregate(answers);
    return { text: await registry.metrics(), contentType: registry.contentType };
  }

  private ask(): Promise<WorkerMetrics[]> {
    const requestId = this.nextRequestId++;
    return new Promise((resolve, reject) => {
      const scrape: PendingScrape = {
        waitingFor: new Set(),
        answers: [],
        settle: (err) => {
          clearTimeout(timer);
          this.pending.delete(requestId);
          if (err) reject(err);
          else resolve(scrape.answers);
        },
      };
      const timer = setTimeout(() => scrape.settle(new Error(`workers ${[...scrape.waitingFor].join(', ')} did not answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      this.pending.set(requestId, scrape);
      for (const worker of Object.values(cluster.workers ?? {})) {
        if (!worker || !this.serving.has(worker.id) || !worker.isConnected()) continue;
        scrape.waitingFor.add(worker.id);
        worker.send({ type: REQUEST, requestId });
      }
      if (scrape.waitingFor.size === 0) scrape.settle(null);
    });
  }

  private receive(worker: Worker, message: unknown): void {
    if (!isAnswer(message)) return;
    const scrape = this.pending.get(message.requestId);
    if (!scrape || !scrape.waitingFor.delete(worker.id)) return;
    if (message.error !== undefined) return scrape.settle(new Error(`worker ${worker.id}: ${message.error}`));
    scrape.answers.push(message.metrics ?? []);
    if (scrape.waitingFor.size === 0) scrape.settle(null);
  }

  private forget(worker: Worker): void {
    this.serving.delete(worker.id);
    for (const scrape of this.pending.values()) {
      if (scrape.waitingFor.delete(worker.id) && scrape.waitingFor.size === 0) scrape.settle(null);
    }
  }
}

function isAnswer(message: unknown): message is Answer {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === ANSWER;
}

/** A worker's side: answer the supervisor's requests with this registry. */
export function answerSupervisor(registry: Registry): void {
  process.on('message', (message: unknown) => {
    if (typeof message !== 'object' || message === null || (message as { type?: unknown }).type !== REQUEST) return;
    const requestId = (message as { requestId: number }).requestId;
    registry.getMetricsAsJSON().then(
      (metrics) => process.send?.({ type: ANSWER, requestId, metrics } satisfies Answer),
      (err: unknown) => process.send?.({ type: ANSWER, requestId, error: err instanceof Error ? err.message : String(err) } satisfies Answer),
    );
  });
}
