import { badInput } from './errors';

/**
 * Relay connections (the Cursor Connections spec) over lists ordered newest first by a
 * monotonic `seq`. Cursors are opaque base64url strings of the seq, so pages stay stable while
 * new rows are inserted at the head. `first`/`after` page towards older rows, `last`/`before`
 * towards newer ones; both cursors together bound a window.
 */
export const MAX_PAGE = 100;
export const DEFAULT_PAGE = 20;

/** The four Relay arguments, as the resolvers receive them. */
export interface PageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

export interface PageInfoData {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

export interface Page<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: PageInfoData;
}

/**
 * Which rows one page reads, in SQL terms: `seq < olderThan`, `seq > newerThan`, ordered
 * `seq desc` (forward) or `seq asc` (backward, reversed afterwards), `limit + 1` rows (the extra
 * row tells whether more exist).
 */
export interface SeqWindow {
  direction: 'forward' | 'backward';
  limit: number;
  olderThan: string | null;
  newerThan: string | null;
}

function clampedPageSize(name: 'first' | 'last', value: number | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  if (!Number.isInteger(value) || value < 0) throw badInput(`${name} must be a non-negative integer`);
  return Math.min(value, MAX_PAGE);
}

export function encodeCursor(parts: (string | number | bigint)[]): string {
  return Buffer.from(parts.map(String).join('|'), 'utf8').toString('base64url');
}

const MAX_BIGINT = 2n ** 63n - 1n;

/** The seq inside a cursor this API issued; anything else is BAD_USER_INPUT naming the argument. */
function seqOf(name: 'after' | 'before', cursor: string | null | undefined): string | null {
  if (cursor === null || cursor === undefined || cursor === '') return null;
  const seq = Buffer.from(cursor, 'base64url').toString('utf8');
  // A seq is a PostgreSQL bigint: 19 digits can still pass its range.
  if (!/^\d{1,19}$/.test(seq) || BigInt(seq) > MAX_BIGINT) throw badInput(`${name} is not a valid cursor`);
  return seq;
}

/** Validates the Relay arguments and turns them into the rows to read. */
export function seqWindow(args: PageArgs): SeqWindow {
  const first = clampedPageSize('first', args.first);
  const last = clampedPageSize('last', args.last);
  if (first !== null && last !== null) throw badInput('give first or last, not both');
  const olderThan = seqOf('after', args.after);
  const newerThan = seqOf('before', args.before);
  if (last !== null) return { direction: 'backward', limit: last, olderThan, newerThan };
  return { direction: 'forward', limit: first ?? DEFAULT_PAGE, olderThan, newerThan };
}

/**
 * Builds the page from at most `limit + 1` rows read in the window's order. The far side is
 * answered by the extra row; the near side by the cursor the page starts from: the row at
 * `after` precedes a forward page and the row at `before` follows a backward one (as the spec
 * allows, this needs no second query).
 */
export function toSeqPage<T>(rows: T[], window: SeqWindow, cursorOf: (row: T) => string): Page<T> {
  const hasMore = rows.length > window.limit;
  const taken = hasMore ? rows.slice(0, window.limit) : rows;
  const ordered = window.direction === 'forward' ? taken : [...taken].reverse();
  const edges = ordered.map((node) => ({ cursor: cursorOf(node), node }));
  const forward = window.direction === 'forward';
  return {
    edges,
    pageInfo: {
      hasNextPage: forward ? hasMore : window.newerThan !== null,
      hasPreviousPage: forward ? window.olderThan !== null : hasMore,
      startCursor: edges.length ? edges[0].cursor : null,
      endCursor: edges.length ? edges[edges.length - 1].cursor : null,
    },
  };
}

/** The SQL conditions and order of a window over a `seq` column (parameters in `?` style). */
export function seqWindowSql(window: SeqWindow, column: string): { conditions: string[]; params: string[]; order: string } {
  const conditions: string[] = [];
  const params: string[] = [];
  if (window.olderThan !== null) {
    conditions.push(`${column} < ?`);
    params.push(window.olderThan);
  }
  if (window.newerThan !== null) {
    conditions.push(`${column} > ?`);
    params.push(window.newerThan);
  }
  return { conditions, params, order: `${column} ${window.direction === 'forward' ? 'desc' : 'asc'}` };
}
