import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';

/** Every code a client can see (api-contract.md). */
export enum ErrorCode {
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  NOT_FOUND = 'NOT_FOUND',
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  WEAK_PASSWORD = 'WEAK_PASSWORD',
  INVALID_CREDENTIALS = 'INVALID_CREDENTIALS',
  EMAIL_TAKEN = 'EMAIL_TAKEN',
  RATE_LIMITED = 'RATE_LIMITED',
  INSUFFICIENT_CREDITS = 'INSUFFICIENT_CREDITS',
  BUDGET_CAP_EXCEEDED = 'BUDGET_CAP_EXCEEDED',
  IDEMPOTENCY_CONFLICT = 'IDEMPOTENCY_CONFLICT',
  HOLD_NOT_PENDING = 'HOLD_NOT_PENDING',
  BILLING_DISABLED = 'BILLING_DISABLED',
  BILLING_NOT_CONFIGURED = 'BILLING_NOT_CONFIGURED',
  /** The database is unreachable: HTTP 503 with Retry-After; safe to retry. */
  SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE',
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
}

const CONTRACT_CODES = new Set<string>(Object.values(ErrorCode));

/** A domain error: services throw these; `formatError` turns them into `extensions.code`. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (what: string) => new DomainError(ErrorCode.NOT_FOUND, `${what} not found`);
export const badInput = (message: string, details?: Record<string, unknown>) =>
  new DomainError(ErrorCode.BAD_USER_INPUT, message, details);
export const forbidden = (message = 'Not allowed') => new DomainError(ErrorCode.FORBIDDEN, message);
export const unauthenticated = (message = 'Authentication required') => new DomainError(ErrorCode.UNAUTHENTICATED, message);

/** An error as a client sees it outside GraphQL's error list. */
export interface PublicError {
  code: ErrorCode;
  message: string;
  /** The DomainError's details (e.g. `required` and `available` of INSUFFICIENT_CREDITS). */
  details?: Record<string, unknown>;
}

/**
 * The contract code and message of an error answered inside a result rather than in GraphQL's
 * error list (chargeUsageBatch items, MCP tool errors), mapped like `makeFormatError` maps the
 * rest: a DomainError keeps its code, message and details; anything else is logged and is
 * INTERNAL_SERVER_ERROR, its message shown only when `exposeInternals` (development mode).
 */
export function publicError(error: unknown, opts: { exposeInternals: boolean; log: (err: unknown) => void }): PublicError {
  if (error instanceof DomainError) return { code: error.code, message: clientMessage(error.message), ...(error.details ? { details: error.details } : {}) };
  const known = clientFaultOrOutage(error);
  if (known) return known;
  opts.log(error);
  return { code: ErrorCode.INTERNAL_SERVER_ERROR, message: opts.exposeInternals && error instanceof Error ? error.message : 'Internal server error' };
}

/** Apollo/graphql-js codes that are really bad input from the client. */
const CLIENT_INPUT_CODES = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_REQUEST', 'PERSISTED_QUERY_NOT_FOUND', 'OPERATION_RESOLUTION_FAILURE']);

/** Seconds a client is asked to wait (`Retry-After`) when the database is unreachable. */
export const RETRY_AFTER_SECONDS = 5;

/** The HTTP status of each contract code, for the routes that answer one error (Express routes, refusals). */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.BAD_USER_INPUT]: 400,
  [ErrorCode.WEAK_PASSWORD]: 400,
  [ErrorCode.INVALID_CREDENTIALS]: 401,
  [ErrorCode.EMAIL_TAKEN]: 409,
  [ErrorCode.RATE_LIMITED]: 429,
  [ErrorCode.INSUFFICIENT_CREDITS]: 402,
  [ErrorCode.BUDGET_CAP_EXCEEDED]: 402,
  [ErrorCode.IDEMPOTENCY_CONFLICT]: 409,
  [ErrorCode.HOLD_NOT_PENDING]: 409,
  [ErrorCode.BILLING_DISABLED]: 403,
  [ErrorCode.BILLING_NOT_CONFIGURED]: 501,
  [ErrorCode.SERVICE_UNAVAILABLE]: 503,
  [ErrorCode.INTERNAL_SERVER_ERROR]: 500,
};

