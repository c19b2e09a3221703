import type http from 'node:http';
import { randomUUID } from 'node:crypto';
import { GraphQLError, parse, validate, type DocumentNode, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Config } from './config';
import type { Services } from './services';
import { ErrorCode } from './shared/errors';
import { parseOptionsOf, socketValidationRules } from './shared/graphql-limits';
import { createLoaders, type Context } from './modules/auth/context';
import type { Principal } from './modules/auth/auth.service';

interface Extra {
  socket: WebSocket;
  request: http.IncomingMessage;
  principal?: Principal;
  expiryTimer?: NodeJS.Timeout;
  [key: PropertyKey]: unknown;
}

/** Close code sent when the connection's access token expires; the client reconnects with a fresh one. */
export const CLOSE_TOKEN_EXPIRED = 4401;

/**
 * graphql-ws on the same path as HTTP. Authentication happens once, in `onConnect`, from
 * `connectionParams.authorization`; documents get the same depth, alias, cost, token and
 * directive limits as HTTP requests.
 */
export function startWebSocketServer(opts: {
  httpServer: http.Server;
  schema: GraphQLSchema;
  services: Services;
  config: Config;
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
}) {
  const { schema, services, config, formatError } = opts;
  const rules = socketValidationRules(config);
  const parseOptions = parseOptionsOf(config);
  const wss = new WebSocketServer({ server: opts.httpServer, path: '/graphql' });
  const format = (errors: readonly GraphQLError[]) => errors.map((e) => formatError(e.toJSON(), e));

  const server = useServer<Record<string, unknown> | undefined, Extra>(
    {
      schema,
      onConnect: async (ctx) => {
        const auth = ctx.connectionParams?.authorization;
        const principal = await services.auth.authenticate(typeof auth === 'string' ? auth : undefined);
        if (!principal) return false; // graphql-ws closes with 4403 Forbidden
        ctx.extra.principal = principal;
        if (principal.expiresAt !== null) {
          // A socket must not outlive the token that opened it.
          const ms = principal.expiresAt * 1000 - Date.now();
          ctx.extra.expiryTimer = setTimeout(() => ctx.extra.socket.close(CLOSE_TOKEN_EXPIRED, 'Token expired'), Math.max(ms, 0));
          ctx.extra.expiryTimer.unref();
        }
        return true;
      },
      onClose: (ctx) => {
        if (ctx.extra.expiryTimer) clearTimeout(ctx.extra.expiryTimer);
      },
      onSubscribe: (ctx, _id, payload) => {
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
        if (errors.length > 0) return errors.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: ErrorCode.BAD_USER_INPUT } }));
        const context: Context = {
          principal: ctx.extra.principal ?? null,
          services,
          requestId: randomUUID(),
          ip: ctx.extra.request.socket.remoteAddress ?? 'unknown',
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
    },
  };
}
