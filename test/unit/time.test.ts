import fc from 'fast-check';
import { monthKey, worldMonth, zonedMidnight } from '../../src/shared/time';

/** The month cache must agree with Intl at every instant, including just before and after local midnight of the 1st. */
const direct = (d: Date, tz: string) => {
  const p = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit' }).formatToParts(d);
  return `${p.find((x) => x.type === 'year')!.value}-${p.find((x) => x.type === 'month')!.value}`;
};

describe('monthKey', () => {
  const zones = ['UTC', 'America/Los_Angeles', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Pacific/Kiritimati', 'America/St_Johns', 'Asia/Kathmandu'];

  it('flips exactly at local midnight of the 1st (DST and half-hour offsets)', () => {
    expect(monthKey(new Date('2026-11-01T06:59:59.999Z'), 'America/Los_Angeles')).toBe('2026-10'); // PDT, UTC-7
    expect(monthKey(new Date('2026-11-01T07:00:00Z'), 'America/Los_Angeles')).toBe('2026-11');
    expect(monthKey(new Date('2026-03-31T18:29:59.999Z'), 'Asia/Kolkata')).toBe('2026-03');
    expect(monthKey(new Date('2026-03-31T18:30:00Z'), 'Asia/Kolkata')).toBe('2026-04');
    for (const tz of zones) {
      for (const [y, m] of [[2026, 1], [2026, 3], [2026, 4], [2026, 10], [2026, 11], [2027, 1]]) {
        const start = zonedMidnight(y, m, 1, tz).getTime();
        const key = `${y}-${String(m).padStart(2, '0')}`;
        expect({ tz, at: start, key: monthKey(new Date(start), tz) }).toEqual({ tz, at: start, key });
        expect({ tz, at: start - 1, key: monthKey(new Date(start - 1), tz) }).toEqual({ tz, at: start - 1, key: direct(new Date(start - 1), tz) });
        expect(direct(new Date(start - 1), tz)).not.toBe(key);
      }
    }
  });

  it('agrees with Intl for random instants in random order (the cache never serves a stale month)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...zones), fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }), (tz, t) => {
        expect(monthKey(new Date(t), tz)).toBe(direct(new Date(t), tz));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('worldMonth', () => {
  it('is the month everywhere, or null from the first zone to begin a month (UTC+14) to the last (UTC-12)', () => {
    expect(worldMonth(new Date('2026-11-30T09:59:59.999Z'))).toBe('2026-11');
    expect(worldMonth(new Date('2026-11-30T10:00:00.000Z'))).toBeNull(); // midnight of 1 December at UTC+14
    expect(worldMonth(new Date('2026-12-01T11:59:59.999Z'))).toBeNull();
    expect(worldMonth(new Date('2026-12-01T12:00:00.000Z'))).toBe('2026-12'); // midnight at UTC-12
    // Every zone's month lies in that window: Kiritimati, Los Angeles and Pago Pago all turn inside it.
    for (const tz of ['Pacific/Kiritimati', 'America/Los_Angeles', 'Pacific/Pago_Pago', 'Asia/Kolkata']) {
      expect(monthKey(new Date('2026-11-30T09:59:59.999Z'), tz)).toBe('2026-11');
      expect(monthKey(new Date('2026-12-01T12:00:00.000Z'), tz)).toBe('2026-12');
    }
  });
});
