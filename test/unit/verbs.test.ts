import { HoldStatus, TransactionKind, CreditSource } from '../../src/modules/ledger/domain/kinds';
import type { CaptureOperation, DebitBucketOperation, ReleaseOperation } from '../../src/modules/ledger/domain/operations';
import { apply, batchOf, bucket, C, charge, days, kinds, NOW, ok, remainingOf, reserve, sumRemaining } from './ledger-fixtures';

const capture = (holdId: string, amount: bigint, idempotencyKey?: string): CaptureOperation => ({
  type: 'capture',
  holdId,
  amount,
  quantity: null,
  unit: null,
  description: 'capture',
  metadata: null,
  idempotencyKey,
  requestHash: idempotencyKey ? `capture:${holdId}:${amount}` : null,
});
const release = (holdId: string, idempotencyKey?: string): ReleaseOperation => ({
  type: 'release',
  holdId,
  expired: false,
  idempotencyKey,
  requestHash: idempotencyKey ? `release:${holdId}` : null,
});

describe('budget cap with holds (docs/invariants.md #6)', () => {
  it('counts held credits: spend up to cap - spent - held passes, one micro-credit more is BUDGET_CAP_EXCEEDED', () => {
    const batch = batchOf([bucket(100n * C)], { monthlyBudgetCap: 50n * C, spentThisMonth: 10n * C });
    const [hold] = apply(batch, reserve(15n * C));
    expect(ok(hold).wallet).toMatchObject({ balance: 85n * C, held: 15n * C });
    expect(apply(batch, charge(25n * C + 1n), charge(25n * C), charge(1n))).toEqual(['BUDGET_CAP_EXCEEDED', expect.anything(), 'BUDGET_CAP_EXCEEDED']);
    expect(batch.wallet).toMatchObject({ spentThisMonth: 35n * C, held: 15n * C, balance: 60n * C });
  });

  it('a reserve is refused by the cap like a charge; the balance is checked first', () => {
    const batch = batchOf([bucket(10n * C)], { monthlyBudgetCap: 5n * C });
    expect(apply(batch, reserve(11n * C), reserve(6n * C), reserve(5n * C)).map((r) => (typeof r === 'string' ? r : 'ok'))).toEqual([
      'INSUFFICIENT_CREDITS',
      'BUDGET_CAP_EXCEEDED',
      'ok',
    ]);
  });
});

describe('capture', () => {
  it('above the hold: releases the hold, then draws the actual amount (checked like a charge)', () => {
    const batch = batchOf([bucket(10n * C)]);
    const hold = ok(apply(batch, reserve(3n * C))[0]).hold!;
    const result = ok(apply(batch, capture(hold.id, 5n * C))[0]);
    expect(result.entries.map((e) => [e.kind, e.amount])).toEqual([
      [TransactionKind.RELEASE, 3n * C],
      [TransactionKind.CAPTURE, -5n * C],
    ]);
    expect(result.hold).toMatchObject({ status: HoldStatus.CAPTURED, captured: 5n * C });
    expect(batch.wallet).toMatchObject({ balance: 5n * C, held: 0n, spentThisMonth: 5n * C, lifetimeSpend: 5n * C });
    expect(sumRemaining(batch)).toBe(5n * C);
  });

  it('above the hold and beyond the balance: INSUFFICIENT_CREDITS, and the hold stays pending with its credits held', () => {
    const batch = batchOf([bucket(10n * C)]);
    const hold = ok(apply(batch, reserve(3n * C))[0]).hold!;
    expect(apply(batch, capture(hold.id, 10n * C + 1n))).toEqual(['INSUFFICIENT_CREDITS']);
    expect(batch.holds.get(hold.id)!.status).toBe(HoldStatus.PENDING);
    expect(batch.wallet).toMatchObject({ balance: 7n * C, held: 3n * C });
    expect(apply(batch, capture(hold.id, 10n * C))).toEqual([expect.objectContaining({ hold: expect.objectContaining({ status: HoldStatus.CAPTURED }) })]);
  });

  it('a hold past its expiry cannot be captured; a release then marks it EXPIRED; a settled hold is HOLD_NOT_PENDING', () => {
    const past = batchOf([bucket(10n * C)]);
    const hold = ok(apply(past, reserve(3n * C, 1000))[0]).hold!;
    const later = batchOf([...past.buckets.values()], { held: 3n * C }, new Date(NOW.getTime() + 1000), [...past.holds.values()]);
    expect(apply(later, capture(hold.id, 1n))).toEqual(['HOLD_NOT_PENDING']);
    expect(ok(apply(later, release(hold.id))[0]).hold!.status).toBe(HoldStatus.EXPIRED);
    expect(apply(later, release(hold.id), capture(hold.id, 1n))).toEqual(['HOLD_NOT_PENDING', 'HOLD_NOT_PENDING']);
    expect(apply(later, release('00000000-0000-4000-8000-00000000ffff'))).toEqual(['NOT_FOUND']);
  });
});

