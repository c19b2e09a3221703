import fc from 'fast-check';
import type { Client } from 'pg';
import { binaryArray, OutOfBigintRange, type BinaryArrayType } from '../src/modules/ledger/store/binary-array';
import { withSql } from './helpers/db';

/*
 * The write statement sends its columns as binary arrays built by `binaryArray`
 * (src/modules/ledger/store/binary-array.ts), which pg binds in binary. PostgreSQL itself must
 * read every array back as exactly the values it was built from.
 */

/** binaryArray without its compile-time element types: what a caller the types do not cover could send. */
const untyped = binaryArray as (values: readonly unknown[], sqlType: BinaryArrayType) => Buffer;

const roundTrip = (c: Client, values: readonly unknown[], sqlType: BinaryArrayType) =>
  c.query({ text: `select $1::${sqlType} as v`, values: [untyped(values, sqlType)] }).then((result) => result.rows[0].v as unknown[]);

/** Any text PostgreSQL can store (it has no NUL character), with quotes, braces and characters of every UTF-8 length. */
const text = fc.oneof(
  fc.string({ unit: fc.constantFrom('"', '\\', ',', '{', '}', ' ', '\t', '\n', "'", 'N', 'U', 'L', 'a', '\u00e9', '\u20ac', '\u{1F600}') }),
  fc.string({ unit: 'grapheme' }).map((s) => s.replaceAll('\u0000', '')),
);

it('text arrays come back element for element, whatever the characters (quotes, braces, the word NULL, 1 to 4 bytes of UTF-8)', async () => {
  await withSql(process.env.TEST_PG_BASE_URL!, async (c) => {
    const fixed = ['', ' ', 'NULL', 'null', '"', '\\', 'a,b', '{x}', 'tab\there', 'line\nbreak', '{"draws":[{"amount":"100"}]}', 'caf\u00e9 \u20ac \u{1F600}'];
    expect(await roundTrip(c, fixed, 'text[]')).toEqual(fixed);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.option(text, { nil: null }), { maxLength: 20 }), async (values) => {
        expect(await roundTrip(c, values, 'text[]')).toEqual(values);
      }),
      { numRuns: 200 },
    );
  });
});

it('uuids, bigints to the ends of their range, floats, booleans, timestamps, NULLs and empty arrays keep their values', async () => {
  await withSql(process.env.TEST_PG_BASE_URL!, async (c) => {
    const uuids = ['0190f3a2-7b1c-7def-8a12-3456789abcde', null, 'FFFFFFFF-0000-4000-8000-00000000000A'];
    expect(await roundTrip(c, uuids, 'uuid[]')).toEqual(['0190f3a2-7b1c-7def-8a12-3456789abcde', null, 'ffffffff-0000-4000-8000-00000000000a']);
    // bigint columns: BigInts past Number's exact range, their decimal text, safe integers.
    expect(await roundTrip(c, [9223372036854775807n, -9223372036854775808n, '9007199254740993', -5, null, 0n], 'bigint[]')).toEqual([
      '9223372036854775807',
      '-9223372036854775808',
      '9007199254740993',
      '-5',
      null,
      '0',
    ]);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.option(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), { nil: null }), { maxLength: 10 }), async (values) => {
        expect(await roundTrip(c, values, 'bigint[]')).toEqual(values.map((value) => value?.toString() ?? null));
      }),
      { numRuns: 100 },
    );
    expect(await roundTrip(c, [1.5, 0, -2.25, 1e-300, null, Number.NaN, Infinity, -Infinity], 'float8[]')).toEqual([1.5, 0, -2.25, 1e-300, null, Number.NaN, Infinity, -Infinity]);
    expect(Object.is((await roundTrip(c, [-0], 'float8[]'))[0], 0)).toBe(true); // -0 stored as 0, as its text was
    expect(await roundTrip(c, [true, false, null], 'bool[]')).toEqual([true, false, null]);
    for (const sqlType of ['text[]', 'uuid[]', 'bigint[]', 'timestamptz[]', 'float8[]', 'bool[]'] as const) expect(await roundTrip(c, [], sqlType)).toEqual([]);
    // Timestamps to the millisecond, before and after PostgreSQL's epoch (2000-01-01), one repeated Date among them.
    const shared = new Date('2026-12-01T11:29:11.123Z');
    const dates = [shared, shared, new Date('1999-12-31T23:59:59.999Z'), new Date('1970-01-01T00:00:00.001Z'), null, new Date('2199-06-30T12:00:00.000Z'), new Date('9999-12-31T23:59:59.999Z'), new Date('0001-01-01T00:00:00.001Z')];
    const back = (await roundTrip(c, dates, 'timestamptz[]')) as (Date | null)[];
    expect(back.map((date) => date?.toISOString() ?? null)).toEqual(dates.map((date) => date?.toISOString() ?? null));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2200-01-01T00:00:00Z'), noInvalidDate: true }), { maxLength: 10 }), async (values) => {
        const dated = (await roundTrip(c, values, 'timestamptz[]')) as Date[];
        expect(dated.map((date) => date.getTime())).toEqual(values.map((date) => date.getTime()));
      }),
      { numRuns: 100 },
    );
  });
});

it('refuses what it cannot write exactly, instead of sending something else', () => {
  expect(() => untyped([new Date(Number.NaN)], 'timestamptz[]')).toThrow(RangeError);
  expect(() => untyped(['2026-12-01'], 'timestamptz[]')).toThrow(TypeError);
  // Out of range with PostgreSQL's own SQLSTATE, which the API answers as BAD_USER_INPUT.
  expect(() => untyped([2n ** 63n], 'bigint[]')).toThrow(expect.objectContaining({ code: '22003' }));
  expect(() => untyped([-(2n ** 63n) - 1n], 'bigint[]')).toThrow(OutOfBigintRange);
  expect(() => untyped([1.5], 'bigint[]')).toThrow(TypeError);
  expect(() => untyped(['12e3'], 'bigint[]')).toThrow(TypeError);
  expect(() => untyped(['0190f3a2-7b1c-7def-8a12-3456789abcdx'], 'uuid[]')).toThrow(TypeError);
  expect(() => untyped(['0190f3a27b1c7def8a123456789abcde'], 'uuid[]')).toThrow(TypeError);
  expect(() => untyped(['{0190f3a2-7b1c-7def-8a12-3456789abcde}'], 'uuid[]')).toThrow(TypeError);
  expect(() => untyped([1], 'text[]')).toThrow(TypeError);
  expect(() => untyped(['1'], 'float8[]')).toThrow(TypeError);
  expect(() => untyped([1], 'bool[]')).toThrow(TypeError);
});
