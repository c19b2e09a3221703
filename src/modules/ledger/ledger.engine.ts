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

/** What one committed batch changed: the final wallet and the alert messages and emails it wrote. */
export interface CommitBatch {
  walletId: string;
  wallet: WalletSnapshot;
  messages: NewMessage[];
  emails: NewEmail[];
}

export interface EngineOptions {
  acquire: () => Promise<PoolClient>;
  release: (client: PoolClient, err?: Error) => void;
  maxBatch: number;
  batchWindowMs: number;
  /** Maintain usage_rollup in the same statement as the ledger rows (see usage-rollup.entity.ts). */
  usageRollup?: boolean;
  log: Logger;
  /** Called after every commit that changed the wallet (publish, alerts). Never throws into the engine. */
  onCommit: (results: OpResult[], batch: CommitBatch) => void;
}

export class LedgerEngine {
  private readonly queues = new Map<string, Pending[]>();
  private readonly running = new Set<string>();
  private inflight = 0;
  private drainWaiters: (() => void)[] = [];

  constructor(private readonly opts: EngineOptions) {}

  /** Queue an operation on a wallet; resolves after its batch committed. */
  submit(walletId: string, op: LedgerOp): Promise<OpResult> {
    return new Promise<OpResult>((resolve, reject) => {
      let q = this.queues.get(walletId);
      if (!q) {
        q = [];
        this.queues.set(walletId, q);
      }
      q.push({ op, resolve, reject });
      this.inflight++;
      if (!this.running.has(walletId)) {
        this.running.add(walletId);
        if (this.opts.batchWindowMs > 0) setTimeout(() => void this.pump(walletId), this.opts.batchWindowMs);
        else setImmediate(() => void this.pump(walletId));
      }
    });
  }

  /** Resolves when every queued operation has settled (graceful shutdown). */
  drain(): Promise<void> {
    if (this.inflight === 0) return Promise.resolve();
    return new Promise((r) => this.drainWaiters.push(r));
  }

  private async pump(walletId: string): Promise<void> {
    const q = this.queues.get(walletId)!;
    while (q.length > 0) {
      const batch = q.splice(0, this.opts.maxBatch);
      await this.runBatch(walletId, batch);
    }
    this.queues.delete(walletId);
    this.running.delete(walletId);
  }

  private settle(n: number): void {
    this.inflight -= n;
    if (this.inflight === 0) {
      const w = this.drainWaiters;
      this.drainWaiters = [];
      w.forEach((r) => r());
    }
  }

  private async runBatch(walletId: string, batch: Pending[]): Promise<void> {
    try {
      const outcomes = await this.applyBatch(walletId, batch.map((p) => p.op));
      outcomes.forEach((o, i) => (o.ok ? batch[i].resolve(o.result) : batch[i].reject(o.error)));
    } catch (err) {
      if (batch.length > 1 && !(err as { afterCommitSent?: boolean }).afterCommitSent) {
        // One bad operation must not fail its neighbours: retry each alone.
        this.opts.log.warn({ err, walletId, size: batch.length }, 'ledger batch failed; retrying operations one by one');
        for (const p of batch) {
          try {
            const [o] = await this.applyBatch(walletId, [p.op]);
            if (o.ok) p.resolve(o.result);
            else p.reject(o.error);
          } catch (e) {
            p.reject(e);
          }
        }
      } else {
        batch.forEach((p) => p.reject(err));
      }
    } finally {
      this.settle(batch.length);
    }
  }