describe('zero amounts', () => {
  it('a charge or reserve of 0 is BAD_USER_INPUT and writes nothing, even on an empty (PAUSED) wallet', () => {
    const paused = batchOf([]);
    expect(apply(paused, charge(0n), reserve(0n))).toEqual(['BAD_USER_INPUT', 'BAD_USER_INPUT']);
    expect(paused.entries).toEqual([]);
    expect(paused.wallet.version).toBe(0n);
  });

  it('a capture of 0 returns the whole hold: a RELEASE of it and a CAPTURE of 0, the hold CAPTURED with 0', () => {
    const batch = batchOf([bucket(10n * C)]);
    const hold = ok(apply(batch, reserve(3n * C))[0]).hold!;
    const result = ok(apply(batch, capture(hold.id, 0n))[0]);
    expect(result.entries.map((e) => [e.kind, e.amount])).toEqual([
      [TransactionKind.RELEASE, 3n * C],
      [TransactionKind.CAPTURE, 0n],
    ]);
    expect(result.hold).toMatchObject({ status: HoldStatus.CAPTURED, captured: 0n });
    expect(batch.wallet).toMatchObject({ balance: 10n * C, held: 0n, spentThisMonth: 0n });
  });
});

describe('settling a hold with an idempotency key (docs/invariants.md #4)', () => {
  it('a retried capture replays its CAPTURE entry instead of HOLD_NOT_PENDING; other input with the key conflicts', () => {
    const batch = batchOf([bucket(10n * C)]);
    const hold = ok(apply(batch, reserve(3n * C))[0]).hold!;
    const first = ok(apply(batch, capture(hold.id, 2n * C, 'render-1'))[0]);
    expect(first.entries.map((e) => [e.kind, e.idempotencyKey])).toEqual([
      [TransactionKind.RELEASE, null],
      [TransactionKind.CAPTURE, 'render-1'],
    ]);
    const [again, other, unkeyed] = apply(batch, capture(hold.id, 2n * C, 'render-1'), capture(hold.id, 1n * C, 'render-1'), capture(hold.id, 2n * C));
    expect(ok(again)).toMatchObject({ replayed: first.entries[1], entries: [] });
    expect([other, unkeyed]).toEqual(['IDEMPOTENCY_CONFLICT', 'HOLD_NOT_PENDING']);
    expect(batch.wallet).toMatchObject({ balance: 8n * C, held: 0n, version: 3n });
  });

  it('a retried release replays its RELEASE entry; a key used by a capture is IDEMPOTENCY_CONFLICT for a release', () => {
    const batch = batchOf([bucket(10n * C)]);
    const [held, other] = apply(batch, reserve(3n * C), reserve(1n * C));
    const first = ok(apply(batch, release(ok(held).hold!.id, 'stop-1'))[0]);
    expect(ok(apply(batch, release(ok(held).hold!.id, 'stop-1'))[0])).toMatchObject({ replayed: first.entries[0], entries: [] });
    expect(apply(batch, capture(ok(other).hold!.id, 1n * C, 'stop-1'))).toEqual(['IDEMPOTENCY_CONFLICT']);
    expect(batch.wallet).toMatchObject({ balance: 9n * C, held: 1n * C });
  });
});

describe('expiry', () => {
  it('never takes held credits: only the part of a due bucket no hold needs expires, the rest after release', () => {
    const expiring = bucket(10n * C, { source: CreditSource.PLAN_ALLOCATION, expiresAt: days(1) });
    const purchased = bucket(5n * C);
    const before = batchOf([expiring, purchased]);
    const hold = ok(apply(before, reserve(8n * C))[0]).hold!;
    // A day later the plan bucket is due: the batch opens by expiring what no hold needs.
    const dayLater = batchOf([...before.buckets.values()], { held: 8n * C }, days(2), [...before.holds.values()]);
    expect(kinds(dayLater)).toEqual([TransactionKind.PLAN_EXPIRY]);
    expect(dayLater.entries[0].amount).toBe(-2n * C);
    expect(dayLater.wallet).toMatchObject({ balance: 5n * C, held: 8n * C });
    expect(remainingOf(dayLater)).toEqual([8n * C, 5n * C]);
    // Released, the held credits return to the balance and expire at the next expiry.
    apply(dayLater, release(hold.id), { type: 'expire' });
    expect(kinds(dayLater).slice(1)).toEqual([TransactionKind.RELEASE, TransactionKind.PLAN_EXPIRY]);
    expect(dayLater.wallet).toMatchObject({ balance: 5n * C, held: 0n });
    expect(remainingOf(dayLater)).toEqual([0n, 5n * C]);
  });

  it('a plan renewal expires what is left of the old allocation before granting the new one (no rollover)', () => {
    const oldPlan = bucket(4n * C, { source: CreditSource.PLAN_ALLOCATION, expiresAt: days(3) });
    const batch = batchOf([oldPlan, bucket(1n * C)]);
    const renewal = ok(
      apply(batch, {
        type: 'grant',
        source: CreditSource.PLAN_ALLOCATION,
        amount: 20n * C,
        expiresAt: days(30),
        idempotencyKey: 'invoice-2',
        requestHash: 'h',
        description: 'renewal',
        replaceSource: CreditSource.PLAN_ALLOCATION,
      })[0],
    );
    expect(renewal.entries.map((e) => [e.kind, e.amount])).toEqual([
      [TransactionKind.PLAN_EXPIRY, -4n * C],
      [TransactionKind.PLAN_ALLOCATION, 20n * C],
    ]);
    expect(batch.wallet).toMatchObject({ balance: 21n * C, lowCreditReference: 21n * C });
  });
});

