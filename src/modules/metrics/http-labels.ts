import type http from 'node:http';

/** Paths served by this process, as they appear in the `route` label; anything else is "other". */
const EXACT_ROUTES = new Set(['/', '/graphql', '/metrics', '/healthz', '/readyz', '/webhooks/stripe', '/exports/usage.csv', '/mcp', '/CHANGELOG.md']);
/** Path prefixes counted as one route each (static assets, the dashboard, served documents). */
const PREFIX_ROUTES = ['/app', '/explorer', '/docs', '/schema'];
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * The `route` label of a request: a fixed set, so a client probing random URLs cannot create
 * time series. The query string never counts.
 */
export function routeOf(url: string | undefined): string {
  const query = (url ?? '').indexOf('?');
  let path = query >= 0 ? url!.slice(0, query) : (url ?? '');
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  if (EXACT_ROUTES.has(path)) return path;
  for (const prefix of PREFIX_ROUTES) if (path === prefix || path.startsWith(prefix + '/')) return prefix;
  return 'other';
}

/** The `method` label: the standard methods, anything else "other". */
export function methodOf(req: http.IncomingMessage): string {
  const method = req.method ?? '';
  return METHODS.has(method) ? method : 'other';
}
