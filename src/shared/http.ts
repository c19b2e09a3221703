import { isUtf8 } from 'node:buffer';
import type http from 'node:http';
import { randomUUID } from 'node:crypto';
import { HeaderMap, type ApolloServer, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { Logger } from './logger';
import { DomainError, ErrorCode, HTTP_STATUS, RETRY_AFTER_SECONDS, clientMessage, isDatabaseUnavailable } from './errors';

/** Whether a request is for the GraphQL endpoint, over HTTP or WebSocket: /graphql, with or without a trailing slash. */
export function isGraphqlPath(url: string | undefined): boolean {
  const path = (url ?? '').split('?', 1)[0];
  return path === '/graphql' || path === '/graphql/';
}

/** The id a request is known by in logs and in its `x-request-id` answer header. */
export function requestIdOf(req: http.IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
}

/**
 * Counts requests in flight so a stop can answer every one of them before cutting sockets.
 * While draining, answers carry `Connection: close` so keep-alive clients move on.
 */
export class HttpDrain {
  private draining = false;
  private readonly inflight = new Set<http.ServerResponse>();
  private idle: (() => void) | undefined;

  get isDraining(): boolean {
    return this.draining;
  }

  track(res: http.ServerResponse): void {
    this.inflight.add(res);
    if (this.draining) res.setHeader('connection', 'close');
    const finish = () => {
      if (!this.inflight.delete(res)) return;
      if (this.inflight.size === 0 && this.idle) this.idle();
    };
    res.on('finish', finish);
    res.on('close', finish);
  }

  /** Stops accepting, waits (at most `graceMs`) for every request in flight, then closes sockets. */
  async drain(server: http.Server, graceMs: number): Promise<void> {
    this.draining = true;
    // Requests already in flight close their connection once answered, too.
    for (const res of this.inflight) if (!res.headersSent) res.setHeader('connection', 'close');
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    if (this.inflight.size > 0) {
      await Promise.race([new Promise<void>((resolve) => (this.idle = resolve)), new Promise((r) => setTimeout(r, graceMs).unref())]);
    }
    server.closeAllConnections();
    await closed;
  }
}

export interface GraphQLHttpOptions<C extends BaseContext> {
  apollo: ApolloServer<C>;
  context: (req: http.IncomingMessage, requestId: string) => Promise<C>;
  maxBodyBytes: number;
  log: Logger;
}

/**
 * `/graphql` served straight from Node's HTTP server through Apollo's
 * `executeHTTPGraphQLRequest` (the API every Apollo integration is built on). The charge path
 * is CPU-bound in this process, and Express's router, body parser, per-request child logger
 * and ETag hashing cost about a fifth of each request; the other routes keep Express.
 * Apollo still does everything GraphQL-over-HTTP: CSRF prevention, GET/POST rules, status codes.
 */
export function graphqlHttpHandler<C extends BaseContext>(opts: GraphQLHttpOptions<C>) {
  const { apollo, context, maxBodyBytes, log } = opts;

  const reject = (res: http.ServerResponse, status: number, message: string, code: ErrorCode = ErrorCode.BAD_USER_INPUT) => {
    const body = errorBody(code, message);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };

  const run = async (req: http.IncomingMessage, res: http.ServerResponse, requestId: string, raw: string | undefined) => {
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    let body: unknown = raw;
    if (raw !== undefined && raw.length > 0 && isJson(headers.get('content-type'))) {
      try {
        body = JSON.parse(raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw); // a leading BOM is allowed
      } catch {
        reject(res, 400, 'The request body is not valid JSON');
        return;
      }
    }
    const q = req.url!.indexOf('?');
    const answer = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method!.toUpperCase(), headers, search: q >= 0 ? req.url!.slice(q) : '', body },
      context: () => context(req, requestId),
    });
    res.statusCode = answer.status ?? 200;
    for (const [key, value] of answer.headers) res.setHeader(key, value);
    if (answer.body.kind === 'complete') {
      res.setHeader('content-length', Buffer.byteLength(answer.body.string));
      res.end(answer.body.string);
      return;
    }
    for await (const chunk of answer.body.asyncIterator) res.write(chunk);
    res.end();
  };

  return (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const started = performance.now();
    const requestId = requestIdOf(req);
    res.setHeader('x-request-id', requestId);
    if (log.isLevelEnabled('info')) {
      const line = () => ({ reqId: requestId, req: { method: req.method, url: req.url, remoteAddress: req.socket.remoteAddress }, res: { statusCode: res.statusCode }, responseTime: Math.round(performance.now() - started) });
      res.once('close', () => log.info(line(), res.writableFinished ? 'request completed' : 'request aborted'));
    }
    const fail = (err: unknown) => {
      if (req.destroyed || res.destroyed) {
        // The client went away (e.g. ECONNRESET mid-upload): nothing to answer, nothing wrong here.
        log.debug({ err, reqId: requestId }, 'GraphQL HTTP request aborted by the client');
        return;
      }
      if (!isDatabaseUnavailable(err)) log.error({ err, reqId: requestId }, 'GraphQL HTTP request failed');
      sendJsonError(res, err);
    };

    /** Answers without reading the body (discarded); an oversized one also ends the connection. */
    const refuse = (status: 413 | 415, message: string) => {
      req.resume();
      if (status === 413) res.setHeader('connection', 'close');
      reject(res, status, message);
    };
    const tooLargeMessage = `The request body is larger than ${maxBodyBytes} bytes`;

    const encoding = req.headers['content-encoding']?.toLowerCase();
    if (encoding && encoding !== 'identity') return refuse(415, `Content-Encoding ${encoding} is not supported`);
    const charset = charsetOf(req.headers['content-type']);
    if (charset && charset !== 'utf-8' && charset !== 'utf8') return refuse(415, `charset ${charset} is not supported: send UTF-8`);
    if (Number(req.headers['content-length'] ?? 0) > maxBodyBytes) return refuse(413, tooLargeMessage);
    if (req.method === 'GET' || req.method === 'HEAD') {
      run(req, res, requestId, undefined).catch(fail);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > maxBodyBytes) {
        tooLarge = true;
        chunks.length = 0;
        refuse(413, tooLargeMessage);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge) return;
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      // Not UTF-8: decoding would turn the bad bytes into U+FFFD and store them as if sent.
      if (!isUtf8(body)) return reject(res, 415, 'The request body is not valid UTF-8');
      run(req, res, requestId, body.toString('utf8')).catch(fail);
    });
    req.on('error', (err) => {
      if (!tooLarge) fail(err);
    });
  };
}

