import { backoffMs } from '../../src/shared/background-worker';

it('doubles from the base after each failed attempt and stops at the maximum', () => {
  expect([1, 2, 3, 4].map((attempts) => backoffMs(attempts, 100, 10_000))).toEqual([100, 200, 400, 800]);
  expect(backoffMs(8, 100, 10_000)).toBe(10_000);
  // The exponent is bounded, so a large attempt count still gives the maximum, never Infinity.
  expect(backoffMs(5000, 100, 10_000)).toBe(10_000);
});
