import type { HoldRecord, LedgerEntry, WalletSnapshot } from './state';

/** What a verb reports besides the entries it recorded. */
export interface VerbOutcome {
  /** For a replay: the entry the original request recorded (nothing new is recorded). */
  replayed: LedgerEntry | null;
  /** The hold a reserve created or a capture/release settled. */
  hold: HoldRecord | null;
  /** The bucket a grant created or a bucket debit drew from. */
  bucketId: string | null;
}

export const outcome = (fields: Partial<VerbOutcome> = {}): VerbOutcome => ({ replayed: null, hold: null, bucketId: null, ...fields });

/** What the caller of one operation gets once its batch committed. */
export interface OperationResult extends VerbOutcome {
  /** Ledger entries this operation recorded (empty for a replay). */
  entries: LedgerEntry[];
  /** The wallet right after this operation. */
  wallet: WalletSnapshot;
  /** The wallet right before it, so participants can compare (alerts). */
  before: WalletSnapshot;
}

/** Each operation of a batch succeeds or fails on its own. */
export type OperationOutcome = { ok: true; result: OperationResult } | { ok: false; error: unknown };
