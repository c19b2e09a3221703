import type http from 'node:http';
import { randomUUID } from 'node:crypto';
import { GraphQLError, getOperationAST, getVariableValues, parse, validate, type DocumentNode, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import type { Context as WsContext } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, WebSocket } from 'ws';
import type { Config } from './config';
import type { Services } from './services';
import type { ClientAddressOf } from './shared/client-address';
import type { Logger } from './shared/logger';
import { originRefusedMessage } from './shared/cors';
import { ErrorCode, HTTP_STATUS, isDatabaseUnavailable } from './shared/errors';
import { parseOptionsOf, socketValidationRules } from './shared/graphql-limits';
import { errorBody, isGraphqlPath } from './shared/http';
import { createLoaders, type Context } from './modules/auth/context';
import type { Principal } from './modules/auth/auth.service';
import { CLOSE, type SocketHandle, type SocketRegistry } from './modules/realtime/socket-registry';

interface Extra {
  socket: WebSocket;
  request: http.IncomingMessage;
  principal?: Principal;
  handle?: SocketHandle;
  expiryTimer?: NodeJS.Timeout;
  /** Its credential ended (revoked or expired): no new operation runs while the socket closes. */
  ended?: boolean;
  [key: PropertyKey]: unknown;
}

type Ctx = WsContext<Record<string, unknown> | undefined, Extra>;

/**
 * Variables that do not fit their declared types, as HTTP answers them (BAD_USER_INPUT) and before
 * execution: graphql-js would report them from execute(), where they look like any other error.
 */
function variableErrors(schema: GraphQLSchema, document: DocumentNode, payload: { operationName?: string | null; variables?: Record<string, unknown> | null }): readonly GraphQLError[] {
  const operation = getOperationAST(document, payload.operationName ?? undefined);
  if (!operation) return []; // execute() names the problem (no such operation, or a name needed)
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], payload.variables ?? {}, { maxErrors: 10 });
  return coerced.errors ?? [];
}

/** Longest wait for the `complete` messages of a socket being ended before its close frame goes. */
const COMPLETE_GRACE_MS = 200;
/** How long a client that does not answer our close frame keeps its connection (ws would wait 30 s). */
const CLOSE_HANDSHAKE_MS = 1000;

/**
 * graphql-ws on the same path as HTTP, hardened like it:
 * - a message larger than the HTTP body limit is refused by ws before it is parsed (1009), the
 *   first one (connection_init) included; a socket that sends no connection_init within
 *   `ws.initTimeoutMs` is closed (4408), so an unauthenticated socket holds little for little time;
 * - authentication once, in `onConnect`, from `connectionParams.authorization`; then admission
 *   under the per-account and per-API-key socket limits across instances (socket-registry.ts);
 * - the same parse and validation limits as HTTP, introspection refused when it is off, field
 *   suggestions removed (formatError), and at most `ws.maxOperationsPerSocket` operations at once;
 * - a socket ends with its credential: at access-token expiry (4419, retried by the stock client,
 *   whose `connectionParams` function then supplies a fresh token) and at revocation of its API key
 *   or session (operations completed, then 4401, not retried). Every operation is authenticated
 *   again, as an HTTP request is, so none runs once the credential has ended, whether or not the
 *   client heeds the close frame; a client that does not answer it is cut off after a second.
 */
