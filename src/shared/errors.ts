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
  if (error instanceof DomainError) return { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) };
  opts.log(error);
  return { code: ErrorCode.INTERNAL_SERVER_ERROR, message: opts.exposeInternals && error instanceof Error ? error.message : 'Internal server error' };
}

/** Apollo/graphql-js codes that are really bad input from the client. */
const CLIENT_INPUT_CODES = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_REQUEST', 'PERSISTED_QUERY_NOT_FOUND', 'OPERATION_RESOLUTION_FAILURE']);

/**
 * The one place errors are mapped to contract codes. Domain errors keep their code and
 * message; validation failures become BAD_USER_INPUT; anything else is INTERNAL_SERVER_ERROR
 * with its message, stack and SQL hidden unless `exposeInternals` (development mode).
 */
export function makeFormatError(opts: { exposeInternals: boolean; log: (err: unknown) => void }) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof DomainError) {
      return {
        message: original.message,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: original.code, ...(original.details ?? {}) },
      };
    }
    const code = formatted.extensions?.code as string | undefined;
    if (code && CONTRACT_CODES.has(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
      return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions: { code } };
    }
    // type-graphql argument validation and scalar parse failures surface as GraphQLErrors
    // without an original error, or with a GraphQLError as the original.
    if ((code && CLIENT_INPUT_CODES.has(code)) || isInputCoercionError(original)) {
      return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions: { code: ErrorCode.BAD_USER_INPUT } };
    }
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
