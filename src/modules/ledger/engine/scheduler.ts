import type { LedgerOperation } from '../domain/operations';
import type { OperationOutcome, OperationResult } from '../domain/results';
import { isDatabaseUnavailable } from '../../../shared/errors';
import { BatchRunner, isAfterCommitSent, type BatchOptions } from './batch';
import type { BatchParticipant } from './participant';
import type { LedgerObserver } from './observer';

/**
 * The one place that moves credits: every operation on a wallet is queued here and applied in a
 * batch under the wallet's row lock (engine/batch.ts).
 *
 * Group commit (docs/decisions.md): operations that arrive while batches are in flight form the
 * next batch, across wallets too, so one commit (and one fsync) carries many of them. Each is
 * still checked against the running state left by the ones before it, gets its own ledger
 * entry, version and idempotency key, and its caller gets its own result or its own error.
 *
 * Correctness does not depend on this queue, which exists in one process only: every batch
 * starts by locking its wallet rows, which serializes writers of a wallet across all instances,
 * and every check (balance, cap, idempotency, hold status) is made after that lock.
 */

interface Pending {
  operation: LedgerOperation;
  resolve: (result: OperationResult) => void;
  reject: (error: unknown) => void;
}

type Group = Map<string, Pending[]>;

export interface EngineOptions extends BatchOptions {
  /** Largest number of operations applied in one database transaction. */
  maxBatch: number;
  /** Database transactions this instance runs at once; each takes the wallets no other one holds. */
  maxConcurrentBatches: number;
  /** Extra wait to gather a batch (0: the next turn of the event loop). */
  batchWindowMs: number;
}

const sizeOf = (group: Group): number => [...group.values()].reduce((total, pending) => total + pending.length, 0);

const answer = (pending: Pending[], outcomes: OperationOutcome[]): void =>
  outcomes.forEach((outcome, index) => (outcome.ok ? pending[index].resolve(outcome.result) : pending[index].reject(outcome.error)));

export class LedgerEngine {
  /** Operations waiting, per wallet, in arrival order. */
  private readonly queues = new Map<string, Pending[]>();
  /** Wallets inside a transaction that has not finished: their next operations wait for it. */
  private readonly busy = new Set<string>();
  /**
   * Wallets whose row was locked by someone else when a shared transaction tried them (SKIP
   * LOCKED). They run next in a transaction of their own that waits for the lock, so one slow
   * lock holder never holds up other wallets.
   */
  private readonly solo = new Set<string>();
  private runningShared = 0;
  private scheduled = false;
  private inflight = 0;
  private drainWaiters: (() => void)[] = [];
  private readonly batches: BatchRunner;

  constructor(private readonly options: EngineOptions) {
    this.batches = new BatchRunner(options);
  }

  /** See BatchParticipant. Register before the first operation. */
  addParticipant(participant: BatchParticipant): void {
    this.batches.addParticipant(participant);
  }

  /** See LedgerObserver: told after every batch transaction (metrics). */
  observe(observer: LedgerObserver): void {
    this.batches.observe(observer);
  }

  /** `queued`: operations waiting for a transaction; `inflight`: submitted and not yet answered (queued included). Read at scrape time. */
  depth(): { queued: number; inflight: number } {
    let queued = 0;
    for (const queue of this.queues.values()) queued += queue.length;
    return { queued, inflight: this.inflight };
  }

  /** Queues an operation on a wallet; resolves after the transaction that applied it committed. */
  submit(walletId: string, operation: LedgerOperation): Promise<OperationResult> {
    return new Promise<OperationResult>((resolve, reject) => {
      this.enqueue(walletId, { operation, resolve, reject });
      this.schedule();
    });
  }

  /**
   * Queues many operations at once, in order (a wallet applies its operations in queue order),
   * so they join the same transactions; resolves with every operation's own outcome, in order,
   * once all have settled. One promise for all of them: a batch of charges pays for one.
   */
  submitAll(items: readonly { walletId: string; operation: LedgerOperation }[]): Promise<OperationOutcome[]> {
    return new Promise<OperationOutcome[]>((resolveAll) => {
      const outcomes: OperationOutcome[] = new Array(items.length);
      let unsettled = items.length;
      if (unsettled === 0) resolveAll(outcomes);
      const settle = (index: number, outcome: OperationOutcome) => {
        if (outcomes[index] !== undefined) return; // settled already: like a settled promise, later answers change nothing
        outcomes[index] = outcome;
        if (--unsettled === 0) resolveAll(outcomes);
      };
      items.forEach(({ walletId, operation }, index) =>
        this.enqueue(walletId, { operation, resolve: (result) => settle(index, { ok: true, result }), reject: (error) => settle(index, { ok: false, error }) }),
      );
      this.schedule();
    });
  }

  private enqueue(walletIdAnyCase: string, pending: Pending): void {
    const walletId = walletIdAnyCase.toLowerCase(); // PostgreSQL prints uuids in lower case
    let queue = this.queues.get(walletId);
    if (!queue) {
      queue = [];
      this.queues.set(walletId, queue);
    }
    queue.push(pending);
    this.inflight++;
  }

