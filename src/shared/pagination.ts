import { badInput } from './errors';

/**
 * Relay connections. Cursors are opaque base64url strings of a (createdAt, id) or
 * (seq) key, so pages stay stable while new rows are inserted at the head.
 */
export const MAX_PAGE = 100;
export const DEFAULT_PAGE = 20;

export function pageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return DEFAULT_PAGE;
  if (!Number.isInteger(first) || first < 0) throw badInput('first must be a non-negative integer');
  return Math.min(first, MAX_PAGE);
}

export function encodeCursor(parts: (string | number | bigint)[]): string {
  return Buffer.from(parts.map(String).join('|'), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | null | undefined, arity: number): string[] | undefined {
  if (cursor === null || cursor === undefined || cursor === '') return undefined;
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (parts.length !== arity || parts.some((p) => p === '')) throw badInput('after is not a valid cursor');
  return parts;
}

export interface Page<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** Build a page from `limit + 1` fetched rows. */
export function toPage<T>(rows: T[], limit: number, cursorOf: (row: T) => string): Page<T> {
  const hasNextPage = rows.length > limit;
  const slice = hasNextPage ? rows.slice(0, limit) : rows;
  const edges = slice.map((node) => ({ cursor: cursorOf(node), node }));
  return { edges, pageInfo: { hasNextPage, endCursor: edges.length ? edges[edges.length - 1].cursor : null } };
}