const UNAVAILABLE_MESSAGE = 'The database is unreachable; retry later';

/** Node socket errors and PostgreSQL SQLSTATEs that mean "the database cannot be reached right now". */
const UNREACHABLE_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']); // shutdown, crash, starting up, too many connections
const UNREACHABLE_MESSAGES = /Timeout acquiring a connection|Connection terminated|connection error and is not queryable|timeout exceeded when trying to connect|Connection ended unexpectedly/i;

/** Each error of a chain (`cause`, `originalError`, `previous`: pg, knex and MikroORM all wrap; graphql-js's `thrownValue`). */
function* chainOf(err: unknown): Generator<Record<string, unknown>> {
  const seen = new Set<unknown>();
  let e = err;
  while (e && typeof e === 'object' && !seen.has(e) && seen.size < 10) {
    seen.add(e);
    yield e as Record<string, unknown>;
    const o = e as { cause?: unknown; originalError?: unknown; previous?: unknown; thrownValue?: unknown };
    e = o.cause ?? o.originalError ?? o.previous ?? o.thrownValue;
  }
}

/**
 * True when an error means PostgreSQL is unreachable (refused or lost connection, pool
 * acquisition timed out, server shutting down): the request is answered 503 SERVICE_UNAVAILABLE
 * with Retry-After, never 500, because retrying later is exactly what the client should do.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (const e of chainOf(err)) {
    const code = typeof e.code === 'string' ? e.code : '';
    if (UNREACHABLE_ERRNOS.has(code) || UNAVAILABLE_SQLSTATES.has(code) || code.startsWith('08')) return true;
    if (typeof e.message === 'string' && UNREACHABLE_MESSAGES.test(e.message)) return true;
  }
  return false;
}

/**
 * True for PostgreSQL's "numeric value out of range" (22003): a sum of client-supplied amounts
 * passed the bigint columns' range (money.ts: MAX_WALLET_MICROS). Nothing was written (the
 * statement failed); the request that would have overflowed is a client fault.
 */
export function isOutOfRange(err: unknown): boolean {
  for (const e of chainOf(err)) if (e.code === '22003') return true;
  return false;
}

const OUT_OF_RANGE_MESSAGE = 'An amount is beyond the representable range: a wallet and its totals hold at most 9223372036854.775807 credits';

/**
 * Errors that are not DomainErrors yet not faults of the service: an unreachable database
 * (SERVICE_UNAVAILABLE, retry later) and a sum past the bigint range (BAD_USER_INPUT). Null for
 * anything else (INTERNAL_SERVER_ERROR, logged).
 */
function clientFaultOrOutage(err: unknown): PublicError | null {
  if (isDatabaseUnavailable(err)) return { code: ErrorCode.SERVICE_UNAVAILABLE, message: UNAVAILABLE_MESSAGE };
  if (isOutOfRange(err)) return { code: ErrorCode.BAD_USER_INPUT, message: OUT_OF_RANGE_MESSAGE };
  return null;
}

/** The error a request gets while the database is unreachable: 503 with Retry-After through Apollo's `extensions.http`. */
export function serviceUnavailable(): GraphQLError {
  const headers = new Map([['retry-after', String(RETRY_AFTER_SECONDS)]]);
  return new GraphQLError(UNAVAILABLE_MESSAGE, { extensions: { code: ErrorCode.SERVICE_UNAVAILABLE, http: { status: 503, headers } } });
}

/** Longest error message a client is sent; an input echoed inside one is elided first (see clientMessage). */
const MAX_MESSAGE_CHARS = 500;
/** Longest quoted value kept whole inside a message. */
const MAX_QUOTED_CHARS = 64;