  /** Resolves when every queued operation has settled (graceful shutdown). */
  drain(): Promise<void> {
    if (this.inflight === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const run = () => {
      this.scheduled = false;
      this.dispatch();
    };
    if (this.options.batchWindowMs > 0) setTimeout(run, this.options.batchWindowMs);
    else setImmediate(run);
  }

  /**
   * Starts a solo transaction for each wallet that must wait for a lock held elsewhere (these do
   * not take a shared slot; the pool size bounds them), then shared transactions while fewer
   * than `maxConcurrentBatches` run.
   */
  private dispatch(): void {
    for (const walletId of [...this.solo]) {
      if (this.busy.has(walletId)) continue;
      this.solo.delete(walletId);
      const queue = this.queues.get(walletId);
      if (!queue || queue.length === 0) continue;
      const taken = queue.splice(0, this.options.maxBatch);
      if (queue.length === 0) this.queues.delete(walletId);
      this.start(new Map([[walletId, taken]]), true);
    }
    while (this.runningShared < this.options.maxConcurrentBatches) {
      const group = this.nextSharedGroup();
      if (group.size === 0) return;
      this.start(group, false);
    }
  }

  /**
   * Group commit across wallets: the queued operations of every wallet not already in a running
   * transaction, up to `maxBatch` operations.
   */
  private nextSharedGroup(): Group {
    const group: Group = new Map();
    let size = 0;
    for (const [walletId, queue] of this.queues) {
      if (size >= this.options.maxBatch) break;
      // group.has: a wallet moved to the back of the Map is visited again by this same loop.
      if (group.has(walletId) || this.busy.has(walletId) || this.solo.has(walletId) || queue.length === 0) continue;
      const taken = queue.splice(0, this.options.maxBatch - size);
      this.queues.delete(walletId);
      // A wallet with more queued than fits goes to the back, so a constant backlog on one
      // wallet cannot starve the others (Map iteration follows insertion order).
      if (queue.length > 0) this.queues.set(walletId, queue);
      group.set(walletId, taken);
      size += taken.length;
    }
    return group;
  }

  /** `solo`: one wallet that waits for its lock; otherwise a shared transaction that skips locked wallets. */
  private start(group: Group, solo: boolean): void {
    for (const walletId of group.keys()) this.busy.add(walletId);
    if (!solo) this.runningShared++;
    void this.runGroup(group, solo).then(
      (settled) => this.finish(group, solo, settled),
      (err) => {
        // Never leave a caller waiting: answer everyone (settling a settled promise is a no-op).
        this.options.log.error({ err }, 'ledger group failed unexpectedly');
        for (const pending of group.values()) pending.forEach((caller) => caller.reject(err));
        this.finish(group, solo, sizeOf(group));
      },
    );
  }

  private finish(group: Group, solo: boolean, settled: number): void {
    for (const walletId of group.keys()) this.busy.delete(walletId);
    if (!solo) this.runningShared--;
    this.inflight -= settled;
    if (this.inflight === 0) {
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      waiters.forEach((resolve) => resolve());
    }
    if (this.queues.size > 0) this.dispatch();
  }

  /**
   * Runs one transaction and answers its callers; returns how many operations were settled
   * (operations of wallets skipped because another session held their lock are queued again).
   */
  private async runGroup(group: Group, waitForLocks: boolean): Promise<number> {
    const operations = new Map([...group].map(([walletId, pending]) => [walletId, pending.map((caller) => caller.operation)]));
    let batch: Awaited<ReturnType<BatchRunner['run']>>;
    try {
      batch = await this.batches.run(operations, waitForLocks);
    } catch (err) {
      return this.recover(group, err);
    }
    // Outside the try: nothing here may send committed operations into a retry.
    let settled = 0;
    const deferred = new Set(batch.deferred);
    for (const [walletId, pending] of group) {
      if (deferred.has(walletId)) continue;
      const outcomes = batch.outcomes.get(walletId);
      if (outcomes) answer(pending, outcomes);
      else pending.forEach((caller) => caller.reject(new Error(`ledger: no outcome for wallet ${walletId}`))); // cannot happen; never hang
      settled += pending.length;
    }
    for (const walletId of batch.deferred) {
      const queued = this.queues.get(walletId) ?? [];
      this.queues.delete(walletId);
      this.queues.set(walletId, [...group.get(walletId)!, ...queued]); // back at the head of its own queue, order kept
      this.solo.add(walletId);
    }
    return settled;
  }

  /**
   * The transaction failed before COMMIT was sent, so nothing was applied. Retry each wallet on
   * its own first, and only inside a wallet that fails again each operation alone: one bad
   * operation costs its own wallet a slow path, not every tenant in the group. An unreachable
   * database is not an operation's fault: everyone gets the error at once (SERVICE_UNAVAILABLE),
   * instead of one connection timeout per operation.
   */
  private async recover(group: Group, err: unknown): Promise<number> {
    const total = sizeOf(group);
    if (total === 1 || isAfterCommitSent(err) || isDatabaseUnavailable(err)) {
      for (const pending of group.values()) pending.forEach((caller) => caller.reject(err));
      return total;
    }
    this.options.log.warn({ err, wallets: group.size, size: total }, 'ledger batch failed; retrying wallet by wallet');
    for (const [walletId, pending] of group) {
      if (await this.retryWallet(walletId, pending)) continue;
      for (const one of pending) await this.retryAlone(walletId, one);
    }
    return total;
  }

  /** Returns false when the wallet must be retried operation by operation. */
  private async retryWallet(walletId: string, pending: Pending[]): Promise<boolean> {
    try {
      const { outcomes } = await this.batches.run(new Map([[walletId, pending.map((caller) => caller.operation)]]), true);
      answer(pending, outcomes.get(walletId)!);
      return true;
    } catch (err) {
      if (pending.length > 1 && !isAfterCommitSent(err) && !isDatabaseUnavailable(err)) return false;
      pending.forEach((caller) => caller.reject(err));
      return true;
    }
  }

  private async retryAlone(walletId: string, pending: Pending): Promise<void> {
    try {
      const { outcomes } = await this.batches.run(new Map([[walletId, [pending.operation]]]), true);
      answer([pending], outcomes.get(walletId)!);
    } catch (err) {
      pending.reject(err);
    }
  }
}
