import { randomUUID } from 'node:crypto';
import type { PoolClient } from 'pg';
import { DomainError, ErrorCode } from '../../shared/errors';
import { formatCredits } from '../../shared/money';
import { monthKey } from '../../shared/time';
import { isUuid } from '../../shared/ids';
import type { Logger } from '../../shared/logger';
import { CreditSource } from './credit-bucket.entity';
import { HoldStatus } from './hold.entity';
import { TransactionKind, type BucketDraw } from './ledger-transaction.entity';
import { decideAlerts, type AlertState, type NewEmail, type NewMessage } from '../alerts/alert.rules';
import { NO_SYNFLUENCER } from '../usage/usage-rollup.entity';

/**
 * The one place that moves credits.
 *
 * Every operation on a wallet goes through that wallet's write queue. Operations that
 * arrive while a batch is being written wait, and are applied together in the next
 * database transaction ("group commit", design.md): one row lock, one load, one write,
 * one commit for up to `maxBatch` operations. Each operation is still checked against the
 * running state left by the ones before it, gets its own ledger row, version and
 * idempotency key, and its caller gets its own result or its own error.
 *
 * Correctness does not depend on the queue: the queue only exists in one process. Every
 * batch starts with `SELECT ... FOR UPDATE` on the wallet row, which serializes writers of
 * one wallet across all API instances, and every check (balance, cap, idempotency, hold
 * status) is made after that lock against freshly read rows.
 */

export interface UsageMeta {
  feature: string;
  synfluencerId: string | null;
  platform: string | null;
  automationId: string | null;
  provider: string | null;
  quantity: number | null;
  unit: string | null;
  metadata: Record<string, unknown> | null;
}

export type LedgerOp =
  | { type: 'charge'; amount: bigint; key: string; requestHash: string; meta: UsageMeta; description: string }
  | { type: 'reserve'; amount: bigint; key: string; requestHash: string; meta: UsageMeta; expiresAt: Date; description: string }
  | { type: 'capture'; holdId: string; amount: bigint; quantity: number | null; description: string; metadata: Record<string, unknown> | null }
  | { type: 'release'; holdId: string; expired: boolean }
  | {
      type: 'grant';
      source: CreditSource;
      amount: bigint;
      expiresAt: Date | null;
      key: string | null;
      requestHash: string | null;
      description: string;
      paymentIntentId?: string | null;
      amountPaidMinor?: string | null;
      currency?: string | null;
      metadata?: Record<string, unknown> | null;
      /** Expire what is left of buckets of this source first (plan renewal: no rollover). */
      replaceSource?: CreditSource;
      /**
       * Ledger kind when this grant is a correction rather than new credits (billing restores
       * the credits of a refund Stripe refused as ADJUSTMENT); such a grant is not counted as purchased.
       */
      kind?: TransactionKind;
    }
  | { type: 'expire' }
  | { type: 'debitBucket'; bucketId: string; amount: bigint; kind: TransactionKind; description: string; key: string | null; metadata: Record<string, unknown> | null; allowPartial: boolean };

/** The wallet's full state right after an operation. */
export interface WalletSnapshot {
  walletId: string;
  accountId: string;
  balance: bigint;
  held: bigint;
  lifetimeSpend: bigint;
  lifetimePurchased: bigint;
  spentMonth: string;
  spentThisMonth: bigint;
  version: bigint;
  monthlyBudgetCap: bigint | null;
  timezone: string;
  lowCreditReference: bigint;
  lowCreditFired: number;
}

export interface TxRow {
  id: string;
  walletId: string;
  accountId: string;
  kind: TransactionKind;
  amount: bigint;
  balanceAfter: bigint;
  walletVersion: bigint;
  description: string;
  synfluencerId: string | null;
  feature: string | null;
  platform: string | null;
  automationId: string | null;
  provider: string | null;
  quantity: number | null;
  unit: string | null;
  idempotencyKey: string | null;
  requestHash: string | null;
  holdId: string | null;
  draws: BucketDraw[] | null;
  metadata: Record<string, unknown> | null;
  createdAt: Date;
}

export interface HoldRow {
  id: string;
  walletId: string;
  accountId: string;
  status: HoldStatus;
  amount: bigint;
  captured: bigint | null;
  expiresAt: Date;
  feature: string;
  synfluencerId: string | null;
  platform: string | null;
  automationId: string | null;
  provider: string | null;
  quantity: number | null;
  settledAt: Date | null;
  createdAt: Date;
}

export interface OpResult {
  /** Ledger rows this operation wrote (empty for an idempotent replay). */
  transactions: TxRow[];
  /** For a replay: the original transaction found by idempotency key. */
  replayed: TxRow | null;
  hold: HoldRow | null;
  bucketId: string | null;
  wallet: WalletSnapshot;
  /** The wallet before this operation, so alerts can compare before and after. */
  before: WalletSnapshot;
}

interface BucketState {
  id: string;
  source: CreditSource;
  granted: bigint;
  remaining: bigint;
  expiresAt: Date | null;
  createdAt: Date;
  dirty: boolean;
  isNew: boolean;
  paymentIntentId: string | null;
  amountPaidMinor: string | null;
  currency: string | null;
  refunded: bigint;
}

/** Plan allocation before promotional before purchased, on equal expiry. */
const SOURCE_RANK: Record<CreditSource, number> = {
  [CreditSource.PLAN_ALLOCATION]: 0,
  [CreditSource.SIGNUP_BONUS]: 1,
  [CreditSource.ADMIN_GRANT]: 1,
  [CreditSource.PURCHASE]: 2,
};