/**
 * Refusals of a document over a limit (shared/graphql-limits.ts) that carry graphql-js's
 * "Syntax Error: " although the document parsed: graphql-armor prefixes its depth, alias, cost,
 * directive and token refusals with it, and graphql-js raises its `maxTokens` refusal as a syntax
 * error. Real syntax errors keep the prefix.
 */
const LIMIT_REFUSAL_PREFIX = /^Syntax Error: (?=(?:Query depth limit|Aliases limit|Query Cost limit|Directives limit|Token limit) of \d+ exceeded|Document contains more that \d+ tokens)/;

/**
 * The message as a client sees it: a limit refusal loses its "Syntax Error: " prefix (see
 * above), and graphql-js quotes offending values in its coercion
 * messages ("Expected value of type ..., found "..."", "Variable "$x" got invalid value ..."),
 * so a long input would come back in full. Long quoted runs and long words are cut to their start, field
 * suggestions ("Did you mean ...?") are removed (they reveal the schema when introspection is
 * off), and the whole message is capped.
 */
export function clientMessage(message: string): string {
  // One left-to-right pass over every quoted run (so a closing quote never opens the next run).
  let m = message.replace(LIMIT_REFUSAL_PREFIX, '').replace(/"((?:[^"\\]|\\.)*)"/g, (all, inner: string) => (inner.length > MAX_QUOTED_CHARS ? `"${inner.slice(0, MAX_QUOTED_CHARS)}…"` : all));
  // Unquoted echoes (e.g. graphql-scalars' "invalid date-time-string <value>"): no word longer than that either.
  m = m.replace(/\S{65,}/g, (word) => `${word.slice(0, MAX_QUOTED_CHARS)}…`);
  m = m.replace(/ ?Did you mean [^?]*\?/g, '');
  // A JSON number past a double's range (1e400) parses to Infinity before graphql-js sees it.
  m = m.replace(/(Float cannot represent non numeric value: -?Infinity)(?!:)/g, '$1: the number is out of range (not finite)');
  return m.length > MAX_MESSAGE_CHARS ? `${m.slice(0, MAX_MESSAGE_CHARS)}…` : m;
}

/**
 * The one place errors are mapped to contract codes. Domain errors keep their code and
 * message; validation failures become BAD_USER_INPUT; an unreachable database is
 * SERVICE_UNAVAILABLE; anything else is INTERNAL_SERVER_ERROR with its message, stack and SQL
 * hidden unless `exposeInternals` (development mode). Every message passes `clientMessage`.
 */
export function makeFormatError(opts: { exposeInternals: boolean; log: (err: unknown) => void }) {
  const shaped = (formatted: GraphQLFormattedError, code: string, message = formatted.message, extra: Record<string, unknown> = {}): GraphQLFormattedError => ({
    message: clientMessage(message),
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code, ...extra },
  });
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof DomainError) return shaped(formatted, original.code, original.message, original.details ?? {});
    const code = formatted.extensions?.code as string | undefined;
    if (code && CONTRACT_CODES.has(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR) return shaped(formatted, code);
    // type-graphql argument validation and scalar parse failures surface as GraphQLErrors
    // without an original error, or with a GraphQLError as the original.
    if ((code && CLIENT_INPUT_CODES.has(code)) || isInputCoercionError(original)) return shaped(formatted, ErrorCode.BAD_USER_INPUT);
    const known = clientFaultOrOutage(original);
    if (known) return shaped(formatted, known.code, known.message);
    opts.log(original);
    if (opts.exposeInternals) {
      return {
        ...formatted,
        extensions: { ...formatted.extensions, code: ErrorCode.INTERNAL_SERVER_ERROR },
      };
    }
    return { message: 'Internal server error', path: formatted.path, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
  };
}

function isInputCoercionError(err: unknown): boolean {
  if (!(err instanceof GraphQLError)) return false;
  if (err.originalError === undefined || err.originalError === null) return true; // a GraphQLError thrown by graphql-js itself
  const name = (err.originalError as Error).name;
  return name === 'ArgumentValidationError' || err.originalError instanceof TypeError;
}
