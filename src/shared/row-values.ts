/**
 * Column values of a row read with plain SQL (pg's defaults): bigint columns arrive as text and
 * are read here without loss, timestamps as Date or text, NULL as null. Every row decoder uses
 * these, so a nullable column reads the same way in every module.
 */

export type Row = Record<string, unknown>;

export const bigintOf = (value: unknown): bigint => BigInt(value as string | number);
export const nullableBigint = (value: unknown): bigint | null => (value === null || value === undefined ? null : bigintOf(value));
export const dateOf = (value: unknown): Date => new Date(value as string);
export const nullableDate = (value: unknown): Date | null => (value ? dateOf(value) : null);
export const textOrNull = (value: unknown): string | null => (value as string | null | undefined) ?? null;