  private async applyBatch(walletId: string, ops: LedgerOp[]): Promise<({ ok: true; result: OpResult } | { ok: false; error: unknown })[]> {
    const client = await this.opts.acquire();
    let commitSent = false;
    let released = false;
    try {
      // BEGIN and the lock travel in one round trip (simple protocol, so the id is inlined; it
      // is checked to be a UUID first). Lock first: every statement after this one starts with a
      // fresh snapshot, so what it reads is current and cannot change under us until COMMIT.
      // Only the locked wallet row may be read by the locking statement itself: a joined row
      // (the account's cap or timezone) would come from the snapshot taken before the lock wait.
      if (!isUuid(walletId)) throw new DomainError(ErrorCode.NOT_FOUND, 'Wallet not found');
      const [, locked] = (await client.query(
        `begin; select w.account_id, w.balance, w.held, w.lifetime_spend, w.lifetime_purchased, w.spent_month, w.spent_this_month,
                      w.version, w.low_credit_reference, w.low_credit_fired, w.burn_alert_month, w.cap_alert_month
                 from wallet w where w.id = '${walletId}' for update`,
      )) as unknown as [unknown, { rowCount: number; rows: Record<string, any>[] }];
      if (locked.rowCount === 0) {
        await client.query('rollback');
        const error = new DomainError(ErrorCode.NOT_FOUND, 'Wallet not found');
        return ops.map(() => ({ ok: false as const, error }));
      }
      const r = locked.rows[0];

      const keys = new Set<string>();
      const holdIds = new Set<string>();
      for (const op of ops) {
        if ('key' in op && op.key) keys.add(op.key);
        if (op.type === 'capture' || op.type === 'release') holdIds.add(op.holdId);
      }
      const loaded = await client.query({
        name: 'ledger_load',
        text: `select
          (select json_build_object('cap', a.monthly_budget_cap::text, 'timezone', a.timezone, 'burn', a.burn_alert_threshold::text,
                  'emails', a.low_credit_emails, 'email', a.email, 'now_ms', (extract(epoch from clock_timestamp()) * 1000)::float8)
             from account a where a.id = $2) as account,
          (select coalesce(json_agg(json_build_object('id', b.id, 'source', b.source, 'granted', b.granted::text, 'remaining', b.remaining::text,
                  'expires_at', b.expires_at, 'created_at', b.created_at, 'refunded', b.refunded::text, 'payment_intent_id', b.payment_intent_id)), '[]')
             from credit_bucket b where b.wallet_id = $1 and b.remaining > 0) as buckets,
          (select coalesce(json_agg(to_jsonb(t) || jsonb_build_object('amount', t.amount::text, 'balance_after', t.balance_after::text,
                  'wallet_version', t.wallet_version::text, 'seq', t.seq::text)), '[]') from ledger_transaction t where cardinality($3::text[]) > 0 and t.account_id = $2 and t.idempotency_key = any($3::text[])) as existing,
          (select coalesce(json_agg(to_jsonb(h) || jsonb_build_object('amount', h.amount::text, 'captured', h.captured::text)), '[]') from hold h where cardinality($4::uuid[]) > 0 and h.id = any($4::uuid[]) and h.wallet_id = $1) as holds`,
        values: [walletId, r.account_id, [...keys], [...holdIds]],
      });
      const l = loaded.rows[0];
      const a = l.account as { cap: string | null; timezone: string; burn: string | null; emails: boolean; email: string; now_ms: number };
      // The database clock, read after the lock: every instance agrees on it.
      const now = new Date(Number(a.now_ms));
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
      const buckets: BucketState[] = l.buckets.map((b: Record<string, string | null>) => ({
        id: b.id,
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
      const existing: TxRow[] = l.existing.map(txFromJson);
      const holds: HoldRow[] = l.holds.map(holdFromJson);

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
      const outcomes: ({ ok: true; result: OpResult } | { ok: false; error: unknown })[] = [];
      for (const op of ops) {
        const stage = new Staging(state);
        const before = state.wallet;
        try {
          const partial = applyOp(stage, op, state);
          stage.merge();
          // Decided from the state this batch commits, under the lock: never twice, never missed.
          if (stage.txs.length > 0) {
            const decided = decideAlerts(before, state.wallet, state.alerts, now);
            state.messages.push(...decided.messages);
            state.emails.push(...decided.emails);
          }
          outcomes.push({ ok: true, result: { ...partial, transactions: stage.txs, wallet: { ...state.wallet }, before } });
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          outcomes.push({ ok: false, error });
        }
      }

      if (state.txs.length === 0) {
        await client.query('rollback');
        return outcomes;
      }
      await this.write(client, state);
      commitSent = true;
      await client.query('commit');
      this.opts.release(client);
      released = true;
      const results = outcomes.filter((o): o is { ok: true; result: OpResult } => o.ok).map((o) => o.result);
      try {
        this.opts.onCommit(results, { walletId, wallet: state.wallet, messages: state.messages, emails: state.emails });
      } catch (err) {
        this.opts.log.error({ err }, 'onCommit hook failed');
      }
      return outcomes;
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

  /** One statement writes the whole batch: ledger rows, buckets, holds and the wallet. */
  private async write(client: PoolClient, s: BatchState): Promise<void> {
    const t = s.txs;
    const newBuckets = [...s.buckets.values()].filter((b) => b.isNew);
    const changedBuckets = [...s.buckets.values()].filter((b) => b.dirty && !b.isNew);
    const newHolds = [...s.holds.values()].filter((h) => h.isNew);
    const changedHolds = [...s.holds.values()].filter((h) => h.dirty && !h.isNew);
    const w = s.wallet;
    const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));
    // Spend rows feed the usage rollup in the same statement, so the rollup commits with the
    // ledger or not at all. Rows of one account only change under its wallet lock: no deadlocks.
    const rollup = this.opts.usageRollup === true;
    const spent = rollup ? t.filter((x) => x.kind === TransactionKind.USAGE || x.kind === TransactionKind.CAPTURE) : [];
    await client.query({
      name: rollup ? 'ledger_write_rollup' : 'ledger_write',
      text: `with${
        rollup
          ? `
        ru as (insert into usage_rollup (account_id, tz, day, synfluencer_id, feature, platform, automation_id, total, count)
               select $13, $71::text, (u.created_at at time zone $71::text)::date, u.s, u.f, u.p, u.a, sum(u.amount), count(*)
                 from unnest($72::uuid[], $73::text[], $74::text[], $75::text[], $76::bigint[], $77::timestamptz[]) as u(s, f, p, a, amount, created_at)
                group by 3, 4, 5, 6, 7
               on conflict (account_id, tz, day, synfluencer_id, feature, platform, automation_id)
               do update set total = usage_rollup.total + excluded.total, count = usage_rollup.count + excluded.count
               returning 1),`
          : ''
      }
        nb as (insert into credit_bucket (id, wallet_id, source, granted, remaining, expires_at, created_at, payment_intent_id, amount_paid_minor, currency, refunded)
               select u.id, $1, u.source, u.granted, u.remaining, u.expires_at, u.created_at, u.pi, u.paid, u.cur, u.refunded
                 from unnest($2::uuid[], $3::text[], $4::bigint[], $5::timestamptz[], $6::timestamptz[], $7::text[], $8::bigint[], $9::text[], $69::bigint[], $70::bigint[])
                      as u(id, source, granted, expires_at, created_at, pi, paid, cur, remaining, refunded)
               returning 1),
        ub as (update credit_bucket b set remaining = u.remaining, refunded = u.refunded
                 from unnest($10::uuid[], $11::bigint[], $12::bigint[]) as u(id, remaining, refunded)
                where b.id = u.id returning 1),
        nt as (insert into ledger_transaction (id, wallet_id, account_id, kind, amount, balance_after, wallet_version, description,
                 synfluencer_id, feature, platform, automation_id, provider, quantity, unit, idempotency_key, request_hash, hold_id, draws, metadata, created_at)
               select u.id, $1, $13, u.kind, u.amount, u.balance_after, u.wallet_version, u.description, u.synfluencer_id, u.feature, u.platform,
                      u.automation_id, u.provider, u.quantity, u.unit, u.idempotency_key, u.request_hash, u.hold_id, u.draws::jsonb, u.metadata::jsonb, u.created_at
                 from unnest($14::uuid[], $15::text[], $16::bigint[], $17::bigint[], $18::bigint[], $19::text[], $20::uuid[], $21::text[], $22::text[],
                             $23::text[], $24::text[], $25::float8[], $26::text[], $27::text[], $28::text[], $29::uuid[], $30::text[], $31::text[], $32::timestamptz[])
                      as u(id, kind, amount, balance_after, wallet_version, description, synfluencer_id, feature, platform, automation_id, provider,
                           quantity, unit, idempotency_key, request_hash, hold_id, draws, metadata, created_at)
               returning 1),
        nh as (insert into hold (id, wallet_id, account_id, status, amount, expires_at, feature, synfluencer_id, platform, automation_id, provider, quantity, created_at)
               select u.id, $1, $13, 'PENDING', u.amount, u.expires_at, u.feature, u.synfluencer_id, u.platform, u.automation_id, u.provider, u.quantity, u.created_at
                 from unnest($33::uuid[], $34::bigint[], $35::timestamptz[], $36::text[], $37::uuid[], $38::text[], $39::text[], $40::text[], $41::float8[], $42::timestamptz[])
                      as u(id, amount, expires_at, feature, synfluencer_id, platform, automation_id, provider, quantity, created_at)
               returning 1),
        uh as (update hold h set status = u.status, captured = u.captured, settled_at = u.settled_at
                 from unnest($43::uuid[], $44::text[], $45::bigint[], $46::timestamptz[]) as u(id, status, captured, settled_at)
                where h.id = u.id returning 1),
        nm as (insert into message (id, account_id, kind, title, body, data, created_at)
               select u.id, $13, u.kind, u.title, u.body, u.data::jsonb, u.created_at
                 from unnest($58::uuid[], $59::text[], $60::text[], $61::text[], $62::text[], $63::timestamptz[]) with ordinality as u(id, kind, title, body, data, created_at, ord)
                order by u.ord
               returning 1),
        ne as (insert into email_outbox (id, account_id, message_id, to_address, subject, body)
               select u.id, $13, u.message_id, u.to_address, u.subject, u.body
                 from unnest($64::uuid[], $65::uuid[], $66::text[], $67::text[], $68::text[]) as u(id, message_id, to_address, subject, body)
               returning 1)
      update wallet set balance = $47, held = $48, lifetime_spend = $49, lifetime_purchased = $50, spent_month = $51, spent_this_month = $52,
             version = $53, low_credit_reference = $54, low_credit_fired = $55, burn_alert_month = $56, cap_alert_month = $57, updated_at = now()
       where id = $1`,
      values: [
        w.walletId,
        newBuckets.map((b) => b.id),
        newBuckets.map((b) => b.source),
        newBuckets.map((b) => b.granted.toString()),
        newBuckets.map((b) => b.expiresAt),
        newBuckets.map((b) => b.createdAt),
        newBuckets.map((b) => b.paymentIntentId),
        newBuckets.map((b) => b.amountPaidMinor),
        newBuckets.map((b) => b.currency),
        changedBuckets.map((b) => b.id),
        changedBuckets.map((b) => b.remaining.toString()),
        changedBuckets.map((b) => b.refunded.toString()),
        w.accountId,
        t.map((x) => x.id),
        t.map((x) => x.kind),
        t.map((x) => x.amount.toString()),
        t.map((x) => x.balanceAfter.toString()),
        t.map((x) => x.walletVersion.toString()),
        t.map((x) => x.description),
        t.map((x) => x.synfluencerId),
        t.map((x) => x.feature),
        t.map((x) => x.platform),
        t.map((x) => x.automationId),
        t.map((x) => x.provider),
        t.map((x) => x.quantity),
        t.map((x) => x.unit),
        t.map((x) => x.idempotencyKey),
        t.map((x) => x.requestHash),
        t.map((x) => x.holdId),
        t.map((x) => json(x.draws)),
        t.map((x) => json(x.metadata)),
        t.map((x) => x.createdAt),
        newHolds.map((h) => h.id),
        newHolds.map((h) => h.amount.toString()),
        newHolds.map((h) => h.expiresAt),
        newHolds.map((h) => h.feature),
        newHolds.map((h) => h.synfluencerId),
        newHolds.map((h) => h.platform),
        newHolds.map((h) => h.automationId),
        newHolds.map((h) => h.provider),
        newHolds.map((h) => h.quantity),
        newHolds.map((h) => h.createdAt),
        changedHolds.map((h) => h.id),
        changedHolds.map((h) => h.status),
        changedHolds.map((h) => (h.captured === null ? null : h.captured.toString())),
        changedHolds.map((h) => h.settledAt),
        w.balance.toString(),
        w.held.toString(),
        w.lifetimeSpend.toString(),
        w.lifetimePurchased.toString(),
        w.spentMonth,
        w.spentThisMonth.toString(),
        w.version.toString(),
        w.lowCreditReference.toString(),
        w.lowCreditFired,
        s.alerts.burnAlertMonth,
        s.alerts.capAlertMonth,
        s.messages.map((m) => m.id),
        s.messages.map((m) => m.kind),
        s.messages.map((m) => m.title),
        s.messages.map((m) => m.body),
        s.messages.map((m) => json(m.data)),
        s.messages.map((m) => m.createdAt),
        s.emails.map((e) => e.id),
        s.emails.map((e) => e.messageId),
        s.emails.map((e) => e.to),
        s.emails.map((e) => e.subject),
        s.emails.map((e) => e.body),
        // A bucket granted in this batch may already have been drawn by a later operation of it:
        // it is inserted with its running remaining, not its granted amount (invariant 1).
        newBuckets.map((b) => b.remaining.toString()),
        newBuckets.map((b) => b.refunded.toString()),
        ...(rollup
          ? [
              w.timezone,
              spent.map((x) => x.synfluencerId ?? NO_SYNFLUENCER),
              spent.map((x) => x.feature ?? ''),
              spent.map((x) => x.platform ?? ''),
              spent.map((x) => x.automationId ?? ''),
              spent.map((x) => (-x.amount).toString()),
              spent.map((x) => x.createdAt),
            ]
          : []),
      ],
    });
  }
}

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
