import type { PoolClient } from 'pg';
import { statementName } from '../../../db/sql';
import { DomainError, ErrorCode } from '../../../shared/errors';
import { isUuid } from '../../../shared/ids';
import type { Logger } from '../../../shared/logger';
import type { WalletBatch } from '../domain/batch';
import { applyOperations } from '../domain/apply';
import { openWalletBatch } from '../domain/open';
import type { LedgerOperation } from '../domain/operations';
import type { TransactionKind } from '../domain/kinds';
import type { OperationOutcome } from '../domain/results';
import type { WalletSnapshot } from '../domain/state';
import { beginAndLockWallets, existingWalletIds } from '../store/wallet-lock';
import { loadStatementText, loadWallets, type LoadedWallet } from '../store/load';
import { decodeWallet } from '../store/rows';
import { buildWriteStatement, type ExtraWalletColumn } from '../store/write';
import type { BatchParticipant, ParticipantWallet } from './participant';
import type { BatchReport, LedgerObserver } from './observer';

/** What one committed batch did to one wallet: its final state, and the kind of its last entry (null: no entry made it). */
export interface CommittedWallet {
  wallet: WalletSnapshot;
  cause: TransactionKind | null;
}

export interface BatchOptions {
  acquire: () => Promise<PoolClient>;
  release: (client: PoolClient, err?: Error) => void;
  log: Logger;
  /** After every commit, once per changed wallet (publish). Never throws into the engine. */
  onCommit: (committed: CommittedWallet) => void;
}

/** Outcomes per wallet, and the wallets skipped because another session held their lock. */
export interface BatchOutcome {
  outcomes: Map<string, OperationOutcome[]>;
  deferred: string[];
}

/** An error raised after COMMIT was sent: the batch may have committed, so it must never be retried. */
export const isAfterCommitSent = (err: unknown): boolean => Boolean(err && typeof err === 'object' && (err as { afterCommitSent?: boolean }).afterCommitSent);

/** One wallet inside a running batch: its state, each participant's part, and its operations' outcomes. */
interface OpenWallet {
  batch: WalletBatch;
  parts: unknown[];
  outcomes: OperationOutcome[];
  /** A review asked the participants to look at the wallet: what they decided is written even without ledger entries. */
  reviewed: boolean;
  /** A review asked for the wallet's state to be published (a settings change gave it a new version). */
  publish: boolean;
}

const walletNotFound = (operations: readonly LedgerOperation[]): OperationOutcome[] =>
  operations.map(() => ({ ok: false as const, error: new DomainError(ErrorCode.NOT_FOUND, 'Wallet not found') }));

/**
 * The batch lifecycle: one database transaction for the operations of several wallets, in four
 * round trips whatever the batch holds: BEGIN + lock, load, write, COMMIT.
 */
export class BatchRunner {
  private readonly participants: BatchParticipant[] = [];
  private loadText = loadStatementText([]);
  private observer: LedgerObserver | null = null;

  constructor(private readonly options: BatchOptions) {}

  /** See LedgerObserver (metrics). */
  observe(observer: LedgerObserver): void {
    this.observer = observer;
  }

  /** Registers a participant (before the first batch; see BatchParticipant). */
  addParticipant(participant: BatchParticipant): void {
    this.participants.push(participant);
    this.loadText = loadStatementText(this.participants.map((participant) => participant.loadColumn));
  }

  /**
   * One transaction for these wallets' operations. Not `Sql.withTransaction`: on this hot path
   * BEGIN travels with the row locks in one round trip (store/wallet-lock.ts), and COMMIT is only
   * sent when the batch wrote something. `waitForLocks` false: wallets locked elsewhere are
   * skipped (SKIP LOCKED) and reported as deferred.
   */
  async run(operations: ReadonlyMap<string, readonly LedgerOperation[]>, waitForLocks: boolean): Promise<BatchOutcome> {
    const result: BatchOutcome = { outcomes: new Map(), deferred: [] };
    const walletIds = [...operations.keys()].filter((walletId) => {
      if (isUuid(walletId)) return true;
      result.outcomes.set(walletId, walletNotFound(operations.get(walletId)!));
      return false;
    });
    if (walletIds.length === 0) return result;
    const client = await this.options.acquire();
    const started = performance.now();
    let opened: OpenWallet[] = [];
    let commitSent = false;
    let released = false;
    try {
      opened = await this.lockAndOpen(client, operations, walletIds, waitForLocks, result);
      const written = opened.filter((wallet) => wallet.batch.entries.length > 0 || wallet.reviewed);
      if (written.length === 0) {
        await client.query('rollback');
        this.report('nothing-written', opened, started, performance.now());
        return result;
      }
      await this.write(client, written);
      commitSent = true;
      const commitStarted = performance.now();
      await client.query('commit');
      const committed = performance.now();
      this.options.release(client);
      released = true;
      this.afterCommit(written);
      this.report('committed', opened, started, committed, commitStarted);
      return result;
    } catch (err) {
      if (!released) {
        await client.query('rollback').catch(() => undefined);
        this.options.release(client, err as Error);
        released = true;
      }
      if (commitSent && err && typeof err === 'object') (err as { afterCommitSent?: boolean }).afterCommitSent = true;
      this.report('failed', opened, started, performance.now());
      throw err;
    } finally {
      if (!released) this.options.release(client);
    }
  }

