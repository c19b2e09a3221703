/**
 * One-dimensional PostgreSQL arrays in the binary wire format (what `array_recv` reads), for
 * the write statement's columns. Sent as a Buffer, pg binds the parameter in binary, so
 * PostgreSQL copies each element instead of parsing text: no quoting here, no `array_in`,
 * `uuid_in` or timestamp parsing there (docs/benchmarks.md).
 *
 * Layout: ndim (1, or 0 when empty), has-nulls flag, element type oid, then per dimension its
 * length and lower bound (1), then each element as a 4-byte length (-1 for NULL) and its bytes.
 */

/** The element types sent in binary, by the array type the statement casts to. */
const ELEMENTS = {
  'uuid[]': { oid: 2950, maxBytes: () => 16, write: writeUuid },
  'bigint[]': { oid: 20, maxBytes: () => 8, write: writeInt8 },
  'float8[]': { oid: 701, maxBytes: () => 8, write: writeFloat8 },
  'bool[]': { oid: 16, maxBytes: () => 1, write: writeBool },
  'timestamptz[]': { oid: 1184, maxBytes: () => 8, write: writeTimestamp },
  // UTF-8 takes at most 3 bytes per UTF-16 code unit.
  'text[]': { oid: 25, maxBytes: (value: unknown) => (typeof value === 'string' ? 3 * value.length : 0), write: writeText },
} satisfies Record<string, ElementType>;

export type BinaryArrayType = keyof typeof ELEMENTS;

/**
 * The JS type one element of each array type is given as (null and undefined: NULL), checked at
 * compile time; the form (a canonical uuid, an integer in range, a valid Date) is checked here at run time.
 */
interface ElementValues {
  'uuid[]': string;
  'bigint[]': bigint | number | string;
  'float8[]': number;
  'bool[]': boolean;
  'timestamptz[]': Date;
  'text[]': string;
}

export type ArrayElement<Type extends BinaryArrayType> = ElementValues[Type] | null | undefined;

interface ElementType {
  oid: number;
  maxBytes(value: unknown): number;
  /** Writes one non-null element at `offset`; returns the bytes written. */
  write(buffer: Buffer, offset: number, value: unknown): number;
}

const HEADER_BYTES = 20;

/** `values` as a binary array of `sqlType`; null and undefined are NULL elements. */
export function binaryArray<Type extends BinaryArrayType>(values: readonly ArrayElement<Type>[], sqlType: Type): Buffer {
  const element: ElementType = ELEMENTS[sqlType];
  let capacity = HEADER_BYTES;
  for (const value of values) capacity += 4 + (value === null || value === undefined ? 0 : element.maxBytes(value));
  const buffer = Buffer.allocUnsafe(capacity);
  let hasNull = 0;
  let offset = HEADER_BYTES;
  for (const value of values) {
    if (value === null || value === undefined) {
      hasNull = 1;
      offset = buffer.writeInt32BE(-1, offset);
      continue;
    }
    const written = element.write(buffer, offset + 4, value);
    buffer.writeInt32BE(written, offset);
    offset += 4 + written;
  }
  buffer.writeInt32BE(values.length === 0 ? 0 : 1, 0);
  buffer.writeInt32BE(hasNull, 4);
  buffer.writeUInt32BE(element.oid, 8);
  buffer.writeInt32BE(values.length, 12);
  buffer.writeInt32BE(1, 16);
  // An empty array has no dimensions: its header ends after the element type.
  return values.length === 0 ? buffer.subarray(0, 12) : buffer.subarray(0, offset);
}

function expect(value: unknown, type: string, ok: boolean): void {
  if (!ok) throw new TypeError(`binaryArray: ${Object.prototype.toString.call(value)} is not a ${type}`);
}

const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) {
  HEX['0123456789abcdef'.charCodeAt(i)] = i;
  HEX['0123456789ABCDEF'.charCodeAt(i)] = i;
}
/** Where the 32 hex digits of a canonical uuid (8-4-4-4-12) sit in its text. */
const UUID_DIGITS = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];

function writeUuid(buffer: Buffer, offset: number, value: unknown): number {
  const text = value as string;
  expect(value, 'uuid', typeof value === 'string' && text.length === 36 && text[8] === '-' && text[13] === '-' && text[18] === '-' && text[23] === '-');
  for (let i = 0; i < 16; i++) {
    const high = HEX[text.charCodeAt(UUID_DIGITS[i])] ?? -1;
    const low = HEX[text.charCodeAt(UUID_DIGITS[i] + 1)] ?? -1;
    expect(value, 'uuid', high >= 0 && low >= 0);
    buffer[offset + i] = (high << 4) | low;
  }
  return 16;
}

/**
 * A value past PostgreSQL's bigint: a sum of client-supplied amounts that passed the range
 * (money.ts MAX_WALLET_MICROS). It carries the SQLSTATE PostgreSQL gives the same fault
 * ("numeric value out of range") so it is answered as BAD_USER_INPUT like it (shared/errors.ts
 * isOutOfRange), and nothing was written: the statement was never sent.
 */
export class OutOfBigintRange extends RangeError {
  readonly code = '22003';

  constructor(value: bigint) {
    super(`binaryArray: ${value} is out of bigint range`);
  }
}

const INT8_MIN = -(2n ** 63n);
const INT8_MAX = 2n ** 63n - 1n;

/** bigint columns: BigInts, their decimal text, or safe integers. */
function writeInt8(buffer: Buffer, offset: number, value: unknown): number {
  let integer: bigint;
  if (typeof value === 'bigint') integer = value;
  else if (typeof value === 'number' && Number.isSafeInteger(value)) integer = BigInt(value);
  else if (typeof value === 'string' && /^-?\d{1,19}$/.test(value)) integer = BigInt(value);
  else throw new TypeError(`binaryArray: ${String(value)} is not a bigint`);
  if (integer < INT8_MIN || integer > INT8_MAX) throw new OutOfBigintRange(integer);
  buffer.writeBigInt64BE(integer, offset);
  return 8;
}

function writeFloat8(buffer: Buffer, offset: number, value: unknown): number {
  expect(value, 'float8', typeof value === 'number');
  // -0 is stored as 0, as its text ("0") was.
  buffer.writeDoubleBE((value as number) === 0 ? 0 : (value as number), offset);
  return 8;
}

function writeBool(buffer: Buffer, offset: number, value: unknown): number {
  expect(value, 'boolean', typeof value === 'boolean');
  buffer[offset] = value ? 1 : 0;
  return 1;
}

/** PostgreSQL's timestamps count microseconds from 2000-01-01 00:00 UTC. */
const POSTGRES_EPOCH_MS = BigInt(Date.UTC(2000, 0, 1));

function writeTimestamp(buffer: Buffer, offset: number, value: unknown): number {
  expect(value, 'Date', value instanceof Date);
  const time = (value as Date).getTime();
  if (Number.isNaN(time)) throw new RangeError('binaryArray: invalid Date');
  // In BigInt: exact for every Date (a Number of microseconds rounds past 2^53).
  buffer.writeBigInt64BE((BigInt(time) - POSTGRES_EPOCH_MS) * 1000n, offset);
  return 8;
}

function writeText(buffer: Buffer, offset: number, value: unknown): number {
  expect(value, 'string', typeof value === 'string');
  return buffer.write(value as string, offset, 'utf8');
}
