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
   * One array parameter per column: `column(rows, (row) => row.id, 'uuid[]')`, sent in
   * PostgreSQL's binary array format (`binaryArray`).
   */
  column<T, Type extends BinaryArrayType>(rows: readonly T[], valueOf: (row: T) => ArrayElement<Type>, sqlType: Type): string {
    return this.add(binaryArray(rows.map(valueOf), sqlType), sqlType);
  }
}

/** JSON text for a jsonb column (null stays null). */
export const jsonText = (value: unknown): string | null => (value === null || value === undefined ? null : JSON.stringify(value));
