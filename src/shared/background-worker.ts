/** A retry's delay: `baseMs` after the first failed attempt, doubling with each one after, at most `maxMs`. */
export function backoffMs(attempts: number, baseMs: number, maxMs: number): number {
  return Math.min(baseMs * 2 ** Math.min(attempts - 1, 30), maxMs);
}

/**
 * `backoffMs` with "equal jitter": between half and all of it, so retries of deliveries that
 * failed together spread out, yet none comes sooner than half the backoff. `random` is in [0, 1).
 */
export function jitteredBackoffMs(attempts: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = backoffMs(attempts, baseMs, maxMs);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * The loop behind each outbox worker (emails, webhook deliveries, auto top-up payments): polled
 * every `pollMs`, kicked after a commit that queued work, never two runs at once in one process
 * (a kick during a run asks for one more run when it ends). Other instances work the same table
 * concurrently; `run` claims rows with `FOR UPDATE SKIP LOCKED`.
 *
 * It does nothing until `start()`: a process that serves requests without owning background work
 * (the stdio MCP entry, `buildApp({ background: false })`) leaves the queues to the servers.
 */
export abstract class BackgroundWorker {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(private readonly pollMs: number) {}

  /** One pass over the queue. Must not reject: it logs its own failures and is retried at the next poll. */
  protected abstract run(): Promise<void>;

  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => this.kick(), this.pollMs);
    this.timer.unref();
    this.kick();
  }

  /** True once `stop()` was called: a run in progress ends after its current step. */
  protected get stopping(): boolean {
    return this.stopped;
  }

  /** Stops polling and waits for the run in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** Work the queue now (after a commit that queued work); a no-op before `start()` and after `stop()`. */
  kick(): void {
    if (this.stopped || !this.timer) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.run().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }
}
