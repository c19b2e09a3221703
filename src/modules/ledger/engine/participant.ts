import type { LedgerOperation } from '../domain/operations';
import type { OperationResult } from '../domain/results';
import type { LedgerEntry, WalletSnapshot } from '../domain/state';
import type { SqlParams } from '../store/params';

export type { SqlParams } from '../store/params';
export { jsonText } from '../store/params';

/**
 * A column of the `wallet` row that a participant owns (for example a "fired this month"
 * marker): the lock statement reads it, and the batch's one wallet update writes it back.
 */
export interface WalletColumn {
  /** Column name in `wallet`. */
  name: string;
  /** PostgreSQL type of one value, e.g. `'int2'` or `'text'` (sent as an array of it). */
  sqlType: string;
}

/** What a participant gets for one wallet when a batch opens it, under the lock. */
export interface OpenedWallet {
  /** The wallet as the batch starts it. */
  wallet: WalletSnapshot;
  /** The locked wallet row, including the participant's `walletColumns` by name. */
  walletRow: Readonly<Record<string, unknown>>;
  /** The value of the participant's `loadColumn` for this wallet (undefined without one). */
  loaded: unknown;
  /** The database clock of the batch. */
  now: Date;
}

/** One applied operation, as `afterOperation` sees it. */
export interface AppliedOperation {
  operation: LedgerOperation;
  /**
   * Its result; `entries` is empty only for a review (before and after are then the same
   * balances, at a higher version if the review turned the month); replays and failures are not
   * reported.
   */
  result: OperationResult;
  now: Date;
}

/** One wallet of a batch that is being written or has committed. */
export interface ParticipantWallet<Part> {
  /** The wallet's final state in this batch. */
  wallet: WalletSnapshot;
  /** Every ledger entry the batch records on this wallet, in order. */
  entries: readonly LedgerEntry[];
  /** The participant's own state for this wallet, from `open` and `afterOperation`. */
  part: Part;
}

/**
 * A module that takes part in every ledger batch, so that what it decides or records commits
 * with the credits or not at all, without the ledger knowing its tables.
 *
 * The ledger keeps its round trips whatever is registered: the lock statement reads the
 * participants' `walletColumns`, the ONE load statement adds their `loadColumn`, the ONE write
 * statement adds their CTEs and writes their wallet columns, and COMMIT follows. Hooks run in
 * registration order; a hook that throws fails the batch (its operations are retried wallet by
 * wallet, then one by one), so hooks must not throw for ordinary data.
 *
 * Lifecycle for each wallet of a batch:
 *  1. `open` once, after the load, under the wallet lock: build this participant's `Part`.
 *  2. `afterOperation` after every operation that recorded entries or is a review, in order: decide things
 *     that must happen exactly once per change (the wallet lock makes concurrent batches on
 *     other instances wait and then see what this one committed).
 *  3. `writeCtes` once per batch with every written wallet: rows for the participant's own
 *     tables, as CTEs of the one write statement; `walletValues` for its wallet columns.
 *  4. `afterCommit` once per batch with every committed wallet: start side effects (kick an
 *     outbox worker, publish). It runs after COMMIT, so it must never undo anything.
 *
 * Registered when the app is built (`LedgerService.addParticipant`): alerts (messages, emails,
 * once-per-cycle markers), usage (the daily rollup), outbound webhooks (outbox rows: `writeCtes`
 * + `afterCommit`) and auto top-up (a marker in `walletColumns`, the decision in
 * `afterOperation`, the PaymentIntent after commit).
 *
 * @typeParam Part - the participant's state for one wallet in one batch.
 */
export interface BatchParticipant<Part = unknown> {
  /** For logs and errors. */
  readonly name: string;

  /** Columns of the `wallet` row this participant owns; read under the lock, written with the wallet. */
  readonly walletColumns?: readonly WalletColumn[];

  /**
   * One SQL expression added to the load statement, over the locked wallet `w` and its account
   * `a`, e.g. `json_build_object('email', a.email)`. Fixed text: it is part of a prepared statement.
   */
  readonly loadColumn?: string;

  /** Builds this participant's state for one wallet of a batch. */
  open(opened: OpenedWallet): Part;

  /** After each operation of the wallet that recorded entries, under the lock. Changes only `part`. */
  afterOperation?(part: Part, applied: AppliedOperation): void;

  /** Values of `walletColumns`, in the same order, for the wallet update. */
  walletValues?(part: Part): readonly unknown[];

  /**
   * CTEs (`name as (insert ... returning 1)`) for the write statement, with every value bound
   * through `params` as one array per column. The text must be the same for every batch (it is
   * prepared): bind empty arrays rather than leave a CTE out. Name CTEs after the participant.
   */
  writeCtes?(wallets: readonly ParticipantWallet<Part>[], params: SqlParams): string[];

  /** After COMMIT, with every committed wallet of the batch. Must not throw into the ledger. */
  afterCommit?(wallets: readonly ParticipantWallet<Part>[]): void;
}
