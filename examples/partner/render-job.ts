/**
 * A partner's render pipeline paying for one AI video with an API key (scopes USAGE_WRITE and
 * WALLET_READ): quote the estimate, reserve it (a hold), render, capture the actual seconds.
 *
 * Every request is retried on a network error. That is safe only because every money-moving
 * request is idempotent: the reservation and the capture carry idempotency keys derived from
 * the job, so a retry after a lost answer returns the original hold or charge instead of
 * holding or charging twice.
 *
 *   npm run example:partner        (API_URL, API_KEY in the environment)
 */
import { print } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { CaptureDocument, QuoteDocument, ReserveDocument } from '../generated/graphql';

export interface PartnerClientOptions {
  /** The GraphQL endpoint, e.g. http://localhost:4000/graphql */
  url: string;
  /** The API key's secret (sfk_...), sent as `Authorization: Bearer <key>`. */
  apiKey: string;
  /** Attempts after the first on a network error or a retryable code. @default 4 */
  retries?: number;
  /** First back-off; doubles per attempt (with jitter). @default 200 */
  retryDelayMs?: number;
  /** The fetch to use (tests inject a flaky one). @default globalThis.fetch */
  fetch?: typeof fetch;
  log?: (line: string) => void;
}

/** A GraphQL error with its contract code (docs/partners.md lists them). */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(`${code}: ${message}`);
    this.name = 'ApiError';
  }
}

/**
 * Codes after which the same request, with the same idempotency key, may simply be sent again:
 * the service was unavailable or refused the rate, or failed unexpectedly (nothing or all of it
 * was applied; the key makes a second attempt return the first one's answer).
 */
const RETRYABLE_CODES = new Set(['SERVICE_UNAVAILABLE', 'RATE_LIMITED', 'INTERNAL_SERVER_ERROR']);

interface GraphQLResponse<R> {
  data?: R | null;
  errors?: { message: string; extensions?: { code?: string; retryAfterSeconds?: number } }[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export type Send = <R, V>(document: TypedDocumentNode<R, V>, variables: V) => Promise<R>;

/** A typed GraphQL client over fetch, with retries that never change the request. */
export function partnerClient(options: PartnerClientOptions): Send {
  const { url, apiKey, retries = 4, retryDelayMs = 200, log = () => undefined } = options;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const backoff = (attempt: number) => retryDelayMs * 2 ** attempt * (0.5 + Math.random() / 2);

  return async function send<R, V>(document: TypedDocumentNode<R, V>, variables: V): Promise<R> {
    // The body is built once: every attempt sends exactly the same request (same idempotency key).
    const body = JSON.stringify({ query: print(document), variables });
    for (let attempt = 0; ; attempt++) {
      let answer: GraphQLResponse<R>;
      try {
        const res = await fetchImpl(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` }, body });
        answer = (await res.json()) as GraphQLResponse<R>;
      } catch (err) {
        // The request may have been applied before the answer was lost: only the idempotency key makes resending safe.
        if (attempt >= retries) throw err;
        log(`network error (${(err as Error).message}); retry ${attempt + 1} of ${retries} with the same request`);
        await sleep(backoff(attempt));
        continue;
      }
      const error = answer.errors?.[0];
      if (!error) return answer.data as R;
      const code = error.extensions?.code ?? 'UNKNOWN';
      if (!RETRYABLE_CODES.has(code) || attempt >= retries) throw new ApiError(code, error.message, error.extensions?.retryAfterSeconds);
      const wait = error.extensions?.retryAfterSeconds ? error.extensions.retryAfterSeconds * 1000 : backoff(attempt);
      log(`${code}; retry ${attempt + 1} of ${retries} in ${Math.round(wait)} ms`);
      await sleep(wait);
    }
  };
}

export interface RenderJob {
  /** Your job id: the idempotency keys derive from it, so a re-run of the same job never holds twice. */
  jobId: string;
  /** A PER_SECOND feature of the price book, e.g. "ai_video". */
  feature: string;
  estimatedSeconds: number;
  /** Renders and returns the actual seconds of output. */
  render: () => Promise<number>;
}

export interface RenderJobResult {
  quoted: string;
  held: string;
  holdId: string;
  captured: string;
  balance: string;
}

/** Quote, reserve, render, capture: the job never starts without the credits to pay for it. */
export async function payForRenderJob(send: Send, job: RenderJob): Promise<RenderJobResult> {
  const { quote } = await send(QuoteDocument, { input: { feature: job.feature, quantity: job.estimatedSeconds } });
  const { reserveCredits: hold } = await send(ReserveDocument, {
    input: { feature: job.feature, quantity: job.estimatedSeconds, idempotencyKey: `${job.jobId}:reserve`, expiresInSeconds: 3600 },
  });
  const actualSeconds = await job.render();
  // The key makes a retried capture return the original charge (not HOLD_NOT_PENDING).
  const { captureHold: capture } = await send(CaptureDocument, { id: hold.id, quantity: actualSeconds, idempotencyKey: `${job.jobId}:capture` });
  const captured = capture.hold?.captured;
  if (!captured) throw new Error('captureHold answered without the captured hold');
  return { quoted: quote.amount, held: hold.amount, holdId: hold.id, captured, balance: capture.wallet.balance };
}

async function main(): Promise<void> {
  // Examples may read the environment (config.ts is the service's only reader).
  const url = process.env.API_URL ?? 'http://localhost:4000/graphql';
  const apiKey = process.env.API_KEY;
  if (!apiKey) {
    console.error('Set API_KEY to an API key with USAGE_WRITE and WALLET_READ (createApiKey), and API_URL if not http://localhost:4000/graphql.');
    process.exit(2);
  }
  const send = partnerClient({ url, apiKey, log: (line) => console.log(line) });
  const result = await payForRenderJob(send, {
    jobId: `render-${Date.now()}`,
    feature: process.env.FEATURE ?? 'ai_video',
    // 30 s of ai_video hold 3.9 credits: within a new account's 5-credit sign-up bonus.
    estimatedSeconds: 30,
    render: async () => {
      await sleep(500); // the render itself
      return 25.5;
    },
  });
  console.log(`quoted ${result.quoted}, held ${result.held}, captured ${result.captured}; balance now ${result.balance}`);
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
