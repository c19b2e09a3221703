import { backoffMs, jitteredBackoffMs } from '../../src/shared/background-worker';

it('doubles from the base after each failed attempt and stops at the maximum', () => {
  expect([1, 2, 3, 4].map((attempts) => backoffMs(attempts, 100, 10_000))).toEqual([100, 200, 400, 800]);
  expect(backoffMs(8, 100, 10_000)).toBe(10_000);
  // The exponent is bounded, so a large attempt count still gives the maximum, never Infinity.
  expect(backoffMs(5000, 100, 10_000)).toBe(10_000);
});

describe('jittered backoff (webhook retries)', () => {
  const lowest = () => 0;
  const highest = () => 1 - Number.EPSILON; // Math.random never returns 1
  const middle = () => 0.5;

  it('waits half the backoff at random 0 and all of it as random approaches 1', () => {
    expect([1, 2, 3, 4].map((attempts) => jitteredBackoffMs(attempts, 100, 10_000, lowest))).toEqual([50, 100, 200, 400]);
    expect([1, 2, 3, 4].map((attempts) => jitteredBackoffMs(attempts, 100, 10_000, highest))).toEqual([100, 200, 400, 800]);
    expect(jitteredBackoffMs(3, 100, 10_000, middle)).toBe(300);
  });

  it('is capped: at most the maximum, at least half of it, for any attempt count', () => {
    for (const attempts of [8, 20, 5000]) {
      expect(jitteredBackoffMs(attempts, 100, 10_000, lowest)).toBe(5000);
      expect(jitteredBackoffMs(attempts, 100, 10_000, highest)).toBe(10_000);
    }
  });

  it('stays within [backoff / 2, backoff] with the default random source', () => {
    for (let attempts = 1; attempts <= 12; attempts++) {
      const ceiling = backoffMs(attempts, 5000, 3_600_000);
      for (let i = 0; i < 50; i++) {
        const delay = jitteredBackoffMs(attempts, 5000, 3_600_000);
        expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
        expect(delay).toBeLessThanOrEqual(ceiling);
        expect(Number.isInteger(delay)).toBe(true);
      }
    }
  });
});
