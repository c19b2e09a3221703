import { randomUUIDv7 } from 'node:crypto';
import { HoldStatus, type TransactionKind } from './kinds';
import { drawOrder } from './draw-order';
import type { BucketDraw, BucketState, HoldRecord, HoldState, LedgerEntry, WalletSnapshot } from './state';

/**
 * The working state of one wallet inside one database transaction. Operations never change it
 * directly: each is applied to a `Staging` on top of it and merged only if it succeeds, so a
 * failing operation leaves no trace and never affects its neighbours in the batch.
 */
export class WalletBatch {
  wallet: WalletSnapshot;
  readonly buckets: Map<string, BucketState>;
  readonly holds: Map<string, HoldState>;
  /** idempotency key -> its entry, for keys found in the ledger or used earlier in this batch. */
  readonly entriesByKey: Map<string, LedgerEntry>;
  /** Ledger entries this batch writes, in order. */
  readonly entries: LedgerEntry[] = [];
  /** The committed version this batch started from: a higher one at the end is published (docs/invariants.md #5). */
  readonly openedVersion: bigint;

  constructor(
    wallet: WalletSnapshot,
    buckets: BucketState[],
    holds: HoldRecord[],
    entriesWithKeys: LedgerEntry[],
    /** The database clock read under the lock: every instance agrees on it. */
    readonly now: Date,
    /** The stored month-to-date spend was of an earlier month and is not zero: the wallet shows less than it stores. */
    readonly spendMonthTurned = false,
    /**
     * `holds` include every PENDING hold of the wallet (else only the ones the batch settles):
     * what each due bucket still backs is then known hold by hold (verbs/expire.ts).
     */
    readonly allPendingHoldsLoaded = true,
  ) {
    this.wallet = wallet;
    this.openedVersion = wallet.version;
    this.buckets = new Map(buckets.map((bucket) => [bucket.id, bucket]));
    this.holds = new Map(holds.map((hold) => [hold.id, { ...hold, dirty: false, isNew: false }]));
    this.entriesByKey = new Map(entriesWithKeys.map((entry) => [entry.idempotencyKey!, entry]));
  }
}

/** One operation's changes on top of a `WalletBatch`; `merge()` commits them to the batch. */
export class Staging {
  wallet: WalletSnapshot;
  private readonly stagedBuckets = new Map<string, BucketState>();
  private readonly stagedHolds = new Map<string, HoldState>();
  /** Ledger entries this operation writes. */
  readonly entries: LedgerEntry[] = [];

  constructor(private readonly batch: WalletBatch) {
    this.wallet = { ...batch.wallet };
  }

  get now(): Date {
    return this.batch.now;
  }

  /** Past its expiry by the batch's clock: it keeps only what pending holds made before then need (verbs/expire.ts). */
  isDue(bucket: BucketState): boolean {
    return bucket.expiresAt !== null && bucket.expiresAt.getTime() <= this.batch.now.getTime();
  }

  /** The wallet's PENDING holds as this operation leaves them, or null when the batch did not load them all. */
  pendingHolds(): HoldState[] | null {
    if (!this.batch.allPendingHoldsLoaded) return null;
    const ids = new Set([...this.batch.holds.keys(), ...this.stagedHolds.keys()]);
    const pending: HoldState[] = [];
    for (const id of ids) {
      const hold = this.stagedHolds.get(id) ?? this.batch.holds.get(id)!;
      if (hold.status === HoldStatus.PENDING) pending.push(hold);
    }
    return pending;
  }

  /** See WalletBatch.spendMonthTurned. */
  get spendMonthTurned(): boolean {
    return this.batch.spendMonthTurned;
  }

  /** Whether this batch already gave the wallet a newer version (an entry, or a review). */
  get versionMoved(): boolean {
    return this.wallet.version > this.batch.openedVersion;
  }

  /** The next wallet version: every entry takes one, and a review of a wallet whose month turned (docs/invariants.md #5). */
  advanceVersion(): bigint {
    this.wallet.version += 1n;
    return this.wallet.version;
  }

  /** The entry already recorded under this idempotency key (in the ledger or earlier in the batch). */
  entryWithKey(key: string): LedgerEntry | undefined {
    return this.batch.entriesByKey.get(key);
  }

  /** A bucket to change: a private copy, merged on success. */
  bucket(id: string): BucketState | undefined {
    const staged = this.stagedBuckets.get(id);
    if (staged) return staged;
    const original = this.batch.buckets.get(id);
    if (!original) return undefined;
    const copy = { ...original };
    this.stagedBuckets.set(id, copy);
    return copy;
  }

