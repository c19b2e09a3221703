/**
 * Amounts of money in a currency's smallest unit (cents, yen), shared by the server and the
 * dashboard (web/src/lib/money.ts bundles this file), so the page prices an auto top-up exactly
 * as the server charges it. Integer arithmetic only; no imports, so both builds can take it.
 */

const MICROS_PER_CREDIT = 1_000_000n;

/** Currencies without minor units (Stripe's list); everything else has two decimals. */
const ZERO_DECIMAL = new Set(['bif', 'clp', 'djf', 'gnf', 'jpy', 'kmf', 'krw', 'mga', 'pyg', 'rwf', 'ugx', 'vnd', 'vuv', 'xaf', 'xof', 'xpf']);

/** Digits after the decimal point in `currency`'s amounts: 0 for zero-decimal currencies, else 2. */
export function minorDigits(currency: string): number {
  return ZERO_DECIMAL.has(currency.toLowerCase()) ? 0 : 2;
}

/** An amount in the smallest currency unit as a decimal string: 900 usd -> "9.00", 900 jpy -> "900". */
export function formatMinor(minor: number | bigint, currency: string): string {
  const m = BigInt(minor);
  if (minorDigits(currency) === 0) return m.toString();
  const neg = m < 0n;
  const abs = neg ? -m : m;
  return `${neg ? '-' : ''}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
}

/**
 * What `micros` micro-credits cost at `creditValue` (a decimal string, `currency` per credit), in
 * `currency`'s smallest unit, rounded UP to a whole unit so a top-up never sells credits below the
 * price book. Exact for any number of decimals in `creditValue`.
 */
export function priceInMinor(micros: bigint, creditValue: string, currency: string): bigint {
  const parts = /^(\d+)(?:\.(\d+))?$/.exec(creditValue);
  if (!parts) throw new Error(`credit value "${creditValue}" is not a decimal number`);
  const fraction = parts[2] ?? '';
  // creditValue = valueDigits / 10^fraction.length
  const valueDigits = BigInt(parts[1] + fraction);
  const numerator = micros * valueDigits * 10n ** BigInt(minorDigits(currency));
  const denominator = MICROS_PER_CREDIT * 10n ** BigInt(fraction.length);
  return (numerator + denominator - 1n) / denominator;
}
