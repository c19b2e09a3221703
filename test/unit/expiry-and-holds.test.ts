import type { WalletBatch } from '../../src/modules/ledger/domain/batch';
import { CreditSource, TransactionKind } from '../../src/modules/ledger/domain/kinds';
import { openWalletBatch } from '../../src/modules/ledger/domain/open';
import type { CaptureOperation, DebitBucketOperation, GrantOperation, ReleaseOperation } from '../../src/modules/ledger/domain/operations';
import { apply, batchOf, bucket, C, charge, DAY_MS, days, kinds, ok, reserve } from './ledger-fixtures';

/**
 * Expired credits and the holds made while they were live (docs/invariants.md #8): a due bucket
 * keeps only what such holds need; a charge never spends it; a capture spends it for at most its
 * own hold; what is left expires as soon as the holds are settled.
 */

const release = (holdId: string): ReleaseOperation => ({ type: 'release', holdId, expired: false });
const capture = (holdId: string, amount: bigint): CaptureOperation => ({ type: 'capture', holdId, amount, quantity: null, unit: null, description: 'capture', metadata: null });
const plan = (credits: bigint, expiresAt: Date) => bucket(credits * C, { source: CreditSource.PLAN_ALLOCATION, expiresAt });

/** The next batch on the state `batch` left, at `now` (as the engine opens one from the stored rows). */
function next(batch: WalletBatch, now: Date): WalletBatch {
  const buckets = [...batch.buckets.values()].filter((b) => b.remaining > 0n).map((b) => ({ ...b, dirty: false, isNew: false }));
  return openWalletBatch(batch.wallet, buckets, [...batch.holds.values()], [], now);
}

const remainingOfBucket = (batch: WalletBatch, id: string) => batch.buckets.get(id)!.remaining;
const allocation = (credits: bigint, expiresAt: Date): GrantOperation => ({
  type: 'grant',
  source: CreditSource.PLAN_ALLOCATION,
  amount: credits * C,
  expiresAt,
  replaceSource: CreditSource.PLAN_ALLOCATION,
  idempotencyKey: null,
  requestHash: null,
  description: 'plan',
});

