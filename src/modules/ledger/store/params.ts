/**
 * Positional parameters numbered in the order they are added, so a long statement never has
 * its `$n` out of step with its values: `params.add(ids, 'uuid[]')` returns `$7::uuid[]`.
 */
export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown, sqlType: string): string {
    this.values.push(value);
    return `$${this.values.length}::${sqlType}`;
  }

  /**
   * One array parameter per column: `column(rows, (row) => row.id, 'uuid[]')`, sent as a
   * PostgreSQL array literal built by `arrayLiteral`.
   */
  column<T>(rows: readonly T[], valueOf: (row: T) => unknown, sqlType: string): string {
    return this.add(arrayLiteral(rows.map(valueOf)), sqlType);
  }
}

/** JSON text for a jsonb column (null stays null). */
export const jsonText = (value: unknown): string | null => (value === null || value === undefined ? null : JSON.stringify(value));

/**
 * A one-dimensional PostgreSQL array literal (`{"a",NULL,"b"}`) of strings, numbers, bigints,
 * booleans and Dates. The write statement sends some twenty columns of one value per row; pg's
 * own conversion escapes every element with two regular expressions and formats every Date in
 * local time, which made it the largest single cost of a batch in the API process
 * (docs/benchmarks.md). Strings are always quoted, so empty strings, spaces, commas, braces and
 * the text NULL stay text; only `"` and `\` need escaping inside quotes.
 */
export function arrayLiteral(values: readonly unknown[]): string {
  const dates = new DateText();
  let literal = '{';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) literal += ',';
    literal += arrayElement(values[i], dates);
  }
  return `${literal}}`;
}

function arrayElement(value: unknown, dates: DateText): string {
  if (value === null || value === undefined) return 'NULL';
  switch (typeof value) {
    case 'string':
      return quotedElement(value);
    case 'number':
    case 'bigint':
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
  }
  if (value instanceof Date) return dates.of(value);
  throw new TypeError(`arrayLiteral: unsupported element ${Object.prototype.toString.call(value)}`);
}

function quotedElement(text: string): string {
  if (text.indexOf('"') === -1 && text.indexOf('\\') === -1) return `"${text}"`;
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Quoted ISO-8601 text of Dates (UTC, exact to the millisecond); a batch's rows mostly share one timestamp, so the last one is kept. */
class DateText {
  private lastTime = Number.NaN;
  private lastText = '';

  of(date: Date): string {
    const time = date.getTime();
    if (Number.isNaN(time)) throw new RangeError('arrayLiteral: invalid Date');
    if (time !== this.lastTime) {
      this.lastTime = time;
      this.lastText = `"${date.toISOString()}"`;
    }
    return this.lastText;
  }
}