  addBucket(bucket: BucketState): void {
    this.stagedBuckets.set(bucket.id, bucket);
  }

  /** Buckets with credits left, in draw order (read-only views: change them through `bucket(id)`). */
  liveBuckets(): BucketState[] {
    const ids = new Set([...this.batch.buckets.keys(), ...this.stagedBuckets.keys()]);
    const live: BucketState[] = [];
    for (const id of ids) {
      const bucket = this.stagedBuckets.get(id) ?? this.batch.buckets.get(id)!;
      if (bucket.remaining > 0n) live.push(bucket);
    }
    return live.sort(drawOrder);
  }

  /** A hold to change: a private copy, merged on success. */
  hold(id: string): HoldState | undefined {
    const staged = this.stagedHolds.get(id);
    if (staged) return staged;
    const original = this.batch.holds.get(id);
    if (!original) return undefined;
    const copy = { ...original };
    this.stagedHolds.set(id, copy);
    return copy;
  }

  addHold(hold: HoldState): void {
    this.stagedHolds.set(hold.id, hold);
  }

  /**
   * Draws `amount` from buckets in draw order. The caller has checked the balance. A due bucket
   * holds only credits pending holds need, so a charge never draws one; a capture (`backing`: its
   * hold) draws them for at most its hold's amount, and only from buckets that were live when the
   * hold was made (docs/invariants.md #8).
   */
  draw(amount: bigint, backing: HoldState | null = null): BucketDraw[] {
    const draws: BucketDraw[] = [];
    let left = amount;
    let dueLeft = backing === null ? 0n : minOf(amount, backing.amount);
    for (const live of this.liveBuckets()) {
      if (left === 0n) break;
      const due = this.isDue(live);
      if (due && (dueLeft === 0n || !backs(live, backing!))) continue;
      const bucket = this.bucket(live.id)!;
      const taken = minOf(bucket.remaining, due ? minOf(left, dueLeft) : left);
      bucket.remaining -= taken;
      bucket.dirty = true;
      left -= taken;
      if (due) dueLeft -= taken;
      draws.push({ bucketId: bucket.id, amount: taken.toString() });
    }
    // sum(remaining) >= balance + held >= amount (docs/invariants.md #1); anything else is corruption.
    if (left !== 0n) throw new Error(`ledger corruption: buckets of wallet ${this.wallet.walletId} short by ${left}`);
    return draws;
  }

  /** Records a ledger entry at the wallet's current balance, with the next wallet version (docs/invariants.md #5). */
  record(kind: TransactionKind, amount: bigint, fields: Partial<LedgerEntry>): LedgerEntry {
    const walletVersion = this.advanceVersion();
    const entry: LedgerEntry = {
      // Time-ordered (UUIDv7): the primary-key index of the ledger, its largest table, grows at
      // its right edge instead of touching a random page per entry.
      id: randomUUIDv7(),
      walletId: this.wallet.walletId,
      accountId: this.wallet.accountId,
      kind,
      amount,
      balanceAfter: this.wallet.balance,
      walletVersion,
      description: '',
      synfluencerId: null,
      feature: null,
      platform: null,
      automationId: null,
      provider: null,
      quantity: null,
      unit: null,
      idempotencyKey: null,
      requestHash: null,
      holdId: null,
      draws: null,
      metadata: null,
      createdAt: this.batch.now,
      ...fields,
    };
    this.entries.push(entry);
    return entry;
  }

  /** Commits this operation's changes to the batch. */
  merge(): void {
    for (const [id, bucket] of this.stagedBuckets) this.batch.buckets.set(id, bucket);
    for (const [id, hold] of this.stagedHolds) this.batch.holds.set(id, hold);
    for (const entry of this.entries) {
      this.batch.entries.push(entry);
      if (entry.idempotencyKey) this.batch.entriesByKey.set(entry.idempotencyKey, entry);
    }
    this.batch.wallet = this.wallet;
  }
}

const minOf = (a: bigint, b: bigint): bigint => (a < b ? a : b);

/**
 * Whether `bucket` may back `hold`: it was live when the hold was made (a hold made once it was
 * due was paid from other credits, since due buckets keep only what older holds need).
 */
export function backs(bucket: BucketState, hold: HoldState | HoldRecord): boolean {
  return bucket.expiresAt === null || hold.createdAt.getTime() <= bucket.expiresAt.getTime();
}
