import { drawOrder } from '../../src/modules/ledger/domain/draw-order';
import { CreditSource } from '../../src/modules/ledger/domain/kinds';
import { apply, batchOf, bucket, C, charge, days, ok } from './ledger-fixtures';

describe('draw order', () => {
  it('the bucket that expires first, then plan allocation before promotional before purchased, then the oldest', () => {
    const purchased = bucket(1n, { source: CreditSource.PURCHASE, createdAt: days(-9) });
    const bonus = bucket(1n, { source: CreditSource.SIGNUP_BONUS, createdAt: days(-8) });
    const adminOlder = bucket(1n, { source: CreditSource.ADMIN_GRANT, createdAt: days(-20) });
    const planSoon = bucket(1n, { source: CreditSource.PLAN_ALLOCATION, expiresAt: days(3) });
    const purchasedSooner = bucket(1n, { source: CreditSource.PURCHASE, expiresAt: days(2) });
    const planNoExpiry = bucket(1n, { source: CreditSource.PLAN_ALLOCATION, createdAt: days(-1) });
    const sorted = [purchased, bonus, adminOlder, planSoon, purchasedSooner, planNoExpiry].sort(drawOrder);
    expect(sorted).toEqual([purchasedSooner, planSoon, planNoExpiry, adminOlder, bonus, purchased]);
  });

  it('is a total order: equal expiry, rank and age fall back to the id', () => {
    const first = bucket(1n, { createdAt: days(-1) });
    const second = bucket(1n, { createdAt: days(-1) });
    expect([second, first].sort(drawOrder)).toEqual([first, second]);
    expect(drawOrder(first, first)).toBe(0);
  });

  it('a charge draws across buckets in that order and records each draw', () => {
    const purchased = bucket(5n * C, { source: CreditSource.PURCHASE });
    const plan = bucket(2n * C, { source: CreditSource.PLAN_ALLOCATION, expiresAt: days(20) });
    const bonus = bucket(2n * C, { source: CreditSource.SIGNUP_BONUS });
    const batch = batchOf([purchased, plan, bonus]);
    const [result] = apply(batch, charge(6n * C));
    expect(ok(result).entries[0].draws).toEqual([
      { bucketId: plan.id, amount: (2n * C).toString() },
      { bucketId: bonus.id, amount: (2n * C).toString() },
      { bucketId: purchased.id, amount: (2n * C).toString() },
    ]);
    expect([plan, bonus, purchased].map((b) => batch.buckets.get(b.id)!.remaining)).toEqual([0n, 0n, 3n * C]);
  });
});
