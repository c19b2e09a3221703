import fc from 'fast-check';
import { applyOperations } from '../../src/modules/ledger/domain/apply';
import { CreditSource } from '../../src/modules/ledger/domain/kinds';
import { openWalletBatch } from '../../src/modules/ledger/domain/open';
import type { LedgerOperation } from '../../src/modules/ledger/domain/operations';
import type { BucketState, HoldRecord, LedgerEntry, WalletSnapshot } from '../../src/modules/ledger/domain/state';
import { ACCOUNT_ID, usage, WALLET_ID } from './ledger-fixtures';

/**
 * Property: random sequences of grant / charge / reserve / capture / release / expire and the
 * passing of time, applied by the ledger's pure rules one batch at a time (as the engine does),
 * agree with a small reference model of a wallet on every accept/reject decision and every
 * balance, and keep docs/invariants.md #1, #2, #5 and #6 after every step.
 */

const HOUR = 3_600_000;
const START = Date.UTC(2026, 5, 20); // months roll over during a run (June -> July)
const RANK: Record<CreditSource, number> = { PLAN_ALLOCATION: 0, SIGNUP_BONUS: 1, ADMIN_GRANT: 1, PURCHASE: 2 };

type Step =
  | { kind: 'grant'; amount: bigint; source: CreditSource; expiresInMs: number | null }
  | { kind: 'charge'; amount: bigint }
  | { kind: 'reserve'; amount: bigint; expiresInMs: number }
  | { kind: 'capture'; hold: number; amount: bigint }
  | { kind: 'release'; hold: number }
  | { kind: 'expire' }
  | { kind: 'wait'; ms: number };

interface ModelBucket {
  id: string;
  source: CreditSource;
  remaining: bigint;
  expiresAt: number | null;
  createdAt: number;
}
interface ModelHold {
  id: string;
  amount: bigint;
  expiresAt: number;
  createdAt: number;
  pending: boolean;
}

const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);
const isDue = (b: ModelBucket, now: number): boolean => b.expiresAt !== null && b.expiresAt <= now;
/** A hold is backed only by buckets live when it was made. */
const backs = (b: ModelBucket, h: ModelHold): boolean => b.expiresAt === null || h.createdAt <= b.expiresAt;

/** The reference model: plain arrays, the rules as the design states them (docs/invariants.md #8 for expiry and holds). */
class WalletModel {
  balance: bigint;
  held = 0n;
  spent = 0n;
  month = '';
  readonly buckets: ModelBucket[];
  readonly holds: ModelHold[] = [];

  constructor(
    initial: ModelBucket,
    readonly cap: bigint | null,
  ) {
    this.buckets = [initial];
    this.balance = initial.remaining;
  }

  private live(): ModelBucket[] {
    const expiry = (b: ModelBucket) => b.expiresAt ?? Infinity;
    return this.buckets
      .filter((b) => b.remaining > 0n)
      .sort((a, b) => expiry(a) - expiry(b) || RANK[a.source] - RANK[b.source] || a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  }

  /** A new batch: a new month restarts the month's spend; due credits no hold needs expire. */
  open(now: number): void {
    const month = new Date(now).toISOString().slice(0, 7);
    if (month > this.month) [this.month, this.spent] = [month, 0n];
    this.expire(now);
  }

  /** A due bucket keeps only what pending holds made while it was live can still claim (earliest expiry first). */
  expire(now: number): void {
    let claimed = 0n;
    for (const b of this.live().filter((x) => isDue(x, now))) {
      const backable = this.holds.filter((h) => h.pending && backs(b, h)).reduce((sum, h) => sum + h.amount, 0n);
      const share = min(b.remaining, backable > claimed ? backable - claimed : 0n);
      claimed += share;
      const amount = b.remaining - share;
      b.remaining -= amount;
      this.balance -= amount;
    }
  }

  private refusal(amount: bigint, balance: bigint, held: bigint): string | null {
    if (amount > balance) return 'INSUFFICIENT_CREDITS';
    if (this.cap !== null && this.spent + held + amount > this.cap) return 'BUDGET_CAP_EXCEEDED';
    return null;
  }

  /** Never from a due bucket, except a capture's (`hold`) for at most its hold's amount from buckets live when it was made. */
  private draw(amount: bigint, now: number, hold: ModelHold | null = null): void {
    let left = amount;
    let dueLeft = hold ? min(amount, hold.amount) : 0n;
    for (const b of this.live()) {
      const due = isDue(b, now);
      if (due && (!hold || !backs(b, hold))) continue;
      const taken = min(b.remaining, due ? min(left, dueLeft) : left);
      b.remaining -= taken;
      left -= taken;
      if (due) dueLeft -= taken;
    }
    this.balance -= amount;
    this.spent += amount;
  }

  charge(amount: bigint, now: number): string {
    if (amount === 0n) return 'BAD_USER_INPUT'; // a charge must move credits; a capture may be 0
    const refused = this.refusal(amount, this.balance, this.held);
    if (refused) return refused;
    this.draw(amount, now);
    return 'ok';
  }

  reserve(amount: bigint): string {
    if (amount === 0n) return 'BAD_USER_INPUT';
    const refused = this.refusal(amount, this.balance, this.held);
    if (refused) return refused;
    this.balance -= amount;
    this.held += amount;
    return 'ok';
  }

  settle(hold: ModelHold | undefined, now: number, captured: bigint | null): string {
    if (!hold) return 'NOT_FOUND';
    if (!hold.pending || (captured !== null && now >= hold.expiresAt)) return 'HOLD_NOT_PENDING';
    if (captured !== null) {
      const refused = this.refusal(captured, this.balance + hold.amount, this.held - hold.amount);
      if (refused) return refused;
    }
    hold.pending = false;
    this.balance += hold.amount;
    this.held -= hold.amount;
    if (captured !== null) this.draw(captured, now, hold);
    this.expire(now); // what the hold kept of buckets that expired meanwhile
    return 'ok';
  }
}

/** The ledger's rules, driven as the engine drives them: each step is a new batch opened from the stored state. */
class Ledger {
  wallet: WalletSnapshot;
  buckets: BucketState[];
  holds: HoldRecord[] = [];
  readonly entries: LedgerEntry[] = [];