  /** Lock, load, and apply every wallet's operations in memory; fills `result` with outcomes and deferred wallets. */
  private async lockAndOpen(
    client: PoolClient,
    operations: ReadonlyMap<string, readonly LedgerOperation[]>,
    walletIds: string[],
    waitForLocks: boolean,
    result: BatchOutcome,
  ): Promise<OpenWallet[]> {
    const participantColumns = this.participants.flatMap((participant) => (participant.walletColumns ?? []).map((column) => column.name));
    const lockedRows = await beginAndLockWallets(client, walletIds, participantColumns, !waitForLocks);
    const missing = walletIds.filter((walletId) => !lockedRows.has(walletId));
    if (missing.length > 0) {
      // Skipped because locked elsewhere, or not there at all: a plain read tells them apart.
      const existing = waitForLocks ? new Set<string>() : await existingWalletIds(client, missing);
      for (const walletId of missing) {
        if (existing.has(walletId)) result.deferred.push(walletId);
        else result.outcomes.set(walletId, walletNotFound(operations.get(walletId)!));
      }
    }
    const present = new Map(walletIds.filter((walletId) => lockedRows.has(walletId)).map((walletId) => [walletId, operations.get(walletId)!]));
    if (present.size === 0) return [];
    const loaded = await loadWallets(client, this.loadText, this.participants.length, present);
    return loaded.map((wallet) => {
      const open = this.open(wallet, lockedRows.get(wallet.walletId)!, present.get(wallet.walletId)!);
      result.outcomes.set(wallet.walletId, open.outcomes);
      return open;
    });
  }

  /** One wallet: its working state, the participants' parts, then its operations in order. */
  private open(loaded: LoadedWallet, walletRow: Record<string, unknown>, operations: readonly LedgerOperation[]): OpenWallet {
    const wallet = decodeWallet({ ...walletRow, ...loaded.accountColumns });
    const batch = openWalletBatch(wallet, loaded.buckets.map((bucket) => ({ ...bucket, dirty: false, isNew: false })), loaded.holds, loaded.entriesWithKeys, loaded.now, loaded.allPendingHolds);
    const parts = this.participants.map((participant, index) =>
      participant.open({ wallet: batch.wallet, walletRow, loaded: loaded.participantValues[index], now: loaded.now }),
    );
    const outcomes = applyOperations(batch, operations, (operation, result) => {
      this.participants.forEach((participant, index) => participant.afterOperation?.(parts[index], { operation, result, now: loaded.now }));
    });
    const reviewed = operations.some((operation) => operation.type === 'review');
    const publish = operations.some((operation) => operation.type === 'review' && operation.publish);
    return { batch, parts, outcomes, reviewed, publish };
  }

  /** The ONE write statement: the ledger's rows and wallets, and every participant's CTEs and wallet columns. */
  private async write(client: PoolClient, written: OpenWallet[]): Promise<void> {
    const extraColumns: ExtraWalletColumn[] = this.participants.flatMap((participant, index) =>
      (participant.walletColumns ?? []).map((column, columnIndex) => ({
        ...column,
        values: written.map((wallet) => participant.walletValues!(wallet.parts[index])[columnIndex]),
      })),
    );
    const statement = buildWriteStatement(
      written.map((wallet) => wallet.batch),
      extraColumns,
      (params) => this.participants.flatMap((participant, index) => participant.writeCtes?.(this.participantWallets(written, index), params) ?? []),
    );
    await client.query({ name: statementName(statement.text), text: statement.text, values: statement.values });
  }

  private participantWallets(wallets: OpenWallet[], index: number): ParticipantWallet<unknown>[] {
    return wallets.map((wallet) => ({ wallet: wallet.batch.wallet, entries: wallet.batch.entries, part: wallet.parts[index] }));
  }

  /** After COMMIT: the commit listener per wallet, then each participant once. Nothing here may throw. */
  private afterCommit(written: OpenWallet[]): void {
    for (const wallet of written) {
      // A review that left the version where it was changed nothing a subscriber sees, unless the
      // settings change it follows moved the version (docs/invariants.md #5).
      if (wallet.batch.wallet.version === wallet.batch.openedVersion && !wallet.publish) continue;
      const entries = wallet.batch.entries;
      const cause = entries.length > 0 ? entries[entries.length - 1].kind : null;
      this.safely('commit listener', () => this.options.onCommit({ wallet: wallet.batch.wallet, cause }));
    }
    this.participants.forEach((participant, index) => {
      if (participant.afterCommit) this.safely(participant.name, () => participant.afterCommit!(this.participantWallets(written, index)));
    });
  }

  /** Tells the observer, if any, what this transaction did (times from performance.now()). */
  private report(outcome: BatchReport['outcome'], opened: OpenWallet[], started: number, finished: number, commitStarted = finished): void {
    const observer = this.observer;
    if (!observer) return;
    const report: BatchReport = {
      outcome,
      wallets: opened.length,
      operations: opened.reduce((total, wallet) => total + wallet.outcomes.length, 0),
      seconds: (finished - started) / 1000,
      commitSeconds: (finished - commitStarted) / 1000,
      outcomes: outcome === 'failed' ? [] : opened.map((wallet) => wallet.outcomes),
    };
    this.safely('ledger observer', () => observer.batchFinished(report));
  }

  private safely(what: string, hook: () => void): void {
    try {
      hook();
    } catch (err) {
      this.options.log.error({ err, hook: what }, 'after-commit hook failed');
    }
  }
}
