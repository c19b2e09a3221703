import { GraphQLScalarType, Kind } from 'graphql';
import { DomainError, ErrorCode } from './errors';

/**
 * Money is integer micro-credits (bigint) everywhere; this file is the only place a
 * `Credits` decimal string is converted to or from micro-credits. No float ever touches it.
 */
export const MICROS = 1_000_000n;
/**
 * The largest amount one Credits value may carry: one trillion credits (10^18 micro-credits).
 * A product limit far beyond any real grant, purchase or price, and 9x below the bigint range.
 */
export const MAX_CREDITS_MICROS = 1_000_000_000_000n * MICROS;
/**
 * The largest amount any stored balance or total may reach: PostgreSQL's bigint range,
 * 9223372036854.775807 credits. Repeated grants or purchases could pass it; the statement that
 * would is refused by the database with "numeric value out of range", nothing is written, and
 * the request answers BAD_USER_INPUT (errors.ts, isOutOfRange).
 */
export const MAX_WALLET_MICROS = 2n ** 63n - 1n;
/** Exactly a decimal: optional minus, integer digits, at most 6 fractional digits; nothing around it (the range is checked after). */
const CREDITS_RE = /^(-)?(\d{1,30})(?:\.(\d{1,6}))?$/;

/** Enough of an input to recognise it in an error message, never the whole of a long one. */
const preview = (input: string): string => JSON.stringify(input.length > 32 ? `${input.slice(0, 32)}…` : input);

/**
 * Parses a Credits decimal string strictly: no surrounding whitespace, no exponent, no more than
 * 6 fractional digits, no "-0", and at most MAX_CREDITS_MICROS either way. Anything else is
 * BAD_USER_INPUT.
 */
export function parseCredits(input: string): bigint {
  const m = CREDITS_RE.exec(input);
  if (!m) {
    throw new DomainError(ErrorCode.BAD_USER_INPUT, `${preview(input)} is not a valid Credits amount: use a decimal with at most 6 fractional digits and nothing around it, e.g. "12.5"`);
  }
  const value = BigInt(m[2]) * MICROS + BigInt((m[3] ?? '').padEnd(6, '0'));
  if (value > MAX_CREDITS_MICROS) {
    throw new DomainError(ErrorCode.BAD_USER_INPUT, `${preview(input)} is too large: Credits amounts are at most ${MAX_CREDITS_MICROS / MICROS} either way`);
  }
  if (m[1] && value === 0n) throw new DomainError(ErrorCode.BAD_USER_INPUT, `${preview(input)} is not a valid Credits amount: zero has no sign`);
  return m[1] ? -value : value;
}

/** Canonical form: no trailing fractional zeros ("12.5", "3", "-0.0213"). */
export function formatCredits(micros: bigint): string {
  const neg = micros < 0n;
  const abs = neg ? -micros : micros;
  const whole = abs / MICROS;
  const frac = (abs % MICROS).toString().padStart(6, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`;
}

/** `n / d` rounded half up (away from zero for the half), on non-negative numerators. */
export function divRoundHalfUp(n: bigint, d: bigint): bigint {
  if (n < 0n) return -divRoundHalfUp(-n, d);
  return (n * 2n + d) / (2n * d);
}

/**
 * An exact decimal representation of a JS number, as mantissa and power-of-ten scale,
 * so `quantity * rate` is computed without float error. 30.1 → { mantissa: 301n, scale: 1 }.
 */
export function exactDecimal(value: number): { mantissa: bigint; scale: number } {
  if (!Number.isFinite(value)) throw new DomainError(ErrorCode.BAD_USER_INPUT, 'quantity must be a finite number');
  // Number#toString gives the shortest string that round-trips; expand exponent notation.
  const s = value.toString();
  const m = /^(-)?(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(s);
  if (!m) throw new DomainError(ErrorCode.BAD_USER_INPUT, `quantity ${s} is not a number`);
  const digits = m[2] + (m[3] ?? '');
  let scale = (m[3] ?? '').length - Number(m[4] ?? 0);
  let mantissa = BigInt(digits);
  if (scale < 0) {
    mantissa *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { mantissa: m[1] ? -mantissa : mantissa, scale };
}

/** Multiply micro-credits by a decimal number, rounding half up to the micro-credit. */
export function mulRoundHalfUp(micros: bigint, factor: { mantissa: bigint; scale: number }): bigint {
  return divRoundHalfUp(micros * factor.mantissa, 10n ** BigInt(factor.scale));
}

export const CreditsScalar = new GraphQLScalarType<bigint, string>({
  name: 'Credits',
  description:
    'An exact amount of credits as a decimal string with at most 6 fractional digits, e.g. "12.5", "-3". Strict: no surrounding whitespace, no exponent, no "-0"; at most 1000000000000 either way. Stored as integer micro-credits.',
  serialize(value) {
    if (typeof value === 'bigint') return formatCredits(value);
    if (typeof value === 'string' && /^-?\d+$/.test(value)) return formatCredits(BigInt(value));
    throw new TypeError('Credits can only serialize bigint micro-credits');
  },
  parseValue(value) {
    if (typeof value !== 'string') throw new DomainError(ErrorCode.BAD_USER_INPUT, 'Credits must be given as a decimal string, e.g. "12.5"');
    return parseCredits(value);
  },
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new DomainError(ErrorCode.BAD_USER_INPUT, 'Credits must be given as a decimal string, e.g. "12.5"');
    return parseCredits(ast.value);
  },
});