  constructor(initial: BucketState, cap: bigint | null) {
    this.buckets = [initial];
    this.wallet = {
      walletId: WALLET_ID,
      accountId: ACCOUNT_ID,
      balance: initial.remaining,
      held: 0n,
      lifetimeSpend: 0n,
      lifetimePurchased: 0n,
      spentMonth: '',
      spentThisMonth: 0n,
      version: 0n,
      monthlyBudgetCap: cap,
      timezone: 'UTC',
      lowCreditReference: initial.remaining,
    };
  }

  step(now: number, operation: LedgerOperation | null): { decision: string; holdId: string | null } {
    const batch = openWalletBatch(
      this.wallet,
      this.buckets.filter((b) => b.remaining > 0n).map((b) => ({ ...b, dirty: false, isNew: false })),
      this.holds,
      this.entries.filter((e) => e.idempotencyKey),
      new Date(now),
    );
    const [outcome] = operation ? applyOperations(batch, [operation]) : [];
    this.wallet = batch.wallet;
    this.buckets = [...new Map([...this.buckets.map((b) => [b.id, b] as const), ...batch.buckets]).values()];
    this.holds = [...new Map([...this.holds.map((h) => [h.id, h] as const), ...batch.holds]).values()];
    this.entries.push(...batch.entries);
    if (!outcome) return { decision: 'ok', holdId: null };
    if (!outcome.ok) return { decision: (outcome.error as { code: string }).code, holdId: null };
    return { decision: 'ok', holdId: outcome.result.hold?.id ?? null };
  }
}

const credits = fc.bigInt({ min: 0n, max: 40n });
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('grant' as const), amount: fc.bigInt({ min: 1n, max: 40n }), source: fc.constantFrom(...Object.values(CreditSource)), expiresInMs: fc.option(fc.integer({ min: 1, max: 72 * HOUR }), { nil: null }) }),
  fc.record({ kind: fc.constant('charge' as const), amount: credits }),
  fc.record({ kind: fc.constant('reserve' as const), amount: credits, expiresInMs: fc.integer({ min: 1, max: 72 * HOUR }) }),
  fc.record({ kind: fc.constant('capture' as const), hold: fc.nat(), amount: credits }),
  fc.record({ kind: fc.constant('release' as const), hold: fc.nat() }),
  fc.constant({ kind: 'expire' as const }),
  fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 1, max: 96 * HOUR }) }),
);

