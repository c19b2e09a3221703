import { isUtf8 } from 'node:buffer';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Services } from '../../services';
import { ErrorCode, RETRY_AFTER_SECONDS, isDatabaseUnavailable } from '../../shared/errors';
import type { Principal } from '../auth/auth.service';
import { API_KEY_PREFIX } from '../auth/tokens';
import { invalidRequestIn } from './mcp.requests';
import { createMcpServer } from './mcp.server';

/** The same request body limit as /graphql. */
const MAX_BODY = '256kb';

/** Refuses bytes that are not UTF-8 instead of replacing them, as /graphql does (415). */
const NOT_UTF8 = 'entity.not.utf8';
function assertUtf8(_req: Request, _res: Response, body: Buffer): void {
  if (!isUtf8(body)) throw Object.assign(new Error('The request body is not valid UTF-8'), { status: 415, type: NOT_UTF8 });
}

/** A JSON-RPC error answer outside any tool call (transport level); `id` is the request's when it could be read. */
function rpcError(res: Response, status: number, code: number, message: string, opts: { headers?: Record<string, string>; id?: string | number | null; data?: unknown } = {}): void {
  const error = opts.data === undefined ? { code, message } : { code, message, data: opts.data };
  res.status(status).set(opts.headers ?? {}).json({ jsonrpc: '2.0', error, id: opts.id ?? null });
}

/**
 * MCP's streamable HTTP transport at `/mcp`, stateless: every POST carries its own API key
 * (`Authorization: Bearer sfk_...`) and gets a fresh server and transport, so any instance
 * behind a load balancer can answer it and nothing lives between requests. Without sessions
 * there is no server-to-client stream, so GET and DELETE answer 405, as the specification
 * allows. Access tokens (sessions) are refused: an agent acts with a scoped, revocable key.
 */
export function registerMcpRoutes(app: Express, services: Services): void {
  const refuseMethod = (_req: Request, res: Response) => rpcError(res, 405, -32000, 'Method not allowed: this MCP endpoint is stateless; send JSON-RPC with POST', { headers: { allow: 'POST' } });
  app.get('/mcp', refuseMethod);
  app.delete('/mcp', refuseMethod);

  // The key is checked before the body is read: a caller without one gets 401, whatever it sent.
  const authenticate = async (req: Request, res: Response, next: NextFunction) => {
    const authorization = req.headers.authorization ?? '';
    const sentKey = /^Bearer\s+sfk_/i.test(authorization);
    const principal = sentKey ? await services.auth.authenticate(authorization) : null;
    if (principal && principal.via === 'apiKey') {
      res.locals.principal = principal;
      return next();
    }
    const why = sentKey
      ? 'this API key is not valid: revoked, or never issued'
      : `send Authorization: Bearer ${API_KEY_PREFIX}... with an API key (createApiKey); access tokens are not accepted here`;
    rpcError(res, 401, -32001, `UNAUTHENTICATED: ${why}`, { headers: { 'www-authenticate': 'Bearer' } });
  };

  // inflate: false, as /graphql: a compressed body is refused (415), never decompressed.
  app.post('/mcp', authenticate, express.json({ limit: MAX_BODY, verify: assertUtf8, inflate: false }), async (req: Request, res: Response) => {
    const invalid = invalidRequestIn(req.body);
    if (invalid) return rpcError(res, 400, -32602, invalid.message, { id: invalid.id, data: { code: ErrorCode.BAD_USER_INPUT } });
    const principal = res.locals.principal as Principal;
    const server = createMcpServer(services, async () => principal);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    try {
      await server.connect(transport);
      await transport.handleRequest(req, res, req.body);
    } catch (err) {
      services.log.error({ err }, 'MCP request failed');
      if (!res.headersSent) rpcError(res, 500, -32603, 'Internal server error');
    }
  });

  // Refusals on /mcp as JSON-RPC errors, never the GraphQL error shape: not JSON (-32700, 400), too
  // large (413), not UTF-8 or another charset or encoding (415), the database unreachable (503).
  app.use('/mcp', (err: { status?: number; type?: string }, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    if (err.type === 'entity.too.large') rpcError(res, 413, -32600, `The request body is larger than ${MAX_BODY}`);
    else if (err.type === NOT_UTF8) rpcError(res, 415, -32600, 'The request body is not valid UTF-8');
    else if (err.type === 'charset.unsupported' || err.type === 'encoding.unsupported') rpcError(res, 415, -32600, 'Send the body as UTF-8 JSON, without a content encoding');
    else if (err.status === 400) rpcError(res, 400, -32700, 'Parse error: the request body is not valid JSON');
    else if (isDatabaseUnavailable(err)) rpcError(res, 503, -32000, 'SERVICE_UNAVAILABLE: the database is unreachable; try again later', { headers: { 'retry-after': String(RETRY_AFTER_SECONDS) } });
    else next(err);
  });
}