/** `application/json` (any parameters), the only request body type GraphQL over HTTP defines. */
function isJson(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';', 1)[0].trim().toLowerCase() === 'application/json';
}

/** The lower-cased `charset` parameter of a Content-Type, if any. */
function charsetOf(contentType: string | undefined): string | undefined {
  const m = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '');
  return m?.[1].toLowerCase();
}

/** The JSON body of a one-error answer, the same shape GraphQL errors have. */
export function errorBody(code: ErrorCode, message: string): string {
  return JSON.stringify({ errors: [{ message: clientMessage(message), extensions: { code } }] });
}

/**
 * Apollo plugin: a GraphQL answer whose errors say the database is unreachable is HTTP 503
 * with Retry-After (GraphQL over HTTP would otherwise answer 200 with the error inside).
 */
export function serviceUnavailablePlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          if (!errors?.some((e) => e.extensions?.code === ErrorCode.SERVICE_UNAVAILABLE)) return;
          response.http.status = 503;
          response.http.headers.set('retry-after', String(RETRY_AFTER_SECONDS));
        },
      };
    },
  };
}

/**
 * Apollo plugin: a subscription sent over HTTP is a client fault (400): subscriptions are served
 * over WebSocket (graphql-ws) on the same path, and their resolvers only run on an event.
 */
export function subscriptionsOverHttpRefusedPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          if (operation?.operation !== 'subscription') return;
          throw new GraphQLError('Subscriptions are served over WebSocket (graphql-ws) at /graphql, not over HTTP', {
            extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status: 400 } },
          });
        },
      };
    },
  };
}

/** Express's body-parser errors (`type`) that are client faults, and their status. */
const BODY_ERRORS: Record<string, { status: number; message: (err: { limit?: number }) => string }> = {
  'entity.too.large': { status: 413, message: (e) => `The request body is larger than ${e.limit} bytes` },
  'entity.parse.failed': { status: 400, message: () => 'The request body could not be parsed' },
  'encoding.unsupported': { status: 415, message: () => 'This Content-Encoding is not supported' },
  'charset.unsupported': { status: 415, message: () => 'This charset is not supported: send UTF-8' },
  'request.aborted': { status: 400, message: () => 'The request was aborted' },
  'request.size.invalid': { status: 400, message: () => 'The request body length does not match Content-Length' },
};

/** Status, code and message for any error an Express route raised (one mapping for every route). */
export function httpErrorOf(err: unknown): { status: number; code: ErrorCode; message: string } {
  if (err instanceof DomainError) return { status: HTTP_STATUS[err.code], code: err.code, message: err.message };
  const typed = BODY_ERRORS[(err as { type?: string })?.type ?? ''];
  if (typed) return { status: typed.status, code: ErrorCode.BAD_USER_INPUT, message: typed.message(err as { limit?: number }) };
  if (isDatabaseUnavailable(err)) return { status: 503, code: ErrorCode.SERVICE_UNAVAILABLE, message: 'The database is unreachable; retry later' };
  const status = (err as { status?: unknown })?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) return { status, code: ErrorCode.BAD_USER_INPUT, message: 'The request is not valid' };
  return { status: 500, code: ErrorCode.INTERNAL_SERVER_ERROR, message: 'Internal server error' };
}

/** Answers one error as JSON with its contract code (and Retry-After on a 503). */
export function sendJsonError(res: http.ServerResponse, err: unknown, log?: Logger): void {
  const { status, code, message } = httpErrorOf(err);
  if (status >= 500 && status !== 503) log?.error({ err }, 'request failed');
  if (res.headersSent) {
    res.destroy(); // a started answer cannot become an error: cut it so the client sees a truncated transfer
    return;
  }
  const body = errorBody(code, message);
  const headers: Record<string, string | number> = { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) };
  if (status === 503) headers['retry-after'] = RETRY_AFTER_SECONDS;
  if (status === 413) headers.connection = 'close';
  res.writeHead(status, headers);
  res.end(body);
}

/**
 * The Express error handler (register after every route): body-parser refusals (a body over a
 * route's limit is 413, not Express's HTML page), domain errors and an unreachable database
 * all answer JSON with a contract code. `jsonNotFound` answers unknown paths the same way.
 */
export function jsonErrorHandler(log: Logger) {
  return (err: unknown, _req: http.IncomingMessage, res: http.ServerResponse, _next: (err?: unknown) => void): void => {
    sendJsonError(res, err, log);
  };
}

export function jsonNotFound(_req: http.IncomingMessage, res: http.ServerResponse): void {
  sendJsonError(res, new DomainError(ErrorCode.NOT_FOUND, 'No such route'));
}
