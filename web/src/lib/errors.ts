import { CombinedGraphQLErrors, ServerError, ServerParseError } from '@apollo/client/errors';
import { GraphQLRequestError } from './session';

/**
 * Every error code of the API contract as a sentence a person understands: the one table the
 * whole dashboard uses. Where the server's own message is more specific (which field, which
 * limit), `describeError` shows it after the sentence.
 */
export const ERROR_SENTENCES: Record<string, string> = {
  UNAUTHENTICATED: 'Your session has ended. Please log in again.',
  FORBIDDEN: 'Your account is not allowed to do this.',
  NOT_FOUND: 'We could not find that. It may have been removed.',
  BAD_USER_INPUT: 'Some of what you entered is not valid.',
  WEAK_PASSWORD: 'Choose a stronger password: at least 8 characters with an uppercase letter, a lowercase letter and a digit.',
  INVALID_CREDENTIALS: 'That email and password do not match.',
  EMAIL_TAKEN: 'An account with this email already exists. Log in instead?',
  RATE_LIMITED: 'Too many attempts. Please wait a few minutes and try again.',
  INSUFFICIENT_CREDITS: 'There are not enough credits for this. Buy credits or ask an admin for a grant.',
  BUDGET_CAP_EXCEEDED: 'This would go over your monthly budget cap. Raise or clear the cap to continue.',
  IDEMPOTENCY_CONFLICT: 'This request was already made with different details.',
  HOLD_NOT_PENDING: 'This reservation was already settled.',
  BILLING_DISABLED: 'Buying credits is turned off for now. An admin can turn on self-service billing.',
  BILLING_NOT_CONFIGURED: 'Payments are not set up on this server yet.',
  SERVICE_UNAVAILABLE: 'The service is briefly unavailable. Please try again in a moment.',
  INTERNAL_SERVER_ERROR: 'Something went wrong on our side. Please try again.',
};

const NETWORK = 'We cannot reach the server. Check your connection and try again.';

/** Codes whose server message adds detail worth showing (which field, which limit). */
const SHOW_SERVER_MESSAGE = new Set(['BAD_USER_INPUT', 'NOT_FOUND']);

export interface Described {
  code: string | null;
  sentence: string;
}

export function describeError(err: unknown): Described {
  let code: string | null = null;
  let message: string | null = null;
  let retryAfter: unknown = null;
  if (CombinedGraphQLErrors.is(err)) {
    code = (err.errors[0]?.extensions?.code as string | undefined) ?? null;
    message = err.errors[0]?.message ?? null;
    retryAfter = err.errors[0]?.extensions?.retryAfterSeconds;
  } else if (err instanceof GraphQLRequestError) {
    code = err.code ?? null;
    message = err.message;
    retryAfter = err.errors[0]?.extensions?.retryAfterSeconds;
  } else if (ServerError.is(err)) {
    const first = parseErrors(err.bodyText)[0];
    code = first?.extensions?.code ?? (err.statusCode === 503 ? 'SERVICE_UNAVAILABLE' : err.statusCode >= 500 ? 'INTERNAL_SERVER_ERROR' : null);
    message = first?.message ?? null;
    retryAfter = first?.extensions?.retryAfterSeconds;
  } else if (ServerParseError.is(err) || err instanceof TypeError) {
    return { code: null, sentence: NETWORK };
  }
  if (!code) return { code: null, sentence: message ?? NETWORK };
  // How long the server says to wait, rather than a guess.
  if (code === 'RATE_LIMITED' && typeof retryAfter === 'number' && Number.isFinite(retryAfter) && retryAfter > 0) {
    return { code, sentence: `Too many attempts. Please try again in ${waitText(Math.ceil(retryAfter))}.` };
  }
  const sentence = ERROR_SENTENCES[code] ?? ERROR_SENTENCES.INTERNAL_SERVER_ERROR;
  const detail = message === null ? null : withFieldInWords(withoutCoercionPrefix(message));
  return { code, sentence: SHOW_SERVER_MESSAGE.has(code) && detail ? `${sentence} ${capitalize(detail)}.`.replace(/\.\.$/, '.') : sentence };
}

/**
 * graphql-js prefixes a scalar's own sentence with the variable, the whole value and its type
 * ('Variable "$input" got invalid value … at "input.cap"; Expected type "Credits". "1e99" is …'):
 * only the scalar's sentence is for people.
 */
function withoutCoercionPrefix(message: string): string {
  const m = /^Variable "\$[^"]*" got invalid value [\s\S]*?; Expected type "[^"]*"\. ([\s\S]+)$/.exec(message);
  return m ? m[1] : message;
}

/**
 * The API names the argument it refuses by its path ("input.monthlyBudgetCap must not be
 * negative"), which partners need; a person reads the field in words ("monthly budget cap").
 */
function withFieldInWords(message: string): string {
  const m = /^((?:[a-z][A-Za-z0-9]*\.)*)([a-z][A-Za-z0-9]*)(\s[\s\S]*)$/.exec(message);
  if (!m || (!m[1] && !/[A-Z]/.test(m[2]))) return message;
  const words = m[2].replace(/[A-Z]/g, (letter) => ` ${letter.toLowerCase()}`).split(' ');
  return words.map((word) => ACRONYMS[word] ?? word).join(' ') + m[3];
}

const ACRONYMS: Record<string, string> = { url: 'URL', id: 'ID' };

/** A wait in words: seconds up to two minutes ("42 seconds"), whole minutes beyond ("15 minutes", rounded up). */
function waitText(seconds: number): string {
  if (seconds < 120) return `${seconds} ${seconds === 1 ? 'second' : 'seconds'}`;
  return `${Math.ceil(seconds / 60)} minutes`;
}

function parseErrors(bodyText: string): { message?: string; extensions?: { code?: string; retryAfterSeconds?: number } }[] {
  try {
    return (JSON.parse(bodyText) as { errors?: [] }).errors ?? [];
  } catch {
    return [];
  }
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