export function startWebSocketServer(opts: {
  httpServer: http.Server;
  schema: GraphQLSchema;
  services: Services;
  config: Config;
  registry: SocketRegistry;
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  /** The CORS_ORIGINS allowlist applied to the upgrade (shared/cors.ts); refused with a JSON 403 (upgradeRefusal). */
  originAllowed: (req: http.IncomingMessage) => boolean;
  /** The client's address (shared/client-address.ts, TRUST_PROXY). */
  clientAddress: ClientAddressOf;
}) {
  const { schema, services, config, registry, formatError } = opts;
  const rules = socketValidationRules(config);
  const parseOptions = parseOptionsOf(config);
  const wss = new WebSocketServer({
    server: opts.httpServer,
    maxPayload: config.limits.maxBodyBytes,
    verifyClient: (info, done) => {
      const refusal = upgradeRefusal(info.req, opts.originAllowed);
      if (!refusal) return done(true);
      // ws writes the body as given; its default Content-Type (text/html) is replaced.
      done(false, HTTP_STATUS[refusal.code], errorBody(refusal.code, refusal.message), { 'Content-Type': 'application/json; charset=utf-8' });
    },
  });
  wss.on('connection', quietClientFaults(services.log)); // registered before graphql-ws's own listener
  const format = (errors: readonly GraphQLError[]) => errors.map((e) => formatError(e.toJSON(), e));

  const server = useServer<Record<string, unknown> | undefined, Extra>(
    {
      schema,
      connectionInitWaitTimeout: config.ws.initTimeoutMs,
      onConnect: (ctx) => connect(ctx, services, registry),
      onClose: (ctx) => {
        if (ctx.extra.expiryTimer) clearTimeout(ctx.extra.expiryTimer);
        if (ctx.extra.handle) registry.release(ctx.extra.handle);
      },
      onSubscribe: async (ctx, _id, payload) => {
        // Counted on arrival, before any await: graphql-ws has already added this operation to
        // ctx.subscriptions, and operations sent after it are added while this one awaits, so a
        // count taken later refused them and this one alike, not only the extra ones.
        const running = Object.keys(ctx.subscriptions).length;
        if (!(await credentialStillValid(ctx, services))) {
          return [new GraphQLError('The credential this socket was opened with has ended', { extensions: { code: ErrorCode.UNAUTHENTICATED } })];
        }
        if (running > config.ws.maxOperationsPerSocket) {
          return [new GraphQLError(`At most ${config.ws.maxOperationsPerSocket} operations may run at once on one socket`, { extensions: { code: ErrorCode.RATE_LIMITED } })];
        }
        let document: DocumentNode;
        try {
          document = parse(payload.query, parseOptions);
        } catch (err) {
          return [new GraphQLError((err as Error).message, { extensions: { code: ErrorCode.BAD_USER_INPUT } })];
        }
        let errors: readonly GraphQLError[];
        try {
          errors = validate(schema, document, rules);
        } catch (err) {
          // graphql-armor rules throw their rejection (propagateOnRejection); without this the
          // socket would be closed with 4500 instead of the operation getting an error.
          if (!(err instanceof GraphQLError)) throw err;
          errors = [err];
        }
        if (errors.length === 0) errors = variableErrors(schema, document, payload);
        if (errors.length > 0) return errors.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: ErrorCode.BAD_USER_INPUT } }));
        const context: Context = {
          principal: ctx.extra.principal ?? null,
          services,
          requestId: randomUUID(),
          ip: opts.clientAddress(ctx.extra.request),
          loaders: createLoaders(services),
        };
        return { schema, document, variableValues: payload.variables ?? undefined, operationName: payload.operationName ?? undefined, contextValue: context };
      },
      onError: (_ctx, _id, _payload, errors) => format(errors),
      onNext: (_ctx, _id, _payload, _args, result) => (result.errors ? { ...result, errors: format(result.errors) } : undefined),
    },
    wss,
  );

  return {
    wss,
    async close(): Promise<void> {
      for (const client of wss.clients) client.close(1001, 'Server shutting down');
      await server.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await registry.clear();
    },
  };
}

/**
 * Why an upgrade is refused before it becomes a socket, or null: a path other than the GraphQL
 * path (404 NOT_FOUND; the HTTP routes answer it, not the socket) or an Origin outside
 * CORS_ORIGINS (403 FORBIDDEN). Answered as JSON in GraphQL's error shape, as the HTTP routes
 * answer; ws's own protocol refusals (a bad key or version) stay its plain 400.
 */
function upgradeRefusal(req: http.IncomingMessage, originAllowed: (req: http.IncomingMessage) => boolean): { code: ErrorCode; message: string } | null {
  if (!isGraphqlPath(req.url)) return { code: ErrorCode.NOT_FOUND, message: 'No WebSocket endpoint at this path: connect graphql-ws to /graphql' };
  if (!originAllowed(req)) return { code: ErrorCode.FORBIDDEN, message: originRefusedMessage(req.headers.origin ?? '') };
  return null;
}