describe('expired credits that back a hold', () => {
  it('are never drawn by a charge, and expire once the hold is released', () => {
    const expiring = plan(10n, days(1));
    const first = batchOf([expiring, bucket(100n * C)]);
    const hold = ok(apply(first, reserve(10n * C, 5 * DAY_MS))[0]).hold!;
    const later = next(first, days(2)); // the plan is due; all of it backs the hold
    expect(later.wallet.balance).toBe(100n * C);
    const charged = ok(apply(later, charge(100n * C))[0]);
    expect(charged.entries[0].draws!.map((d) => d.bucketId)).not.toContain(expiring.id);
    ok(apply(later, release(hold.id))[0]);
    expect(kinds(later).slice(-2)).toEqual([TransactionKind.RELEASE, TransactionKind.PLAN_EXPIRY]);
    expect(later.wallet.balance).toBe(0n);
    expect(remainingOfBucket(later, expiring.id)).toBe(0n);
  });

  it('returned by a release are not spendable by a charge later in the same batch', () => {
    const expiring = plan(10n, days(1));
    const first = batchOf([expiring]);
    const hold = ok(apply(first, reserve(10n * C, 5 * DAY_MS))[0]).hold!;
    const later = next(first, days(2));
    const [released, charged] = apply(later, release(hold.id), charge(10n * C));
    ok(released);
    expect(charged).toBe('INSUFFICIENT_CREDITS');
    expect(later.wallet).toMatchObject({ balance: 0n, held: 0n });
  });

  it('may be spent by a capture of their own hold, up to its amount; the rest expires with it', () => {
    const expiring = plan(10n, days(1));
    const first = batchOf([expiring, bucket(100n * C)]);
    const hold = ok(apply(first, reserve(10n * C, 5 * DAY_MS))[0]).hold!;
    const later = next(first, days(2));
    const captured = ok(apply(later, capture(hold.id, 12n * C))[0]); // 2 more than held: from live credits
    const spendEntry = captured.entries.find((e) => e.kind === TransactionKind.CAPTURE)!;
    expect(spendEntry.draws).toEqual([
      { bucketId: expiring.id, amount: (10n * C).toString() },
      { bucketId: expect.any(String), amount: (2n * C).toString() },
    ]);
    expect(later.wallet).toMatchObject({ balance: 98n * C, held: 0n }); // 100 live credits less the 2 over the hold

    const partly = batchOf([plan(10n, days(1)), bucket(100n * C)]);
    const small = ok(apply(partly, reserve(10n * C, 5 * DAY_MS))[0]).hold!;
    const afterwards = next(partly, days(2));
    ok(apply(afterwards, capture(small.id, 4n * C))[0]);
    expect(kinds(afterwards)).toEqual([TransactionKind.RELEASE, TransactionKind.CAPTURE, TransactionKind.PLAN_EXPIRY]);
    expect(afterwards.wallet).toMatchObject({ balance: 100n * C, held: 0n }); // 6 unused expired credits are gone
  });

  it('are not kept alive by a hold made after they expired', () => {
    const expiring = plan(8n, days(1));
    const first = batchOf([expiring, bucket(100n * C)]);
    const older = ok(apply(first, reserve(8n * C, 5 * DAY_MS))[0]).hold!;
    const second = next(first, days(2));
    const newer = ok(apply(second, reserve(50n * C, 5 * DAY_MS))[0]).hold!; // paid from the 100 live credits
    const third = next(second, days(3));
    ok(apply(third, release(older.id))[0]);
    expect(third.wallet).toMatchObject({ balance: 50n * C, held: 50n * C });
    expect(remainingOfBucket(third, expiring.id)).toBe(0n);
    // Capturing the newer hold in full takes live credits only.
    const captured = ok(apply(third, capture(newer.id, 50n * C))[0]);
    expect(captured.entries.find((e) => e.kind === TransactionKind.CAPTURE)!.draws!.map((d) => d.bucketId)).not.toContain(expiring.id);
    expect(third.wallet).toMatchObject({ balance: 50n * C, held: 0n });
  });
});

describe('a plan allocation replacing one that backs a hold', () => {

  it('ends the old allocation now: its held part expires when the hold is released, never later', () => {
    const old = plan(50n, days(20));
    const first = batchOf([old]);
    const hold = ok(apply(first, reserve(50n * C, 5 * DAY_MS))[0]).hold!;
    ok(apply(first, allocation(200n, days(30)))[0]);
    expect(first.buckets.get(old.id)!.expiresAt).toEqual(first.now); // ended, its 50 kept for the hold
    expect(first.wallet).toMatchObject({ balance: 200n * C, held: 50n * C });
    ok(apply(first, release(hold.id))[0]);
    expect(first.wallet).toMatchObject({ balance: 200n * C, held: 0n });
    expect(remainingOfBucket(first, old.id)).toBe(0n);
  });

  it('a hold made earlier in the same batch keeps its share until it is settled', () => {
    const old = plan(50n, days(20));
    const first = batchOf([old]);
    const hold = ok(apply(first, reserve(30n * C, 5 * DAY_MS), allocation(200n, days(30)))[0]).hold!;
    expect(first.wallet).toMatchObject({ balance: 200n * C, held: 30n * C }); // 20 unheld expired, 30 kept
    const later = next(first, days(1));
    ok(apply(later, capture(hold.id, 30n * C))[0]);
    expect(later.wallet).toMatchObject({ balance: 200n * C, held: 0n });
    expect(remainingOfBucket(later, old.id)).toBe(0n);
  });
});

