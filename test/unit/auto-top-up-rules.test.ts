import { countStarted, startedIn, topUpDue, type TopUpSettings } from '../../src/modules/auto-top-up/auto-top-up.rules';
import type { LedgerOperation } from '../../src/modules/ledger/domain/operations';
import { C, wallet } from './ledger-fixtures';

const settings = (fields: Partial<TopUpSettings> = {}): TopUpSettings => ({
  threshold: 50n * C,
  credits: 100n * C,
  amountMinor: 900n,
  currency: 'usd',
  packId: 'pack_100',
  monthlyMaximum: 2,
  monthKey: '2026-06',
  startedThisMonth: 0,
  consecutiveFailures: 0,
  retryAfterMs: null,
  ...fields,
});
/** The batch's clock in the tests: within the month '2026-06'. */
const NOW = new Date('2026-06-15T12:00:00Z');
const due = (s: TopUpSettings, before: bigint, after: bigint, inFlight = false, month = '2026-06', operation: LedgerOperation['type'] = 'charge', topUpCheck = false, now = NOW) =>
  topUpDue(s, inFlight, { operation, topUpCheck, before: wallet({ balance: before }), after: wallet({ balance: after }) }, { now, month, maxFailures: 3 });
/** A review auto top-up asked for, on a balance that stays at `balance`. */
const asked = (s: TopUpSettings, balance: bigint, inFlight = false) => due(s, balance, balance, inFlight, '2026-06', 'review', true);

describe('auto top-up rules', () => {
  it('starts when a spend leaves the balance below the threshold, also when it already was below', () => {
    expect(due(settings(), 51n * C, 49n * C)).toBe(true);
    expect(due(settings(), 40n * C, 39n * C)).toBe(true);
    expect(due(settings(), 51n * C, 50n * C)).toBe(false); // at the threshold is not below it
  });

  it('starts for every kind of spend: a charge, a reservation and a capture that lowers the balance', () => {
    for (const operation of ['charge', 'reserve', 'capture'] as const) expect(due(settings(), 51n * C, 49n * C, false, '2026-06', operation)).toBe(true);
  });

  it('never for a drop that is not a spend: a refund debit, an expiry, a plan renewal replacing a larger allocation, a release', () => {
    for (const operation of ['debitBucket', 'expire', 'grant', 'release'] as const) expect(due(settings(), 51n * C, 49n * C, false, '2026-06', operation)).toBe(false);
  });

  it('never for a credit or an unchanged balance', () => {
    expect(due(settings(), 10n * C, 20n * C)).toBe(false);
    expect(due(settings(), 10n * C, 10n * C)).toBe(false);
  });

  it('never while one is in flight, after the failure limit, or past the monthly maximum', () => {
    expect(due(settings(), 51n * C, 49n * C, true)).toBe(false);
    expect(due(settings({ consecutiveFailures: 3 }), 51n * C, 49n * C)).toBe(false);
    expect(due(settings({ consecutiveFailures: 2 }), 51n * C, 49n * C)).toBe(true);
    expect(due(settings({ startedThisMonth: 2 }), 51n * C, 49n * C)).toBe(false);
  });

  it('never before the spacing after a failure has passed, from its first millisecond on', () => {
    const waiting = settings({ consecutiveFailures: 1, retryAfterMs: NOW.getTime() + 1 });
    expect(due(waiting, 51n * C, 49n * C)).toBe(false);
    expect(due(waiting, 51n * C, 49n * C, false, '2026-06', 'charge', false, new Date(NOW.getTime() + 1))).toBe(true);
    expect(due(settings({ consecutiveFailures: 1, retryAfterMs: NOW.getTime() - 1 }), 51n * C, 49n * C)).toBe(true);
    expect(due(settings({ consecutiveFailures: 1, retryAfterMs: null }), 51n * C, 49n * C)).toBe(true); // spacing switched off
  });

  it('on a review auto top-up asked for, starts whenever the balance is below the threshold, though nothing was spent', () => {
    expect(asked(settings(), 0n)).toBe(true);
    expect(asked(settings(), 49n * C)).toBe(true);
    expect(asked(settings(), 50n * C)).toBe(false);
    expect(due(settings(), 0n, 0n, false, '2026-06', 'review', false)).toBe(false); // any other review (a settings change, a month turn) starts none
  });

  it('on a review auto top-up asked for, keeps every other limit: one in flight, the failure limit, the spacing after a failure, the monthly maximum', () => {
    expect(asked(settings(), 0n, true)).toBe(false);
    expect(asked(settings({ consecutiveFailures: 3 }), 0n)).toBe(false);
    expect(asked(settings({ consecutiveFailures: 1, retryAfterMs: NOW.getTime() + 60_000 }), 0n)).toBe(false);
    expect(asked(settings({ startedThisMonth: 2 }), 0n)).toBe(false);
  });

  it('counts the monthly maximum per calendar month', () => {
    const s = settings({ startedThisMonth: 2, monthKey: '2026-05' });
    expect(startedIn(s, '2026-06')).toBe(0);
    expect(due(s, 51n * C, 49n * C)).toBe(true);
    countStarted(s, '2026-06');
    expect(s).toMatchObject({ monthKey: '2026-06', startedThisMonth: 1 });
    countStarted(s, '2026-06');
    expect(due(s, 51n * C, 49n * C)).toBe(false);
  });
});