let keys = 0;
function operationOf(s: Step, now: number, model: WalletModel): LedgerOperation | null {
  const holdId = (index: number) => model.holds[index % Math.max(model.holds.length, 1)]?.id ?? '00000000-0000-4000-8000-00000000dead';
  switch (s.kind) {
    case 'grant':
      return { type: 'grant', source: s.source, amount: s.amount, expiresAt: s.expiresInMs === null ? null : new Date(now + s.expiresInMs), idempotencyKey: null, requestHash: null, description: 'grant' };
    case 'charge':
      return { type: 'charge', amount: s.amount, idempotencyKey: `k${++keys}`, requestHash: 'h', usage, description: 'charge' };
    case 'reserve':
      return { type: 'reserve', amount: s.amount, idempotencyKey: `k${++keys}`, requestHash: 'h', usage, expiresInMs: s.expiresInMs, description: 'hold' };
    case 'capture':
      return { type: 'capture', holdId: holdId(s.hold), amount: s.amount, quantity: null, unit: null, description: 'capture', metadata: null };
    case 'release':
      return { type: 'release', holdId: holdId(s.hold), expired: false };
    case 'expire':
      return { type: 'expire' };
    case 'wait':
      return null;
  }
}

function modelDecision(s: Step, now: number, model: WalletModel, bucketId: () => string): string {
  const hold = (index: number) => model.holds[index % Math.max(model.holds.length, 1)];
  switch (s.kind) {
    case 'grant':
      model.buckets.push({ id: bucketId(), source: s.source, remaining: s.amount, expiresAt: s.expiresInMs === null ? null : now + s.expiresInMs, createdAt: now });
      model.balance += s.amount;
      return 'ok';
    case 'charge':
      return model.charge(s.amount, now);
    case 'reserve':
      return model.reserve(s.amount);
    case 'capture':
      return model.settle(hold(s.hold), now, s.amount);
    case 'release':
      return model.settle(hold(s.hold), now, null);
    case 'expire':
      model.expire(now);
      return 'ok';
    case 'wait':
      return 'ok';
  }
}

function assertInvariants(ledger: Ledger, model: WalletModel, initial: bigint): void {
  const wallet = ledger.wallet;
  const remaining = ledger.buckets.reduce((sum, b) => sum + b.remaining, 0n);
  const ledgerSum = ledger.entries.reduce((sum, e) => sum + e.amount, initial);
  expect({ balance: wallet.balance, held: wallet.held, spent: wallet.spentThisMonth }).toEqual({ balance: model.balance, held: model.held, spent: model.spent });
  expect(new Map(ledger.buckets.map((b) => [b.id, b.remaining]))).toEqual(new Map(model.buckets.map((b) => [b.id, b.remaining])));
  expect(wallet.balance + wallet.held).toBe(remaining); // #1
  expect(wallet.balance).toBe(ledgerSum); // #1
  expect(wallet.balance >= 0n && wallet.held >= 0n && ledger.buckets.every((b) => b.remaining >= 0n)).toBe(true); // #2
  expect(ledger.entries.map((e) => e.walletVersion)).toEqual(ledger.entries.map((_, i) => BigInt(i + 1))); // #5
  if (wallet.monthlyBudgetCap !== null) expect(wallet.spentThisMonth + wallet.held <= wallet.monthlyBudgetCap).toBe(true); // #6
}

describe('the ledger rules against a reference model of a wallet', () => {
  it('make the same decisions, reach the same balances and keep every invariant', () => {
    fc.assert(
      fc.property(credits, fc.option(fc.bigInt({ min: 0n, max: 120n }), { nil: null }), fc.array(step, { maxLength: 40 }), (start, cap, steps) => {
        const initialBucket = { id: '00000000-0000-4000-8000-000000000000', source: CreditSource.SIGNUP_BONUS, remaining: start, expiresAt: null, createdAt: START - HOUR };
        const model = new WalletModel({ ...initialBucket }, cap);
        const ledger = new Ledger({ ...initialBucket, walletId: WALLET_ID, granted: start, expiresAt: null, createdAt: new Date(initialBucket.createdAt), paymentIntentId: null, amountPaidMinor: null, currency: null, refunded: 0n, dirty: false, isNew: false }, cap);
        let now = START;
        for (const s of steps) {
          now += s.kind === 'wait' ? s.ms : 1;
          const operation = operationOf(s, now, model);
          const engine = ledger.step(now, operation);
          model.open(now);
          const newest = () => ledger.buckets[ledger.buckets.length - 1].id;
          const expected = modelDecision(s, now, model, newest);
          expect({ step: s.kind, decision: engine.decision }).toEqual({ step: s.kind, decision: expected });
          if (s.kind === 'reserve' && engine.holdId) model.holds.push({ id: engine.holdId, amount: s.amount, expiresAt: now + s.expiresInMs, createdAt: now, pending: true });
          assertInvariants(ledger, model, start);
        }
      }),
      { numRuns: 250 },
    );
  });
});
