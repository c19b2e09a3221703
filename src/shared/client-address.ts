import type http from 'node:http';
import proxyaddr from 'proxy-addr';

/** The address a request came from, as the per-address log-in throttle counts it. */
export type ClientAddressOf = (req: http.IncomingMessage) => string;

/**
 * Reads the client's address: the socket's peer, or, behind trusted proxies (TRUST_PROXY), the
 * address they report in `X-Forwarded-For` (proxy-addr, as Express's `trust proxy` does). Behind a
 * load balancer without it, every client has the balancer's address and one client's failed
 * log-ins would lock everyone out.
 */
export function clientAddressOf(trust: false | number | string[]): ClientAddressOf {
  if (trust === false) return (req) => req.socket.remoteAddress ?? 'unknown';
  const trusted = typeof trust === 'number' ? (_address: string, hop: number) => hop < trust : proxyaddr.compile(trust);
  return (req) => proxyaddr(req, trusted) || 'unknown';
}