/** Consumption order: the bucket that expires first, never-expiring last, then source rank, then oldest. */
export function drawOrder(a: BucketState, b: BucketState): number {
  const ea = a.expiresAt ? a.expiresAt.getTime() : Number.POSITIVE_INFINITY;
  const eb = b.expiresAt ? b.expiresAt.getTime() : Number.POSITIVE_INFINITY;
  if (ea !== eb) return ea < eb ? -1 : 1;
  const ra = SOURCE_RANK[a.source];
  const rb = SOURCE_RANK[b.source];
  if (ra !== rb) return ra - rb;
  const ca = a.createdAt.getTime();
  const cb = b.createdAt.getTime();
  if (ca !== cb) return ca - cb;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

const GRANT_KIND: Record<CreditSource, TransactionKind> = {
  [CreditSource.SIGNUP_BONUS]: TransactionKind.SIGNUP_BONUS,
  [CreditSource.PLAN_ALLOCATION]: TransactionKind.PLAN_ALLOCATION,
  [CreditSource.PURCHASE]: TransactionKind.PURCHASE,
  [CreditSource.ADMIN_GRANT]: TransactionKind.ADMIN_GRANT,
};

/** Mutable working state of one batch. Operations apply to a copy and are merged only on success. */
class BatchState {
  wallet: WalletSnapshot;
  buckets: Map<string, BucketState>;
  holds: Map<string, HoldRow & { dirty: boolean; isNew: boolean }>;
  /** idempotency key -> transaction, for keys seen in the database or earlier in this batch. */
  keys: Map<string, TxRow>;
  txs: TxRow[] = [];
  now: Date;
  /** Alert markers, messages and emails decided in this batch (alert.rules.ts), written with it. */
  alerts: AlertState;
  messages: NewMessage[] = [];
  emails: NewEmail[] = [];

  constructor(wallet: WalletSnapshot, buckets: BucketState[], holds: HoldRow[], keys: TxRow[], now: Date, alerts: AlertState) {
    this.alerts = alerts;
    this.wallet = wallet;
    this.buckets = new Map(buckets.map((b) => [b.id, b]));
    this.holds = new Map(holds.map((h) => [h.id, { ...h, dirty: false, isNew: false }]));
    this.keys = new Map(keys.map((t) => [t.idempotencyKey!, t]));
    this.now = now;
  }
}

/** A staged operation: changes recorded here are merged into the batch only if the op succeeds. */
class Staging {
  wallet: WalletSnapshot;
  buckets = new Map<string, BucketState>();
  holds = new Map<string, HoldRow & { dirty: boolean; isNew: boolean }>();
  txs: TxRow[] = [];

  constructor(private readonly base: BatchState) {
    this.wallet = { ...base.wallet };
  }

  bucket(id: string): BucketState | undefined {
    const staged = this.buckets.get(id);
    if (staged) return staged;
    const b = this.base.buckets.get(id);
    if (!b) return undefined;
    const copy = { ...b };
    this.buckets.set(id, copy);
    return copy;
  }

  liveBuckets(): BucketState[] {
    const ids = new Set([...this.base.buckets.keys(), ...this.buckets.keys()]);
    const out: BucketState[] = [];
    for (const id of ids) {
      const b = this.buckets.get(id) ?? this.base.buckets.get(id)!;
      if (b.remaining > 0n) out.push(b);
    }
    return out.sort(drawOrder);
  }

  hold(id: string) {
    const staged = this.holds.get(id);
    if (staged) return staged;
    const h = this.base.holds.get(id);
    if (!h) return undefined;
    const copy = { ...h };
    this.holds.set(id, copy);
    return copy;
  }

  /** Draw `amount` from buckets in consumption order. The caller has checked the balance. */
  draw(amount: bigint): BucketDraw[] {
    const draws: BucketDraw[] = [];
    let left = amount;
    for (const live of this.liveBuckets()) {
      if (left === 0n) break;
      const b = this.bucket(live.id)!;
      const take = b.remaining < left ? b.remaining : left;
      b.remaining -= take;
      b.dirty = true;
      left -= take;
      draws.push({ bucketId: b.id, amount: take.toString() });
    }
    // Invariant 1 guarantees sum(remaining) >= balance + held >= amount; anything else is corruption.
    if (left !== 0n) throw new Error(`ledger corruption: buckets of wallet ${this.wallet.walletId} short by ${left}`);
    return draws;
  }

  tx(kind: TransactionKind, amount: bigint, fields: Partial<TxRow>): TxRow {
    this.wallet.version += 1n;
    const row: TxRow = {
      id: randomUUID(),
      walletId: this.wallet.walletId,
      accountId: this.wallet.accountId,
      kind,
      amount,
      balanceAfter: this.wallet.balance,
      walletVersion: this.wallet.version,
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
      createdAt: this.base.now,
      ...fields,
    };
    this.txs.push(row);
    return row;
  }

  merge(): void {
    for (const [id, b] of this.buckets) this.base.buckets.set(id, b);
    for (const [id, h] of this.holds) this.base.holds.set(id, h);
    for (const t of this.txs) {
      this.base.txs.push(t);
      if (t.idempotencyKey) this.base.keys.set(t.idempotencyKey, t);
    }
    this.base.wallet = this.wallet;
  }
}

const usageFields = (m: UsageMeta): Partial<TxRow> => ({
  synfluencerId: m.synfluencerId,
  feature: m.feature,
  platform: m.platform,
  automationId: m.automationId,
  provider: m.provider,
  quantity: m.quantity,
  unit: m.unit,
  metadata: m.metadata,
});

const insufficient = (need: bigint, have: bigint) =>
  new DomainError(ErrorCode.INSUFFICIENT_CREDITS, `Insufficient credits: ${formatCredits(need)} needed, ${formatCredits(have)} available`, {
    required: formatCredits(need),
    available: formatCredits(have),
  });

/** Invariant 6: month-to-date spend plus what is held never passes the cap. */
function assertWithinCap(w: WalletSnapshot, amount: bigint): void {
  if (w.monthlyBudgetCap === null) return;
  if (w.spentThisMonth + w.held + amount > w.monthlyBudgetCap) {
    throw new DomainError(
      ErrorCode.BUDGET_CAP_EXCEEDED,
      `Monthly budget cap of ${formatCredits(w.monthlyBudgetCap)} would be exceeded (${formatCredits(w.spentThisMonth)} spent, ${formatCredits(w.held)} held, ${formatCredits(amount)} requested)`,
      { cap: formatCredits(w.monthlyBudgetCap), spentThisMonth: formatCredits(w.spentThisMonth), held: formatCredits(w.held) },
    );
  }
}

function assertSameRequest(existing: TxRow, requestHash: string | null): void {
  if (existing.requestHash !== requestHash) {
    throw new DomainError(ErrorCode.IDEMPOTENCY_CONFLICT, `Idempotency key "${existing.idempotencyKey}" was already used with a different request`);
  }
}

/** Expire what is left of buckets whose time has passed, without touching held credits. */
function expireDue(s: Staging, now: Date, onlySource?: CreditSource): void {
  // Held credits are never expired. They are backed by the buckets a capture would draw first
  // (draw order: earliest expiry first), so those are protected first; only the rest of a due
  // bucket expires now, and what stays held expires once its hold is released.
  const live = s.liveBuckets();
  const protectedBy = new Map<string, bigint>();
  let heldLeft = s.wallet.held;
  for (const b of live) {
    if (heldLeft === 0n) break;
    const p = b.remaining < heldLeft ? b.remaining : heldLeft;
    protectedBy.set(b.id, p);
    heldLeft -= p;
  }
  for (const b0 of live) {
    const due = onlySource ? b0.source === onlySource : b0.expiresAt !== null && b0.expiresAt.getTime() <= now.getTime();
    if (!due) continue;
    // sum(remaining - protected) == balance (invariant 1), so this never takes the balance negative.
    const amount = b0.remaining - (protectedBy.get(b0.id) ?? 0n);
    if (amount <= 0n) continue;
    const b = s.bucket(b0.id)!;
    b.remaining -= amount;
    b.dirty = true;
    s.wallet.balance -= amount;
    s.tx(TransactionKind.PLAN_EXPIRY, -amount, {
      description: `${formatCredits(amount)} unused ${b.source === CreditSource.PLAN_ALLOCATION ? 'plan allocation' : 'credits'} expired`,
      draws: [{ bucketId: b.id, amount: amount.toString() }],
    });
  }
}

function spend(s: Staging, amount: bigint): BucketDraw[] {
  const draws = s.draw(amount);
  s.wallet.balance -= amount;
  s.wallet.spentThisMonth += amount;
  s.wallet.lifetimeSpend += amount;
  return draws;
}

function applyOp(s: Staging, op: LedgerOp, base: BatchState): Pick<OpResult, 'replayed' | 'hold' | 'bucketId'> {
  const w = s.wallet;
  switch (op.type) {
    case 'charge': {
      const existing = base.keys.get(op.key);
      if (existing) {
        assertSameRequest(existing, op.requestHash);
        return { replayed: existing, hold: null, bucketId: null };
      }
      if (op.amount > w.balance) throw insufficient(op.amount, w.balance);
      assertWithinCap(w, op.amount);
      const draws = spend(s, op.amount);
      s.tx(TransactionKind.USAGE, -op.amount, { ...usageFields(op.meta), description: op.description, idempotencyKey: op.key, requestHash: op.requestHash, draws });
      return { replayed: null, hold: null, bucketId: null };
    }
    case 'reserve': {
      const existing = base.keys.get(op.key);
      if (existing) {
        assertSameRequest(existing, op.requestHash);
        return { replayed: existing, hold: null, bucketId: null };
      }
      if (op.amount > w.balance) throw insufficient(op.amount, w.balance);
      assertWithinCap(w, op.amount);
      w.balance -= op.amount;
      w.held += op.amount;
      const hold = {
        id: randomUUID(),
        walletId: w.walletId,
        accountId: w.accountId,
        status: HoldStatus.PENDING,
        amount: op.amount,
        captured: null,
        expiresAt: op.expiresAt,
        feature: op.meta.feature,
        synfluencerId: op.meta.synfluencerId,
        platform: op.meta.platform,
        automationId: op.meta.automationId,
        provider: op.meta.provider,
        quantity: op.meta.quantity,
        settledAt: null,
        createdAt: base.now,
        dirty: true,
        isNew: true,
      };
      s.holds.set(hold.id, hold);
      s.tx(TransactionKind.HOLD, -op.amount, { ...usageFields(op.meta), description: op.description, idempotencyKey: op.key, requestHash: op.requestHash, holdId: hold.id });
      return { replayed: null, hold, bucketId: null };
    }
    case 'capture':
    case 'release': {
      const hold = s.hold(op.holdId);
      if (!hold) throw new DomainError(ErrorCode.NOT_FOUND, 'Hold not found');
      if (hold.status !== HoldStatus.PENDING) {
        throw new DomainError(ErrorCode.HOLD_NOT_PENDING, `Hold is ${hold.status}, not PENDING`, { status: hold.status });
      }
      const pastExpiry = hold.expiresAt.getTime() <= base.now.getTime();
      if (op.type === 'capture' && pastExpiry) {
        throw new DomainError(ErrorCode.HOLD_NOT_PENDING, 'Hold expired before it was captured', { status: HoldStatus.EXPIRED });
      }
      // Return everything held to the balance first; a capture then spends the actual amount.
      w.held -= hold.amount;
      w.balance += hold.amount;
      hold.dirty = true;
      hold.settledAt = base.now;
      const holdFields = { holdId: hold.id, synfluencerId: hold.synfluencerId, feature: hold.feature, platform: hold.platform, automationId: hold.automationId, provider: hold.provider };
      if (op.type === 'release') {
        hold.status = op.expired || pastExpiry ? HoldStatus.EXPIRED : HoldStatus.RELEASED;
        s.tx(TransactionKind.RELEASE, hold.amount, {
          ...holdFields,
          description: hold.status === HoldStatus.EXPIRED ? `Hold expired: ${formatCredits(hold.amount)} returned` : `Hold released: ${formatCredits(hold.amount)} returned`,
        });
        return { replayed: null, hold, bucketId: null };
      }
      if (op.amount > w.balance) throw insufficient(op.amount, w.balance);
      assertWithinCap(w, op.amount);
      s.tx(TransactionKind.RELEASE, hold.amount, { ...holdFields, description: `Hold settled: ${formatCredits(hold.amount)} held returned before capture` });
      const draws = spend(s, op.amount);
      hold.status = HoldStatus.CAPTURED;
      hold.captured = op.amount;
      s.tx(TransactionKind.CAPTURE, -op.amount, {
        ...holdFields,
        quantity: op.quantity ?? hold.quantity,
        description: op.description,
        draws,
        metadata: op.metadata,
      });
      return { replayed: null, hold, bucketId: null };
    }
    case 'grant': {
      if (op.key) {
        const existing = base.keys.get(op.key);
        if (existing) {
          assertSameRequest(existing, op.requestHash);
          return { replayed: existing, hold: null, bucketId: null };
        }
      }
      if (op.replaceSource) expireDue(s, base.now, op.replaceSource);
      const bucket: BucketState = {
        id: randomUUID(),
        source: op.source,
        granted: op.amount,
        remaining: op.amount,
        expiresAt: op.expiresAt,
        createdAt: base.now,
        dirty: true,
        isNew: true,
        paymentIntentId: op.paymentIntentId ?? null,
        amountPaidMinor: op.amountPaidMinor ?? null,
        currency: op.currency ?? null,
        refunded: 0n,
      };
      s.buckets.set(bucket.id, bucket);
      w.balance += op.amount;
      if (op.source === CreditSource.PURCHASE && !op.kind) w.lifetimePurchased += op.amount;
      // A credit starts a new low-credit cycle: thresholds are relative to this balance.
      w.lowCreditReference = w.balance;
      w.lowCreditFired = 0;
      s.tx(op.kind ?? GRANT_KIND[op.source], op.amount, {
        description: op.description,
        idempotencyKey: op.key,
        requestHash: op.requestHash,
        draws: [{ bucketId: bucket.id, amount: op.amount.toString() }],
        metadata: op.metadata ?? null,
      });
      return { replayed: null, hold: null, bucketId: bucket.id };
    }
    case 'expire':
      expireDue(s, base.now);
      return { replayed: null, hold: null, bucketId: null };
    case 'debitBucket': {
      if (op.key) {
        const existing = base.keys.get(op.key);
        if (existing) {
          // Only a movement of the same kind from the same bucket is a replay of this debit.
          if (existing.kind !== op.kind || !existing.draws?.some((d) => d.bucketId === op.bucketId)) {
            throw new DomainError(ErrorCode.IDEMPOTENCY_CONFLICT, `Idempotency key "${op.key}" was already used for a different movement`);
          }
          return { replayed: existing, hold: null, bucketId: op.bucketId };
        }
      }
      const b = s.bucket(op.bucketId);
      if (!b) throw new DomainError(ErrorCode.NOT_FOUND, 'Credit bucket not found');
      // Only credits that are neither spent nor held can be removed.
      let amount = op.amount;
      const available = b.remaining < w.balance ? b.remaining : w.balance;
      if (amount > available) {
        if (!op.allowPartial) throw insufficient(amount, available);
        amount = available;
      }
      b.remaining -= amount;
      b.refunded += amount;
      b.dirty = true;
      w.balance -= amount;
      s.tx(op.kind, -amount, {
        description: op.description,
        idempotencyKey: op.key,
        draws: [{ bucketId: b.id, amount: amount.toString() }],
        metadata: op.metadata,
      });
      return { replayed: null, hold: null, bucketId: b.id };
    }
  }
}

interface Pending {
  op: LedgerOp;
  resolve: (r: OpResult) => void;
  reject: (e: unknown) => void;
}

/** What one committed batch changed on one wallet: its final state and the alert messages and emails it wrote. */
export interface CommitBatch {
  walletId: string;
  wallet: WalletSnapshot;
  messages: NewMessage[];
  emails: NewEmail[];
}

export interface EngineOptions {
  acquire: () => Promise<PoolClient>;
  release: (client: PoolClient, err?: Error) => void;
  /** Largest number of operations applied in one database transaction. */
  maxBatch: number;
  /** Database transactions this instance runs at once; each takes the wallets no other one holds. */
  maxConcurrentBatches: number;
  batchWindowMs: number;
  /** Maintain usage_rollup in the same statement as the ledger rows (see usage-rollup.entity.ts). */
  usageRollup?: boolean;
  log: Logger;
  /** Called after every commit, once per changed wallet (publish, alerts). Never throws into the engine. */
  onCommit: (results: OpResult[], batch: CommitBatch) => void;
}

type Outcome = { ok: true; result: OpResult } | { ok: false; error: unknown };

/** Positional parameters built in order, so a long statement never has its numbers out of step. */
class Params {
  readonly values: unknown[] = [];
  add(value: unknown, type: string): string {
    this.values.push(value);
    return `$${this.values.length}::${type}`;
  }
}

export class LedgerEngine {
  /** Operations waiting, per wallet, in arrival order. */
  private readonly queues = new Map<string, Pending[]>();
  /** Wallets inside a transaction that has not finished: their next operations wait for it. */
  private readonly busy = new Set<string>();
  /**
   * Wallets whose row was locked by someone else when a shared transaction tried them (SKIP
   * LOCKED). They run next in a transaction of their own that waits for the lock, so one
   * slow lock holder never holds up other wallets.
   */
  private readonly solo = new Set<string>();
  private running = 0;
  private scheduled = false;
  private inflight = 0;
  private drainWaiters: (() => void)[] = [];

  constructor(private readonly opts: EngineOptions) {}

  /** Queue an operation on a wallet; resolves after the transaction that applied it committed. */
  submit(walletIdRaw: string, op: LedgerOp): Promise<OpResult> {
    const walletId = walletIdRaw.toLowerCase(); // PostgreSQL prints uuids in lower case
    return new Promise<OpResult>((resolve, reject) => {
      let q = this.queues.get(walletId);
      if (!q) {
        q = [];
        this.queues.set(walletId, q);
      }
      q.push({ op, resolve, reject });
      this.inflight++;
      this.schedule();
    });
  }

  /** Resolves when every queued operation has settled (graceful shutdown). */
  drain(): Promise<void> {
    if (this.inflight === 0) return Promise.resolve();
    return new Promise((r) => this.drainWaiters.push(r));
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const run = () => {
      this.scheduled = false;
      this.dispatch();
    };
    if (this.opts.batchWindowMs > 0) setTimeout(run, this.opts.batchWindowMs);
    else setImmediate(run);
  }

  /**
   * Group commit across wallets: while fewer than `maxConcurrentBatches` transactions run, start
   * one with the queued operations of every wallet that is not already in a running transaction,
   * up to `maxBatch` operations. Operations that arrive meanwhile form the next transaction, so
   * under load one commit (and one fsync) carries many charges, whether they share a wallet or not.
   */
  private dispatch(): void {
    // Wallets that must wait for a lock held elsewhere run alone; they do not take a shared slot
    // (the pool size bounds them).
    for (const walletId of [...this.solo]) {
      const q = this.queues.get(walletId);
      if (this.busy.has(walletId)) continue;
      this.solo.delete(walletId);
      if (!q || q.length === 0) continue;
      const take = q.splice(0, this.opts.maxBatch);
      if (q.length === 0) this.queues.delete(walletId);
      this.start(new Map([[walletId, take]]), true, false);
    }
    while (this.running < this.opts.maxConcurrentBatches) {
      const group = new Map<string, Pending[]>();
      let size = 0;
      for (const [walletId, q] of this.queues) {
        if (size >= this.opts.maxBatch) break;
        // group.has: a wallet moved to the back of the Map is visited again by this same loop.
        if (group.has(walletId) || this.busy.has(walletId) || this.solo.has(walletId) || q.length === 0) continue;
        const take = q.splice(0, this.opts.maxBatch - size);
        this.queues.delete(walletId);
        // A wallet with more queued than fits goes to the back, so a constant backlog on one
        // wallet cannot starve the others (Map iteration follows insertion order).
        if (q.length > 0) this.queues.set(walletId, q);
        group.set(walletId, take);
        size += take.length;
      }
      if (size === 0) return;
      this.start(group, false, true);
    }
  }

  private start(group: Map<string, Pending[]>, waitForLocks: boolean, shared: boolean): void {
    for (const w of group.keys()) this.busy.add(w);
    if (shared) this.running++;
    void this.runGroup(group, waitForLocks).then(
      (settled) => this.finish(group, shared, settled),
      (err) => {
        // Never leave a caller waiting: answer everyone (settling a settled promise is a no-op).
        this.opts.log.error({ err }, 'ledger group failed unexpectedly');
        for (const ps of group.values()) ps.forEach((p) => p.reject(err));
        this.finish(group, shared, [...group.values()].reduce((n, ps) => n + ps.length, 0));
      },
    );
  }

  private finish(group: Map<string, Pending[]>, shared: boolean, settled: number): void {
    for (const w of group.keys()) this.busy.delete(w);
    if (shared) this.running--;
    this.settle(settled);
    if (this.queues.size > 0) this.dispatch();
  }

  private settle(n: number): void {
    this.inflight -= n;
    if (this.inflight === 0) {
      const w = this.drainWaiters;
      this.drainWaiters = [];
      w.forEach((r) => r());
    }
  }

  /**
   * Runs one transaction and answers its callers; returns how many operations were settled
   * (operations of wallets skipped because another session held their lock are queued again).
   */
  private async runGroup(group: Map<string, Pending[]>, waitForLocks: boolean): Promise<number> {
    const ops = new Map([...group].map(([w, ps]) => [w, ps.map((p) => p.op)]));
    let outcome: { outcomes: Map<string, Outcome[]>; deferred: string[] };
    try {
      outcome = await this.applyGroup(ops, waitForLocks);
    } catch (err) {
      return this.recover(group, err);
    }
    // Outside the try: nothing here may send committed operations into a retry.
    let settled = 0;
    const deferred = new Set(outcome.deferred);
    for (const [w, ps] of group) {
      if (deferred.has(w)) continue;
      const outcomes = outcome.outcomes.get(w);
      if (outcomes) outcomes.forEach((o, i) => (o.ok ? ps[i].resolve(o.result) : ps[i].reject(o.error)));
      else ps.forEach((p) => p.reject(new Error(`ledger: no outcome for wallet ${w}`))); // cannot happen; never hang
      settled += ps.length;
    }
    for (const w of outcome.deferred) {
      const q = this.queues.get(w) ?? [];
      this.queues.delete(w);
      this.queues.set(w, [...group.get(w)!, ...q]); // back at the head of its own queue, order kept
      this.solo.add(w);
    }
    return settled;
  }

  /**
   * The transaction failed before COMMIT was sent, so nothing was applied. Retry each wallet on
   * its own first, and only inside a wallet that fails again each operation alone: one bad
   * operation costs its own wallet a slow path, not every tenant in the group.
   */
  private async recover(group: Map<string, Pending[]>, err: unknown): Promise<number> {
    const total = [...group.values()].reduce((n, ps) => n + ps.length, 0);
    if (total === 1 || (err as { afterCommitSent?: boolean }).afterCommitSent) {
      for (const ps of group.values()) ps.forEach((p) => p.reject(err));
      return total;
    }
    this.opts.log.warn({ err, wallets: group.size, size: total }, 'ledger batch failed; retrying wallet by wallet');
    for (const [w, ps] of group) {
      try {
        const { outcomes } = await this.applyGroup(new Map([[w, ps.map((p) => p.op)]]), true);
        outcomes.get(w)!.forEach((o, i) => (o.ok ? ps[i].resolve(o.result) : ps[i].reject(o.error)));
        continue;
      } catch (e) {
        if (ps.length === 1 || (e as { afterCommitSent?: boolean }).afterCommitSent) {
          ps.forEach((p) => p.reject(e));
          continue;
        }
      }
      for (const p of ps) {
        try {
          const [o] = (await this.applyGroup(new Map([[w, [p.op]]]), true)).outcomes.get(w)!;
          if (o.ok) p.resolve(o.result);
          else p.reject(o.error);
        } catch (e) {
          p.reject(e);
        }
      }
    }
    return total;
  }

  /** One database transaction for the operations of several wallets. */
  private async applyGroup(groupOps: Map<string, LedgerOp[]>, waitForLocks: boolean): Promise<{ outcomes: Map<string, Outcome[]>; deferred: string[] }> {
    const out = new Map<string, Outcome[]>();
    const deferred: string[] = [];
    const walletIds = [...groupOps.keys()].filter((w) => {
      if (isUuid(w)) return true;
      out.set(w, groupOps.get(w)!.map(() => ({ ok: false as const, error: new DomainError(ErrorCode.NOT_FOUND, 'Wallet not found') })));
      return false;
    });
    if (walletIds.length === 0) return { outcomes: out, deferred };
    const client = await this.opts.acquire();
    let commitSent = false;
    let released = false;
    try {
      // BEGIN and the locks travel in one round trip (simple protocol, so the ids are inlined;
      // each was checked to be a UUID). Rows are locked in id order, the same order on every
      // instance, so two transactions can never wait for each other (no deadlock).
      // Lock first: every statement after this one starts with a fresh snapshot, so what it reads
      // is current and cannot change under us until COMMIT. Only the locked wallet rows may be
      // read by the locking statement: a joined row (the account's cap or timezone) would come
      // from the snapshot taken before the lock wait.
      const [, locked] = (await client.query(
        `begin; select w.id, w.account_id, w.balance, w.held, w.lifetime_spend, w.lifetime_purchased, w.spent_month, w.spent_this_month,
                      w.version, w.low_credit_reference, w.low_credit_fired, w.burn_alert_month, w.cap_alert_month
                 from wallet w where w.id in (${walletIds.map((w) => `'${w}'`).join(',')}) order by w.id for update${waitForLocks ? '' : ' skip locked'}`,
      )) as unknown as [unknown, { rowCount: number; rows: Record<string, any>[] }];
      const rows = new Map(locked.rows.map((r) => [r.id as string, r]));
      const missing = walletIds.filter((w) => !rows.has(w));
      if (missing.length > 0) {
        // Skipped because locked elsewhere, or not there at all: a plain read tells them apart.
        const exists = waitForLocks
          ? new Set<string>()
          : new Set((await client.query(`select id from wallet where id in (${missing.map((w) => `'${w}'`).join(',')})`)).rows.map((r) => r.id as string));
        for (const w of missing) {
          if (exists.has(w)) deferred.push(w);
          else out.set(w, groupOps.get(w)!.map(() => ({ ok: false as const, error: new DomainError(ErrorCode.NOT_FOUND, 'Wallet not found') })));
        }
      }
      const present = walletIds.filter((w) => rows.has(w));
      if (present.length === 0) {
        await client.query('rollback');
        return { outcomes: out, deferred };
      }

      // Idempotency keys travel with their wallet, so each wallet probes only its own keys.
      const keyWallets: string[] = [];
      const keys: string[] = [];
      const holdIds = new Set<string>();
      for (const w of present) {
        for (const op of groupOps.get(w)!) {
          if ('key' in op && op.key) {
            keyWallets.push(w);
            keys.push(op.key);
          }
          if (op.type === 'capture' || op.type === 'release') holdIds.add(op.holdId);
        }
      }
      const loaded = await client.query({
        name: 'ledger_load_many_v2',
        text: `select w.id as wallet_id,
          (select json_build_object('cap', a.monthly_budget_cap::text, 'timezone', a.timezone, 'burn', a.burn_alert_threshold::text,
                  'emails', a.low_credit_emails, 'email', a.email)
             from account a where a.id = w.account_id) as account,
          (select coalesce(json_agg(json_build_object('id', b.id, 'source', b.source, 'granted', b.granted::text, 'remaining', b.remaining::text,
                  'expires_at', b.expires_at, 'created_at', b.created_at, 'refunded', b.refunded::text, 'payment_intent_id', b.payment_intent_id)), '[]')
             from credit_bucket b where b.wallet_id = w.id and b.remaining > 0) as buckets,
          (select coalesce(json_agg(${TX_JSON}), '[]')
             from unnest($4::uuid[], $2::text[]) k(wallet_id, key)
             join ledger_transaction t on t.account_id = w.account_id and t.idempotency_key = k.key
            where k.wallet_id = w.id) as existing,
          (select coalesce(json_agg(${HOLD_JSON}), '[]')
             from hold h where cardinality($3::uuid[]) > 0 and h.id = any($3::uuid[]) and h.wallet_id = w.id) as holds,
          (extract(epoch from clock_timestamp()) * 1000)::float8 as now_ms
         from wallet w where w.id = any($1::uuid[])`,
        values: [present, keys, [...holdIds], keyWallets],
      });
      const states: BatchState[] = [];
      const results = new Map<string, OpResult[]>();
      for (const l of loaded.rows) {
        const walletId = l.wallet_id as string;
        const r = rows.get(walletId)!;
        const a = l.account as { cap: string | null; timezone: string; burn: string | null; emails: boolean; email: string };
        // The database clock, read after the locks: every instance agrees on it.
        const now = new Date(Number(l.now_ms));
        const state = this.buildState(walletId, r, a, l, now);
        const outcomes = this.applyOps(state, groupOps.get(walletId)!);
        out.set(walletId, outcomes);
        results.set(walletId, outcomes.filter((o): o is { ok: true; result: OpResult } => o.ok).map((o) => o.result));
        if (state.txs.length > 0) states.push(state);
      }

      if (states.length === 0) {
        await client.query('rollback');
        return { outcomes: out, deferred };
      }
      await this.write(client, states);
      commitSent = true;
      await client.query('commit');
      this.opts.release(client);
      released = true;
      for (const state of states) {
        try {
          const w = state.wallet.walletId;
          this.opts.onCommit(results.get(w)!, { walletId: w, wallet: state.wallet, messages: state.messages, emails: state.emails });
        } catch (err) {
          this.opts.log.error({ err }, 'onCommit hook failed');
        }
      }
      return { outcomes: out, deferred };
    } catch (err) {
      if (!released) {
        await client.query('rollback').catch(() => undefined);
        this.opts.release(client, err as Error);
        released = true;
      }
      if (commitSent && err && typeof err === 'object') (err as { afterCommitSent?: boolean }).afterCommitSent = true;
      throw err;
    } finally {
      if (!released) this.opts.release(client);
    }
  }

  private buildState(
    walletId: string,
    r: Record<string, any>,
    a: { cap: string | null; timezone: string; burn: string | null; emails: boolean; email: string },
    l: Record<string, any>,
    now: Date,
  ): BatchState {
    const clockMonth = monthKey(now, a.timezone);
    // A new month (in the account's timezone) starts the cap and spentThisMonth from zero. The
    // month never moves backwards here: a timezone change recomputes it in updateSettings.
    const sameMonth = r.spent_month >= clockMonth;
    const wallet: WalletSnapshot = {
      walletId,
      accountId: r.account_id,
      balance: BigInt(r.balance),
      held: BigInt(r.held),
      lifetimeSpend: BigInt(r.lifetime_spend),
      lifetimePurchased: BigInt(r.lifetime_purchased),
      spentMonth: sameMonth ? r.spent_month : clockMonth,
      spentThisMonth: sameMonth ? BigInt(r.spent_this_month) : 0n,
      version: BigInt(r.version),
      monthlyBudgetCap: a.cap === null ? null : BigInt(a.cap),
      timezone: a.timezone,
      lowCreditReference: BigInt(r.low_credit_reference),
      lowCreditFired: Number(r.low_credit_fired),
    };
    const buckets: BucketState[] = (l.buckets as Record<string, string | null>[]).map((b) => ({
      id: b.id!,
      source: b.source as CreditSource,
      granted: BigInt(b.granted!),
      remaining: BigInt(b.remaining!),
      expiresAt: b.expires_at ? new Date(b.expires_at) : null,
      createdAt: new Date(b.created_at!),
      dirty: false,
      isNew: false,
      paymentIntentId: b.payment_intent_id,
      amountPaidMinor: null,
      currency: null,
      refunded: BigInt(b.refunded!),
    }));
    const existing: TxRow[] = (l.existing as Record<string, unknown>[]).map(txFromJson);
    const holds: HoldRow[] = (l.holds as Record<string, unknown>[]).map(holdFromJson);
    const alerts: AlertState = {
      burnAlertMonth: r.burn_alert_month,
      capAlertMonth: r.cap_alert_month,
      burnAlertThreshold: a.burn === null ? null : BigInt(a.burn),
      lowCreditEmails: Boolean(a.emails),
      email: a.email,
    };
    const state = new BatchState(wallet, buckets, holds, existing, now, alerts);
    // Expired credits are never spendable: expire them before any operation of this batch,
    // even if the periodic sweep has not reached this wallet yet.
    if (buckets.some((b) => b.expiresAt !== null && b.expiresAt.getTime() <= now.getTime())) {
      const stage = new Staging(state);
      expireDue(stage, now);
      stage.merge();
    }
    return state;
  }

  /** Applies a wallet's operations in order against its running state; each succeeds or fails alone. */
  private applyOps(state: BatchState, ops: LedgerOp[]): Outcome[] {
    const outcomes: Outcome[] = [];
    for (const op of ops) {
      const stage = new Staging(state);
      const before = state.wallet;
      try {
        const partial = applyOp(stage, op, state);
        stage.merge();
        // Decided from the state this batch commits, under the lock: never twice, never missed.
        if (stage.txs.length > 0) {
          const decided = decideAlerts(before, state.wallet, state.alerts, state.now);
          state.messages.push(...decided.messages);
          state.emails.push(...decided.emails);
        }
        outcomes.push({ ok: true, result: { ...partial, transactions: stage.txs, wallet: { ...state.wallet }, before } });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        outcomes.push({ ok: false, error });
      }
    }
    return outcomes;
  }

  /** One statement writes the whole transaction: ledger rows, buckets, holds, messages, emails, rollup and wallets. */
  private async write(client: PoolClient, states: BatchState[]): Promise<void> {
    const all = <T>(f: (s: BatchState) => T[]): T[] => states.flatMap(f);
    const t = all((s) => s.txs);
    const newBuckets = all((s) => [...s.buckets.values()].filter((b) => b.isNew).map((b) => ({ b, w: s.wallet.walletId })));
    const changedBuckets = all((s) => [...s.buckets.values()].filter((b) => b.dirty && !b.isNew));
    const newHolds = all((s) => [...s.holds.values()].filter((h) => h.isNew));
    const changedHolds = all((s) => [...s.holds.values()].filter((h) => h.dirty && !h.isNew));
    const messages = all((s) => s.messages);
    const emails = all((s) => s.emails);
    const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));
    // Spend rows feed the usage rollup in the same statement, so the rollup commits with the
    // ledger or not at all. Rows of one account only change under its wallet lock: no deadlocks.
    const rollup = this.opts.usageRollup === true;
    const spent = rollup
      ? all((s) => s.txs.filter((x) => x.kind === TransactionKind.USAGE || x.kind === TransactionKind.CAPTURE).map((x) => ({ x, tz: s.wallet.timezone })))
      : [];
    const p = new Params();
    const rollupCte = rollup
      ? `ru as (insert into usage_rollup (account_id, tz, day, synfluencer_id, feature, platform, automation_id, total, count)
               select u.acc, u.tz, (u.created_at at time zone u.tz)::date, u.s, u.f, u.p, u.a, sum(u.amount), count(*)
                 from unnest(${p.add(spent.map(({ x }) => x.accountId), 'uuid[]')}, ${p.add(spent.map(({ tz }) => tz), 'text[]')},
                             ${p.add(spent.map(({ x }) => x.synfluencerId ?? NO_SYNFLUENCER), 'uuid[]')}, ${p.add(spent.map(({ x }) => x.feature ?? ''), 'text[]')},
                             ${p.add(spent.map(({ x }) => x.platform ?? ''), 'text[]')}, ${p.add(spent.map(({ x }) => x.automationId ?? ''), 'text[]')},
                             ${p.add(spent.map(({ x }) => (-x.amount).toString()), 'bigint[]')}, ${p.add(spent.map(({ x }) => x.createdAt), 'timestamptz[]')})
                      as u(acc, tz, s, f, p, a, amount, created_at)
                group by u.acc, u.tz, 3, u.s, u.f, u.p, u.a
               on conflict (account_id, tz, day, synfluencer_id, feature, platform, automation_id)
               do update set total = usage_rollup.total + excluded.total, count = usage_rollup.count + excluded.count
               returning 1),`
      : '';
    const text = `with ${rollupCte}
        nb as (insert into credit_bucket (id, wallet_id, source, granted, remaining, expires_at, created_at, payment_intent_id, amount_paid_minor, currency, refunded)
               select * from unnest(${p.add(newBuckets.map(({ b }) => b.id), 'uuid[]')}, ${p.add(newBuckets.map(({ w }) => w), 'uuid[]')},
                      ${p.add(newBuckets.map(({ b }) => b.source), 'text[]')}, ${p.add(newBuckets.map(({ b }) => b.granted.toString()), 'bigint[]')},
                      -- A bucket granted in this batch may already have been drawn by a later operation of it:
                      -- it is inserted with its running remaining, not its granted amount (invariant 1).
                      ${p.add(newBuckets.map(({ b }) => b.remaining.toString()), 'bigint[]')}, ${p.add(newBuckets.map(({ b }) => b.expiresAt), 'timestamptz[]')},
                      ${p.add(newBuckets.map(({ b }) => b.createdAt), 'timestamptz[]')}, ${p.add(newBuckets.map(({ b }) => b.paymentIntentId), 'text[]')},
                      ${p.add(newBuckets.map(({ b }) => b.amountPaidMinor), 'bigint[]')}, ${p.add(newBuckets.map(({ b }) => b.currency), 'text[]')},
                      ${p.add(newBuckets.map(({ b }) => b.refunded.toString()), 'bigint[]')})
               returning 1),
        ub as (update credit_bucket b set remaining = u.remaining, refunded = u.refunded
                 from unnest(${p.add(changedBuckets.map((b) => b.id), 'uuid[]')}, ${p.add(changedBuckets.map((b) => b.remaining.toString()), 'bigint[]')},
                             ${p.add(changedBuckets.map((b) => b.refunded.toString()), 'bigint[]')}) as u(id, remaining, refunded)
                where b.id = u.id returning 1),
        nt as (insert into ledger_transaction (id, wallet_id, account_id, kind, amount, balance_after, wallet_version, description,
                 synfluencer_id, feature, platform, automation_id, provider, quantity, unit, idempotency_key, request_hash, hold_id, draws, metadata, created_at)
               select u.id, u.wallet_id, u.account_id, u.kind, u.amount, u.balance_after, u.wallet_version, u.description, u.synfluencer_id, u.feature, u.platform,
                      u.automation_id, u.provider, u.quantity, u.unit, u.idempotency_key, u.request_hash, u.hold_id, u.draws::jsonb, u.metadata::jsonb, u.created_at
                 from unnest(${p.add(t.map((x) => x.id), 'uuid[]')}, ${p.add(t.map((x) => x.walletId), 'uuid[]')}, ${p.add(t.map((x) => x.accountId), 'uuid[]')},
                             ${p.add(t.map((x) => x.kind), 'text[]')}, ${p.add(t.map((x) => x.amount.toString()), 'bigint[]')},
                             ${p.add(t.map((x) => x.balanceAfter.toString()), 'bigint[]')}, ${p.add(t.map((x) => x.walletVersion.toString()), 'bigint[]')},
                             ${p.add(t.map((x) => x.description), 'text[]')}, ${p.add(t.map((x) => x.synfluencerId), 'uuid[]')}, ${p.add(t.map((x) => x.feature), 'text[]')},
                             ${p.add(t.map((x) => x.platform), 'text[]')}, ${p.add(t.map((x) => x.automationId), 'text[]')}, ${p.add(t.map((x) => x.provider), 'text[]')},
                             ${p.add(t.map((x) => x.quantity), 'float8[]')}, ${p.add(t.map((x) => x.unit), 'text[]')}, ${p.add(t.map((x) => x.idempotencyKey), 'text[]')},
                             ${p.add(t.map((x) => x.requestHash), 'text[]')}, ${p.add(t.map((x) => x.holdId), 'uuid[]')}, ${p.add(t.map((x) => json(x.draws)), 'text[]')},
                             ${p.add(t.map((x) => json(x.metadata)), 'text[]')}, ${p.add(t.map((x) => x.createdAt), 'timestamptz[]')})
                      as u(id, wallet_id, account_id, kind, amount, balance_after, wallet_version, description, synfluencer_id, feature, platform, automation_id,
                           provider, quantity, unit, idempotency_key, request_hash, hold_id, draws, metadata, created_at)
               returning 1),
        nh as (insert into hold (id, wallet_id, account_id, status, amount, expires_at, feature, synfluencer_id, platform, automation_id, provider, quantity, created_at)
               select u.id, u.wallet_id, u.account_id, 'PENDING', u.amount, u.expires_at, u.feature, u.synfluencer_id, u.platform, u.automation_id, u.provider, u.quantity, u.created_at
                 from unnest(${p.add(newHolds.map((h) => h.id), 'uuid[]')}, ${p.add(newHolds.map((h) => h.walletId), 'uuid[]')}, ${p.add(newHolds.map((h) => h.accountId), 'uuid[]')},
                             ${p.add(newHolds.map((h) => h.amount.toString()), 'bigint[]')}, ${p.add(newHolds.map((h) => h.expiresAt), 'timestamptz[]')},
                             ${p.add(newHolds.map((h) => h.feature), 'text[]')}, ${p.add(newHolds.map((h) => h.synfluencerId), 'uuid[]')},
                             ${p.add(newHolds.map((h) => h.platform), 'text[]')}, ${p.add(newHolds.map((h) => h.automationId), 'text[]')},
                             ${p.add(newHolds.map((h) => h.provider), 'text[]')}, ${p.add(newHolds.map((h) => h.quantity), 'float8[]')},
                             ${p.add(newHolds.map((h) => h.createdAt), 'timestamptz[]')})
                      as u(id, wallet_id, account_id, amount, expires_at, feature, synfluencer_id, platform, automation_id, provider, quantity, created_at)
               returning 1),
        uh as (update hold h set status = u.status, captured = u.captured, settled_at = u.settled_at
                 from unnest(${p.add(changedHolds.map((h) => h.id), 'uuid[]')}, ${p.add(changedHolds.map((h) => h.status), 'text[]')},
                             ${p.add(changedHolds.map((h) => (h.captured === null ? null : h.captured.toString())), 'bigint[]')},
                             ${p.add(changedHolds.map((h) => h.settledAt), 'timestamptz[]')}) as u(id, status, captured, settled_at)
                where h.id = u.id returning 1),
        nm as (insert into message (id, account_id, kind, title, body, data, created_at)
               select u.id, u.account_id, u.kind, u.title, u.body, u.data::jsonb, u.created_at
                 from unnest(${p.add(messages.map((m) => m.id), 'uuid[]')}, ${p.add(messages.map((m) => m.accountId), 'uuid[]')}, ${p.add(messages.map((m) => m.kind), 'text[]')},
                             ${p.add(messages.map((m) => m.title), 'text[]')}, ${p.add(messages.map((m) => m.body), 'text[]')}, ${p.add(messages.map((m) => json(m.data)), 'text[]')},
                             ${p.add(messages.map((m) => m.createdAt), 'timestamptz[]')}) with ordinality as u(id, account_id, kind, title, body, data, created_at, ord)
                order by u.ord
               returning 1),
        ne as (insert into email_outbox (id, account_id, message_id, to_address, subject, body)
               select * from unnest(${p.add(emails.map((e) => e.id), 'uuid[]')}, ${p.add(emails.map((e) => e.accountId), 'uuid[]')},
                                    ${p.add(emails.map((e) => e.messageId), 'uuid[]')}, ${p.add(emails.map((e) => e.to), 'text[]')},
                                    ${p.add(emails.map((e) => e.subject), 'text[]')}, ${p.add(emails.map((e) => e.body), 'text[]')})
               returning 1)
      update wallet w set balance = u.balance, held = u.held, lifetime_spend = u.lifetime_spend, lifetime_purchased = u.lifetime_purchased,
             spent_month = u.spent_month, spent_this_month = u.spent_this_month, version = u.version, low_credit_reference = u.low_credit_reference,
             low_credit_fired = u.low_credit_fired, burn_alert_month = u.burn_alert_month, cap_alert_month = u.cap_alert_month, updated_at = now()
        from unnest(${p.add(states.map((s) => s.wallet.walletId), 'uuid[]')}, ${p.add(states.map((s) => s.wallet.balance.toString()), 'bigint[]')},
                    ${p.add(states.map((s) => s.wallet.held.toString()), 'bigint[]')}, ${p.add(states.map((s) => s.wallet.lifetimeSpend.toString()), 'bigint[]')},
                    ${p.add(states.map((s) => s.wallet.lifetimePurchased.toString()), 'bigint[]')}, ${p.add(states.map((s) => s.wallet.spentMonth), 'text[]')},
                    ${p.add(states.map((s) => s.wallet.spentThisMonth.toString()), 'bigint[]')}, ${p.add(states.map((s) => s.wallet.version.toString()), 'bigint[]')},
                    ${p.add(states.map((s) => s.wallet.lowCreditReference.toString()), 'bigint[]')}, ${p.add(states.map((s) => s.wallet.lowCreditFired), 'int2[]')},
                    ${p.add(states.map((s) => s.alerts.burnAlertMonth), 'text[]')}, ${p.add(states.map((s) => s.alerts.capAlertMonth), 'text[]')})
             as u(id, balance, held, lifetime_spend, lifetime_purchased, spent_month, spent_this_month, version, low_credit_reference, low_credit_fired,
                  burn_alert_month, cap_alert_month)
       where w.id = u.id`;
    await client.query({ name: rollup ? 'ledger_write_many_rollup' : 'ledger_write_many', text, values: p.values });
  }
}

