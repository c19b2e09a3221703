import fc from 'fast-check';
import { formatMinor, priceInMinor } from '../../src/shared/minor-units';
import { MICROS } from '../../src/shared/money';

const credits = (n: bigint) => n * MICROS;

describe('formatMinor', () => {
  it('writes two decimals for most currencies and none for zero-decimal ones', () => {
    expect(formatMinor(900, 'usd')).toBe('9.00');
    expect(formatMinor(-5n, 'eur')).toBe('-0.05');
    expect(formatMinor(900, 'JPY')).toBe('900');
  });
});

describe('priceInMinor', () => {
  it('prices credits at the credit value in the currency smallest unit', () => {
    expect(priceInMinor(credits(100n), '0.09', 'usd')).toBe(900n);
    expect(priceInMinor(credits(25n), '1.00', 'usd')).toBe(2500n);
    // A zero-decimal currency has no cents: 10 credits at 15 yen are 150 yen, not 15,000.
    expect(priceInMinor(credits(10n), '15', 'jpy')).toBe(150n);
  });

  it('rounds up to a whole smallest unit, so credits never sell below the price book', () => {
    expect(priceInMinor(1n, '1.00', 'usd')).toBe(1n);
    // 0.095 per credit: one credit is 9.5 cents, charged 10 (a two-decimal reading would say 9).
    expect(priceInMinor(credits(1n), '0.095', 'usd')).toBe(10n);
    expect(priceInMinor(credits(2n), '0.095', 'usd')).toBe(19n);
    expect(priceInMinor(0n, '0.09', 'usd')).toBe(0n);
  });

  it('stays exact far beyond float precision', () => {
    expect(priceInMinor(credits(10n ** 12n), '0.09', 'usd')).toBe(9n * 10n ** 12n);
    expect(priceInMinor(credits(10n ** 12n) + 1n, '0.09', 'usd')).toBe(9n * 10n ** 12n + 1n);
  });

  it('is the smallest amount worth at least the credits, for any credit value', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 18n }), fc.bigInt({ min: 1n, max: 10n ** 6n }), fc.integer({ min: 0, max: 6 }), fc.constantFrom('usd', 'jpy'), (micros, digits, scale, currency) => {
        const text = digits.toString().padStart(scale + 1, '0');
        const creditValue = scale === 0 ? text : `${text.slice(0, -scale)}.${text.slice(-scale)}`;
        const minor = priceInMinor(micros, creditValue, currency);
        // value of the credits in the smallest unit, times MICROS * 10^scale, compared exactly
        const unit = currency === 'jpy' ? 1n : 100n;
        const worth = micros * digits * unit;
        const perMinor = MICROS * 10n ** BigInt(scale);
        expect(minor * perMinor >= worth).toBe(true);
        expect((minor - 1n) * perMinor < worth || minor === 0n).toBe(true);
      }),
    );
  });

  it('refuses a credit value that is not a plain decimal', () => {
    expect(() => priceInMinor(credits(1n), '1e-2', 'usd')).toThrow(/not a decimal/);
    expect(() => priceInMinor(credits(1n), '-1.00', 'usd')).toThrow(/not a decimal/);
  });
});
