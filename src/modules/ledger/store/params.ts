import { binaryArray, type ArrayElement, type BinaryArrayType } from './binary-array';

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
   * The column builder of a CTE over `rows`: `const column = params.columnsOf(rows)`, then
   * `column((row) => row.id, 'uuid[]')` adds one array parameter per column, sent in PostgreSQL's
   * binary array format (`binaryArray`), each value checked at compile time against its array type.
   */
  columnsOf<T>(rows: readonly T[]): <Type extends BinaryArrayType>(valueOf: (row: T) => ArrayElement<Type>, sqlType: Type) => string {
    return (valueOf, sqlType) => this.add(binaryArray(rows.map(valueOf), sqlType), sqlType);
  }
}

/** JSON text for a jsonb column (null stays null). */
export const jsonText = (value: unknown): string | null => (value === null || value === undefined ? null : JSON.stringify(value));