/**
 * A ledger_transaction row `t` / hold row `h` as JSON with bigint columns as text (no precision
 * is lost in JSON); read back by txFromJson / holdFromJson below.
 */
export const TX_JSON = `(to_jsonb(t) || jsonb_build_object('amount', t.amount::text, 'balance_after', t.balance_after::text, 'wallet_version', t.wallet_version::text, 'seq', t.seq::text))`;
export const HOLD_JSON = `(to_jsonb(h) || jsonb_build_object('amount', h.amount::text, 'captured', h.captured::text))`;

/** Rows from json_agg; bigint columns are sent as text so no precision is lost in JSON. */
export function txFromJson(t: Record<string, unknown>): TxRow {
  return {
    id: t.id as string,
    walletId: t.wallet_id as string,
    accountId: t.account_id as string,
    kind: t.kind as TransactionKind,
    amount: BigInt(t.amount as string | number),
    balanceAfter: BigInt(t.balance_after as string | number),
    walletVersion: BigInt(t.wallet_version as string | number),
    description: t.description as string,
    synfluencerId: (t.synfluencer_id as string) ?? null,
    feature: (t.feature as string) ?? null,
    platform: (t.platform as string) ?? null,
    automationId: (t.automation_id as string) ?? null,
    provider: (t.provider as string) ?? null,
    quantity: (t.quantity as number) ?? null,
    unit: (t.unit as string) ?? null,
    idempotencyKey: (t.idempotency_key as string) ?? null,
    requestHash: (t.request_hash as string) ?? null,
    holdId: (t.hold_id as string) ?? null,
    draws: (t.draws as BucketDraw[]) ?? null,
    metadata: (t.metadata as Record<string, unknown>) ?? null,
    createdAt: new Date(t.created_at as string),
  };
}

export function holdFromJson(h: Record<string, unknown>): HoldRow {
  return {
    id: h.id as string,
    walletId: h.wallet_id as string,
    accountId: h.account_id as string,
    status: h.status as HoldStatus,
    amount: BigInt(h.amount as string | number),
    captured: h.captured === null || h.captured === undefined ? null : BigInt(h.captured as string | number),
    expiresAt: new Date(h.expires_at as string),
    feature: h.feature as string,
    synfluencerId: (h.synfluencer_id as string) ?? null,
    platform: (h.platform as string) ?? null,
    automationId: (h.automation_id as string) ?? null,
    provider: (h.provider as string) ?? null,
    quantity: (h.quantity as number) ?? null,
    settledAt: h.settled_at ? new Date(h.settled_at as string) : null,
    createdAt: new Date(h.created_at as string),
  };
}