/** `onConnect`: authenticate, admit under the socket limits, register for revocation, arm the expiry. */
async function connect(ctx: Ctx, services: Services, registry: SocketRegistry): Promise<boolean> {
  const socket = ctx.extra.socket;
  const auth = ctx.connectionParams?.authorization;
  let principal: Principal | null;
  let admitted: Awaited<ReturnType<SocketRegistry['admit']>>;
  const authenticatedAt = registry.currentGeneration();
  try {
    principal = await services.auth.authenticate(typeof auth === 'string' ? auth : undefined);
    if (!principal) return false; // graphql-ws closes with 4403 Forbidden
    admitted = await registry.admit(principal);
  } catch (err) {
    if (!isDatabaseUnavailable(err)) throw err;
    socket.close(CLOSE.TRY_AGAIN_LATER, 'Database unreachable: try again later');
    return false;
  }
  if ('refused' in admitted) {
    socket.close(CLOSE.TOO_MANY_SOCKETS, `Too many sockets: ${admitted.refused}`);
    return false;
  }
  const handle: SocketHandle = { id: admitted.id, principal, end: (code, reason) => void endSocket(ctx, code, reason) };
  if (socket.readyState !== WebSocket.OPEN) {
    registry.release(handle); // closed while we were admitting it: onClose found no handle to release
    return false;
  }
  ctx.extra.principal = principal;
  ctx.extra.handle = handle;
  registry.register(handle, authenticatedAt);
  if (principal.expiresAt !== null) {
    // A socket must not outlive the token that opened it; the client reconnects with a fresh one.
    const ms = principal.expiresAt * 1000 - Date.now();
    ctx.extra.expiryTimer = setTimeout(() => closeEnded(ctx, CLOSE.TOKEN_EXPIRED, 'Token expired'), Math.max(ms, 0));
    ctx.extra.expiryTimer.unref();
  }
  return true;
}

/**
 * Whether the socket's credential still holds, checked like an HTTP request's (the same caches
 * and revocations): false once the socket was ended, or its token expired or was revoked.
 */
async function credentialStillValid(ctx: Ctx, services: Services): Promise<boolean> {
  if (ctx.extra.ended || ctx.extra.socket.readyState !== WebSocket.OPEN) return false;
  const auth = ctx.connectionParams?.authorization;
  let valid: boolean;
  try {
    valid = (await services.auth.authenticate(typeof auth === 'string' ? auth : undefined)) !== null;
  } catch (err) {
    if (!isDatabaseUnavailable(err)) throw err;
    valid = true; // the operation meets the outage itself, with its 503 code
  }
  // The socket may have been ended while the credential was being looked up.
  return valid && !ctx.extra.ended;
}

/** Completes the operations running when the credential ended (graphql-ws sends each `complete`), then closes the socket. */
async function endSocket(ctx: Ctx, code: number, reason: string): Promise<void> {
  ctx.extra.ended = true;
  const running = Object.entries(ctx.subscriptions);
  const generators = running.map(([, s]) => s).filter((s): s is AsyncGenerator => !!s && typeof (s as AsyncGenerator).return === 'function');
  await Promise.allSettled(generators.map((s) => s.return(undefined)));
  const stillRunning = () => running.some(([id]) => id in ctx.subscriptions);
  for (const deadline = Date.now() + COMPLETE_GRACE_MS; stillRunning() && Date.now() < deadline; ) {
    await new Promise((r) => setTimeout(r, 5));
  }
  closeEnded(ctx, code, reason);
}

/** Sends the close frame of an ended socket, and cuts the connection if the client does not answer it. */
function closeEnded(ctx: Ctx, code: number, reason: string): void {
  ctx.extra.ended = true;
  const socket = ctx.extra.socket;
  socket.close(code, reason);
  setTimeout(() => {
    if (socket.readyState !== WebSocket.CLOSED) socket.terminate();
  }, CLOSE_HANDSHAKE_MS).unref();
}

/**
 * ws reports a client's protocol fault (a message over maxPayload, invalid UTF-8, a bad frame)
 * as an 'error' event after it has already closed the socket with the right code (1009, 1007,
 * 1002). graphql-ws would log that as an internal error and try to close with 4500; it is the
 * client's fault, so it is logged at debug and not passed on.
 */
function quietClientFaults(log: Logger) {
  return (socket: WebSocket): void => {
    const emit = socket.emit.bind(socket);
    socket.emit = ((event: string | symbol, ...args: unknown[]) => {
      const code = (args[0] as { code?: unknown } | undefined)?.code;
      if (event === 'error' && typeof code === 'string' && code.startsWith('WS_ERR_')) {
        log.debug({ err: args[0] }, 'WebSocket client protocol fault; closed');
        return true;
      }
      return emit(event, ...args);
    }) as typeof socket.emit;
  };
}
