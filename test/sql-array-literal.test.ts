import fc from 'fast-check';
import type { Client } from 'pg';
import { arrayLiteral } from '../src/modules/ledger/store/params';
import { withSql } from './helpers/db';

/*
 * The write statement sends its columns as array literals built by `arrayLiteral`
 * (src/modules/ledger/store/params.ts) instead of pg's conversion. PostgreSQL itself must read
 * every literal back as exactly the values it was built from.
 */

const roundTrip = (c: Client, values: readonly unknown[], sqlType: string) =>
  c.query({ text: `select $1::${sqlType} as v`, values: [arrayLiteral(values)] }).then((result) => result.rows[0].v as unknown[]);

/** Any text PostgreSQL can store (it has no NUL character), biased toward the characters arrays treat specially. */
const text = fc.oneof(
  fc.string({ unit: fc.constantFrom('"', '\\', ',', '{', '}', ' ', '\t', '\n', "'", 'N', 'U', 'L', 'a', '\u00e9', '\u{1F600}') }),
  fc.string({ unit: 'grapheme' }).map((s) => s.replaceAll('\u0000', '')),
);

it('text arrays come back element for element, whatever the characters (quotes, backslashes, braces, commas, spaces, the word NULL, unicode)', async () => {
  await withSql(process.env.TEST_PG_BASE_URL!, async (c) => {
    const fixed = ['', ' ', 'NULL', 'null', '"', '\\', '\\"', 'a,b', '{x}', 'tab\there', 'line\nbreak', '{"draws":[{"amount":"100"}]}', 'caf\u00e9 \u{1F600}'];
    expect(await roundTrip(c, fixed, 'text[]')).toEqual(fixed);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.option(text, { nil: null }), { maxLength: 20 }), async (values) => {
        expect(await roundTrip(c, values, 'text[]')).toEqual(values);
      }),
      { numRuns: 200 },
    );
  });
});

it('uuids, bigints beyond 2^53, floats, booleans, timestamps and NULLs keep their values', async () => {
  await withSql(process.env.TEST_PG_BASE_URL!, async (c) => {
    const uuids = ['0190f3a2-7b1c-7def-8a12-3456789abcde', null];
    expect(await roundTrip(c, uuids, 'uuid[]')).toEqual(uuids);
    // bigint columns: decimal strings from BigInt.toString() and BigInts themselves, past Number's exact range.
    expect(await roundTrip(c, ['9223372036854775807', 9007199254740993n, '-5', null], 'bigint[]')).toEqual(['9223372036854775807', '9007199254740993', '-5', null]);
    expect(await roundTrip(c, [1.5, 0, -2.25, null], 'float8[]')).toEqual([1.5, 0, -2.25, null]);
    expect(await roundTrip(c, [true, false, null], 'bool[]')).toEqual([true, false, null]);
    // Dates are sent in UTC to the millisecond; one repeated Date and distinct ones alike.
    const shared = new Date('2026-12-01T11:29:11.123Z');
    const dates = [shared, shared, new Date('1999-12-31T23:59:59.999Z'), null, shared];
    const back = (await roundTrip(c, dates, 'timestamptz[]')) as (Date | null)[];
    expect(back.map((date) => date?.toISOString() ?? null)).toEqual(dates.map((date) => date?.toISOString() ?? null));
  });
});

it('refuses what it cannot write exactly, instead of sending something else', () => {
  expect(() => arrayLiteral([new Date(Number.NaN)])).toThrow(RangeError);
  expect(() => arrayLiteral([{ amount: 1 }])).toThrow(TypeError);
  expect(() => arrayLiteral([['nested']])).toThrow(TypeError);
  expect(arrayLiteral([])).toBe('{}');
});
