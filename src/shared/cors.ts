import type http from 'node:http';
import cors from 'cors';

/**
 * Which browser pages may call the API: one allowlist (CORS_ORIGINS, see config.ts) for HTTP
 * (CORS, through the `cors` package) and for the WebSocket upgrade (an Origin check), so a page
 * that may not read a query's answer cannot subscribe to the same data either.
 *
 * Credentials rule: tokens and API keys travel in the `Authorization` header, never in cookies,
 * so answers never carry `Access-Control-Allow-Credentials` and a page on an allowed origin only
 * reaches data it already holds a token for.
 */
export type OriginAllowed = (origin: string) => boolean;

/** Compiles CORS_ORIGINS entries (`https://a.example`, `http://localhost:*`, `*`) into one test. */
export function originMatcher(entries: readonly string[]): OriginAllowed {
  if (entries.includes('*')) return () => true;
  const exact = new Set<string>();
  const anyPortOf = new Set<string>();
  for (const entry of entries) {
    const lower = entry.toLowerCase();
    if (lower.endsWith(':*')) anyPortOf.add(lower.slice(0, -2));
    else exact.add(lower);
  }
  return (origin) => {
    const lower = origin.toLowerCase();
    if (exact.has(lower)) return true;
    // `host:*` also covers the default port, for which browsers send no port at all.
    return anyPortOf.has(lower.replace(/:\d+$/, ''));
  };
}

/** Headers a page may send and read. */
// What stock clients send: Apollo Client with a name and version, and MCP clients (their protocol version and session).
const ALLOWED_HEADERS = [
  'Authorization',
  'Content-Type',
  'Accept',
  'X-Request-Id',
  'Apollo-Require-Preflight',
  'Apollographql-Client-Name',
  'Apollographql-Client-Version',
  'Mcp-Protocol-Version',
  'Mcp-Session-Id',
];
const EXPOSED_HEADERS = ['X-Request-Id', 'Retry-After', 'Content-Disposition'];
/** Browsers cache a successful preflight this long (seconds), so a page sends one per 10 minutes, not one per call. */
const PREFLIGHT_MAX_AGE = 600;

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, next: () => void) => void;

/**
 * CORS for every HTTP route, `/graphql` included (which bypasses Express: see app.ts): preflights
 * from allowed origins are answered 204 here; a preflight from any other origin gets a JSON 403
 * (instead of reaching Apollo's CSRF check or a 404), so the refusal is plain in the browser's
 * network panel. Same-origin pages need no CORS and are unaffected.
 */
export function corsHandler(allowed: OriginAllowed): Handler {
  const apply = cors({
    origin: (origin, callback) => callback(null, origin !== undefined && allowed(origin)),
    methods: ['GET', 'HEAD', 'POST', 'OPTIONS'],
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
    credentials: false,
    maxAge: PREFLIGHT_MAX_AGE,
    optionsSuccessStatus: 204,
  });
  return (req, res, next) => {
    const origin = req.headers.origin;
    if (origin === undefined) return next();
    // The answer differs by Origin even when refused: shared caches must key on it.
    res.setHeader('vary', 'Origin');
    const isPreflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    if (isPreflight && !allowed(origin)) return refusePreflight(res, origin);
    apply(req as never, res as never, next);
  };
}

/** The message of a refused Origin, for a preflight and for a WebSocket upgrade (ws.ts). */
export const originRefusedMessage = (origin: string): string => `Origin ${origin.slice(0, 200)} is not allowed: add it to CORS_ORIGINS`;

function refusePreflight(res: http.ServerResponse, origin: string): void {
  const body = JSON.stringify({
    errors: [{ message: originRefusedMessage(origin), extensions: { code: 'FORBIDDEN' } }],
  });
  res.writeHead(403, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * The WebSocket side of the same allowlist (browsers do not apply CORS to WebSockets; the server
 * must check `Origin` itself). Clients that send no Origin (servers, scripts) and pages served by
 * this API itself (the explorer, the dashboard) are allowed.
 */
export function webSocketOriginAllowed(allowed: OriginAllowed): (req: http.IncomingMessage) => boolean {
  return (req) => {
    const origin = req.headers.origin;
    if (origin === undefined) return true;
    return isSameOrigin(origin, req.headers.host) || allowed(origin);
  };
}

function isSameOrigin(origin: string, host: string | undefined): boolean {
  try {
    return host !== undefined && new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}