describe('holds made in the millisecond a bucket ends', () => {
  it('a hold made after a renewal in the same batch is not backed by the allocation the renewal ended', () => {
    const old = plan(50n, days(20));
    const first = batchOf([old]);
    const older = ok(apply(first, reserve(50n * C, 5 * DAY_MS))[0]).hold!;
    const renewal = next(first, days(1));
    const [, reserved] = apply(renewal, allocation(200n, days(31)), reserve(200n * C, 5 * DAY_MS));
    const newer = ok(reserved).hold!;
    const later = next(renewal, days(2));
    ok(apply(later, release(older.id))[0]);
    expect(remainingOfBucket(later, old.id)).toBe(0n); // the older hold's share expired with it
    expect(apply(later, charge(50n * C))[0]).toBe('INSUFFICIENT_CREDITS'); // 200 held of the new 200
    const captured = ok(apply(later, capture(newer.id, 200n * C))[0]);
    expect(captured.entries.find((e) => e.kind === TransactionKind.CAPTURE)!.draws!.map((d) => d.bucketId)).not.toContain(old.id);
  });

  it('a hold made when a bucket falls due at exactly the batch clock is not backed by it', () => {
    const expiring = plan(10n, days(1));
    const first = batchOf([expiring, bucket(100n * C)]);
    const older = ok(apply(first, reserve(10n * C, 5 * DAY_MS))[0]).hold!;
    const atExpiry = next(first, days(1)); // now == expiresAt: due
    const newer = ok(apply(atExpiry, reserve(100n * C, 5 * DAY_MS))[0]).hold!;
    const later = next(atExpiry, days(2));
    ok(apply(later, release(older.id))[0]);
    expect(remainingOfBucket(later, expiring.id)).toBe(0n);
    const captured = ok(apply(later, capture(newer.id, 100n * C))[0]);
    expect(captured.entries.find((e) => e.kind === TransactionKind.CAPTURE)!.draws!.map((d) => d.bucketId)).not.toContain(expiring.id);
  });
});

describe('a grant already past its expiry by the batch clock', () => {
  it('expires at once: a charge later in the batch is refused, not a ledger corruption', () => {
    const batch = batchOf([]);
    const late: GrantOperation = { type: 'grant', source: CreditSource.PLAN_ALLOCATION, amount: 10n * C, expiresAt: new Date(batch.now.getTime() - 5), idempotencyKey: null, requestHash: null, description: 'plan' };
    const [granted, charged] = apply(batch, late, charge(10n * C));
    expect(ok(granted).entries.map((e) => e.kind)).toEqual([TransactionKind.PLAN_ALLOCATION, TransactionKind.PLAN_EXPIRY]);
    expect(charged).toBe('INSUFFICIENT_CREDITS');
    expect(batch.wallet.balance).toBe(0n);
  });
});

describe('a refund debit', () => {
  const debit = (bucketId: string, amount: bigint): DebitBucketOperation => ({
    type: 'debitBucket',
    bucketId,
    amount,
    kind: TransactionKind.REFUND,
    description: 'refund',
    idempotencyKey: `refund:${bucketId}`,
    metadata: null,
    allowPartial: true,
  });

  it('that finds nothing free records nothing, so its key can still take credits freed later', () => {
    const purchased = bucket(10n * C);
    const batch = batchOf([purchased]);
    const hold = ok(apply(batch, reserve(10n * C))[0]).hold!;
    const nothing = ok(apply(batch, debit(purchased.id, 10n * C))[0]);
    expect(nothing.entries).toEqual([]);
    expect(batch.wallet.version).toBe(1n); // the HOLD only
    ok(apply(batch, release(hold.id))[0]);
    const taken = ok(apply(batch, debit(purchased.id, 10n * C))[0]);
    expect(taken.entries.map((e) => e.amount)).toEqual([-10n * C]);
  });

  it('takes nothing from a due bucket: what is left of it is held', () => {
    const expiring = plan(10n, days(1));
    const first = batchOf([expiring, bucket(5n * C)]);
    ok(apply(first, reserve(10n * C, 5 * DAY_MS))[0]);
    const later = next(first, days(2));
    expect(ok(apply(later, debit(expiring.id, 10n * C))[0]).entries).toEqual([]);
  });
});
