/**
 * Credits arrive as exact decimal strings ("4.75", "-0.0213"). They are never turned into
 * floats: sums and ratios use bigint micro-credits, and what is shown keeps every digit the
 * API sent, its whole part grouped with commas for reading ("1234.5" is shown "$1,234.50").
 */

import { priceInMinor as priceMicrosInMinor } from '../../../src/shared/minor-units';

const MICROS = 1_000_000n;
/** The API's largest Credits amount (10^12 credits). */
const MAX_AMOUNT_MICROS = 1_000_000_000_000n * MICROS;

export function toMicros(credits: string): bigint {
  const m = /^(-)?(\d+)(?:\.(\d{1,6}))?$/.exec(credits.trim());
  if (!m) throw new Error(`not a Credits amount: ${credits}`);
  const value = BigInt(m[2]) * MICROS + BigInt((m[3] ?? '').padEnd(6, '0'));
  return m[1] ? -value : value;
}

/** The API's own format: no trailing zeros, at most 6 fractional digits. */
export function fromMicros(micros: bigint): string {
  const neg = micros < 0n;
  const abs = neg ? -micros : micros;
  const frac = (abs % MICROS).toString().padStart(6, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${abs / MICROS}${frac ? `.${frac}` : ''}`;
}

/**
 * A typed amount as the API takes it: trimmed, and without the thousands commas the screen shows
 * ("1,234.50" -> "1234.50"); commas anywhere else are left for validateAmount to refuse.
 */
export function amountOf(text: string): string {
  const t = text.trim();
  return /^\d{1,3}(,\d{3})+(\.\d*)?$/.test(t) ? t.replace(/,/g, '') : t;
}

/** A user-typed amount: a positive decimal with at most 6 fractional digits (thousands commas allowed), or an error sentence. */
export function validateAmount(text: string, opts: { allowZero?: boolean } = {}): string | null {
  const t = amountOf(text);
  if (!/^\d+(\.\d+)?$/.test(t)) return 'Enter a number like 25 or 12.50.';
  if (!/^\d+(\.\d{1,6})?$/.test(t)) return 'Use at most 6 digits after the decimal point.';
  if (!opts.allowZero && toMicros(t) === 0n) return 'Enter an amount greater than zero.';
  if (toMicros(t) > MAX_AMOUNT_MICROS) return 'Enter at most 1,000,000,000,000.';
  return null;
}

/** How the price book wants credits shown: as money when one credit is one unit of currency. */
export interface CreditDisplay {
  asMoney: boolean;
  currency: string;
}

export function creditDisplay(book: { currency: string; creditValue: string } | undefined): CreditDisplay {
  const currency = (book?.currency ?? 'usd').toUpperCase();
  return { asMoney: book ? toMicros(book.creditValue) === MICROS : false, currency };
}

const symbols = new Map<string, string>();
function currencySymbol(currency: string): string {
  let s = symbols.get(currency);
  if (s === undefined) {
    try {
      s = new Intl.NumberFormat('en', { style: 'currency', currency }).formatToParts(0).find((p) => p.type === 'currency')?.value ?? `${currency} `;
    } catch {
      s = `${currency} `;
    }
    symbols.set(currency, s);
  }
  return s;
}

/** "1234567" -> "1,234,567": a run of digits grouped by threes from the right, as text (never through a float). */
function groupWhole(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+$)/g, ',');
}

/**
 * A plain decimal as people read it: "-1234567.125" -> "-1,234,567.125" (the whole part grouped
 * with commas, every fractional digit kept). Text that is not a plain decimal (an exponent) is
 * returned as it is. For the screen only: CSV files and input fields keep the plain number.
 */
export function groupDigits(text: string): string {
  const m = /^(-?)(\d+)(\.\d+)?$/.exec(text);
  return m ? `${m[1]}${groupWhole(m[2])}${m[3] ?? ''}` : text;
}

/** A count or another number shown in a sentence or a table: 1234 -> "1,234". */
export function formatCount(n: number): string {
  return groupDigits(String(n));
}

/** "4.75" -> "$4.75" (money) or "4.75 credits"; money keeps at least two decimals and every extra digit; the whole part is grouped ("$1,234.50", "1,234 credits"). */
export function formatCredits(credits: string, display: CreditDisplay): string {
  if (!display.asMoney) return `${groupDigits(credits)} ${credits === '1' || credits === '-1' ? 'credit' : 'credits'}`;
  const neg = credits.startsWith('-');
  const abs = neg ? credits.slice(1) : credits;
  const [whole, frac = ''] = abs.split('.');
  return `${neg ? '-' : ''}${currencySymbol(display.currency)}${groupWhole(whole)}.${frac.padEnd(2, '0')}`;
}

/** A price the API already formatted for its currency ("9.00", "1234.00" -> "$1,234.00"). */
export function formatPrice(price: string, currency: string): string {
  const neg = price.startsWith('-');
  return `${neg ? '-' : ''}${currencySymbol(currency.toUpperCase())}${groupDigits(neg ? price.slice(1) : price)}`;
}

export { formatMinor, minorDigits } from '../../../src/shared/minor-units';

/**
 * What `credits` cost at the price book's `creditValue` (per credit, in `currency`), in the
 * currency's smallest unit, rounded up: what auto top-up charges the card for an amount, computed
 * by the server's own code (src/shared/minor-units.ts).
 */
export function priceInMinor(credits: string, creditValue: string, currency: string): bigint {
  return priceMicrosInMinor(toMicros(credits), creditValue, currency);
}

/** A price the API wrote for its currency ("9.00", "900") in that currency's smallest unit (900n). */
export function minorOf(price: string): bigint {
  return BigInt(price.replace('.', ''));
}

/**
 * What a refund of `credits` (micro-credits) of a purchase pays back, in the currency's smallest
 * unit: paid × credits ÷ granted, rounded down, as the server computes it (billing.refunds.ts).
 * `exact` is false when rounding down left part of a smallest unit unpaid.
 */
export function refundMinor(paidMinor: bigint, credits: bigint, granted: bigint): { minor: bigint; exact: boolean } {
  if (granted <= 0n) return { minor: 0n, exact: true };
  return { minor: (paidMinor * credits) / granted, exact: (paidMinor * credits) % granted === 0n };
}

/**
 * How much of a cap is used, for its label: the whole percentage rounded down ("133 %"), except
 * just past the cap, where rounding down would say "100 %" (exactly at it): "over 100 %". A cap of
 * zero is reached from the start: "100 %".
 */
export function capShare(used: string, cap: string): string {
  if (toMicros(cap) === 0n) return '100 %';
  const percent = percentOf(used, cap);
  return percent === 100 && toMicros(used) > toMicros(cap) ? 'over 100 %' : `${formatCount(percent)} %`;
}

/**
 * What a pack gives, as Buy credits and auto top-up name it: "$10.00 of credits" where credits
 * show as money ("$10.00 for $10.00" would read as a mistake), else "100 credits".
 */
export function packCredits(credits: string, display: CreditDisplay): string {
  return display.asMoney ? `${formatCredits(credits, display)} of credits` : formatCredits(credits, display);
}

/** part / whole as a whole percentage (0 when whole is zero), exact to the micro-credit. */
export function percentOf(part: string, whole: string): number {
  const w = toMicros(whole);
  if (w <= 0n) return 0;
  return Number((toMicros(part) * 100n) / w);
}