describe('batches', () => {
  it('a failing operation leaves no trace; its neighbours apply against the running balance', () => {
    const batch = batchOf([bucket(10n * C)]);
    const results = apply(batch, charge(4n * C), charge(7n * C), charge(6n * C));
    expect(results.map((r) => (typeof r === 'string' ? r : ok(r).wallet.balance))).toEqual([6n * C, 'INSUFFICIENT_CREDITS', 0n]);
    expect(batch.entries.map((e) => [e.walletVersion, e.balanceAfter])).toEqual([
      [1n, 6n * C],
      [2n, 0n],
    ]);
  });

  it('an idempotency key replays its entry for the same request and is IDEMPOTENCY_CONFLICT for another', () => {
    const batch = batchOf([bucket(10n * C)]);
    const first = ok(apply(batch, charge(2n * C, 'job-1'))[0]);
    const [again, other] = apply(batch, charge(2n * C, 'job-1'), charge(3n * C, 'job-1'));
    expect(ok(again)).toMatchObject({ replayed: first.entries[0], entries: [] });
    expect(other).toBe('IDEMPOTENCY_CONFLICT');
    expect(batch.wallet.balance).toBe(8n * C);
  });

  it('a bucket debit (refund) takes only credits neither spent nor held', () => {
    const purchased = bucket(10n * C);
    const batch = batchOf([purchased]);
    apply(batch, charge(3n * C), reserve(4n * C));
    const debit = (allowPartial: boolean): DebitBucketOperation => ({
      type: 'debitBucket',
      bucketId: purchased.id,
      amount: 10n * C,
      kind: TransactionKind.REFUND,
      description: 'refund',
      idempotencyKey: allowPartial ? 'refund:1' : null,
      metadata: null,
      allowPartial,
    });
    expect(apply(batch, debit(false))).toEqual(['INSUFFICIENT_CREDITS']);
    const refund = ok(apply(batch, debit(true))[0]);
    expect(refund.entries[0].amount).toBe(-3n * C);
    expect(batch.wallet).toMatchObject({ balance: 0n, held: 4n * C });
    expect(batch.buckets.get(purchased.id)).toMatchObject({ remaining: 4n * C, refunded: 3n * C });
  });

  it('a new calendar month starts the month-to-date spend from zero', () => {
    const batch = batchOf([bucket(10n * C)], { spentMonth: '2026-05', spentThisMonth: 9n * C, monthlyBudgetCap: 10n * C });
    expect(batch.wallet).toMatchObject({ spentMonth: '2026-06', spentThisMonth: 0n });
    expect(ok(apply(batch, charge(10n * C))[0]).wallet.spentThisMonth).toBe(10n * C);
  });
});

describe('review (docs/invariants.md #5: every state a client can see has a version of its own)', () => {
  const review = { type: 'review' as const, publish: false };

  it('records nothing and leaves the version where it was: a settings change takes its version in its own transaction', () => {
    const batch = batchOf([bucket(10n * C)], { version: 7n, spentThisMonth: 3n * C, monthlyBudgetCap: 3n * C });
    const before = batch.wallet;
    expect(ok(apply(batch, review, { ...review, publish: true })[0])).toMatchObject({ entries: [], wallet: before });
    expect(batch.wallet).toEqual(before);
  });

  it('a month that ended with spend: the review zeroes the spend and takes the next version, once per batch; with no spend it takes none', () => {
    const turned = batchOf([bucket(10n * C)], { version: 7n, spentMonth: '2026-05', spentThisMonth: 9n * C });
    apply(turned, review, review);
    expect(turned.entries).toEqual([]);
    expect(turned.wallet).toMatchObject({ version: 8n, spentMonth: '2026-06', spentThisMonth: 0n, balance: 10n * C });
    const idle = batchOf([bucket(10n * C)], { version: 7n, spentMonth: '2026-05', spentThisMonth: 0n });
    apply(idle, review);
    expect(idle.wallet).toMatchObject({ version: 7n, spentMonth: '2026-06' });
  });

  it('after an entry in the same batch, a review adds no version: the entry already carries the new month', () => {
    const batch = batchOf([bucket(10n * C)], { version: 7n, spentMonth: '2026-05', spentThisMonth: 9n * C });
    apply(batch, charge(1n * C), review);
    expect(batch.wallet).toMatchObject({ version: 8n, spentThisMonth: 1n * C });
    expect(batch.entries.map((entry) => entry.walletVersion)).toEqual([8n]);
  });
});
