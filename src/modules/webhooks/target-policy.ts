import dns from 'node:dns';
import net from 'node:net';
import type { LookupFunction } from 'node:net';
import type { WebhooksConfig } from '../../config';
import { badInput } from '../../shared/errors';

/**
 * Where webhooks may be sent (server-side request forgery defence). With `blockPrivateTargets`
 * (production default) a target must resolve only to public unicast addresses: loopback,
 * private (RFC 1918, unique local), link-local (which holds the cloud metadata address
 * 169.254.169.254), carrier-grade NAT (100.64.0.0/10, Alibaba's metadata address), multicast,
 * documentation, benchmarking and reserved ranges are refused, for IPv4, IPv6 and IPv4 mapped
 * into IPv6. The check runs twice: when an endpoint is created or changed (a clear error for the
 * user), and at every delivery on the address the connection actually uses (the socket's DNS
 * lookup goes through `guardedLookup`), so a name that resolves to a public address at creation
 * and to 127.0.0.1 later (DNS rebinding) is still refused. `allowedTargets` (hostnames and CIDR
 * ranges) exempts on-premise receivers. Redirects are never followed (webhook.sender.ts).
 */

const BLOCKED_V4: [string, number][] = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];
const BLOCKED_V6: [string, number][] = [
  ['::', 96], // IPv4-compatible (deprecated): ::7f00:1 is 127.0.0.1 to some stacks; includes :: and ::1
  ['::ffff:0:0:0', 96], // IPv4-translated (::ffff:0:7f00:1); IPv4-mapped ::ffff:0:0/96 is unmapped() below
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
];

const blocked = new net.BlockList();
for (const [address, prefix] of BLOCKED_V4) blocked.addSubnet(address, prefix, 'ipv4');
for (const [address, prefix] of BLOCKED_V6) blocked.addSubnet(address, prefix, 'ipv6');

/** `::ffff:127.0.0.1` and `::ffff:7f00:1` are 127.0.0.1. */
function unmapped(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const lower = address.toLowerCase();
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return { address: dotted[1], family: 'ipv4' };
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex) {
    const high = parseInt(hex[1], 16);
    const low = parseInt(hex[2], 16);
    return { address: `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`, family: 'ipv4' };
  }
  return { address: lower, family: net.isIPv4(lower) ? 'ipv4' : 'ipv6' };
}

export class TargetPolicy {
  private readonly allowedHosts = new Set<string>();
  private readonly allowedNetworks = new net.BlockList();

  constructor(private readonly config: Pick<WebhooksConfig, 'requireHttps' | 'blockPrivateTargets' | 'allowedTargets'>) {
    for (const entry of config.allowedTargets) {
      const [address, prefix] = entry.split('/');
      if (net.isIP(address)) {
        const family = net.isIPv4(address) ? 'ipv4' : 'ipv6';
        this.allowedNetworks.addSubnet(address, prefix === undefined ? (family === 'ipv4' ? 32 : 128) : Number(prefix), family);
      } else {
        this.allowedHosts.add(entry);
      }
    }
  }

  /** Whether a connection to this address is allowed. */
  addressAllowed(address: string): boolean {
    if (!this.config.blockPrivateTargets) return true;
    const plain = unmapped(address);
    if (this.allowedNetworks.check(plain.address, plain.family)) return true;
    return !blocked.check(plain.address, plain.family);
  }

  private hostAllowlisted(hostname: string): boolean {
    return this.allowedHosts.has(hostname.toLowerCase());
  }

  /** The URL's form: http(s), no credentials, https where required. BAD_USER_INPUT otherwise. */
  parse(raw: string): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw badInput('url must be an absolute http(s) URL');
    }
    // Both as sent and as stored: normalising percent-encodes (one "é" becomes six characters).
    if (raw.length > 2048 || url.href.length > 2048) throw badInput('url must be at most 2048 characters (once percent-encoded)');
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw badInput('url must use https (or http outside production)');
    if (this.config.requireHttps && url.protocol !== 'https:') throw badInput('url must use https');
    if (url.username || url.password) throw badInput('url must not contain credentials');
    return url;
  }

  /**
   * Creation-time check: the host (an address, or every address its name resolves to) must be
   * allowed. BAD_USER_INPUT for a refused or unresolvable host.
   */
  async assertTarget(url: URL): Promise<void> {
    if (!this.config.blockPrivateTargets) return;
    const host = hostOf(url);
    if (this.hostAllowlisted(host)) return;
    const addresses = net.isIP(host) ? [host] : await resolveAll(host);
    const refused = addresses.filter((address) => !this.addressAllowed(address));
    if (refused.length > 0) throw badInput(`url resolves to a non-public address (${refused[0]}); webhooks are only sent to public internet addresses`);
  }

  /**
   * Delivery-time check of a literal address host (sockets skip the DNS lookup for those); names
   * are checked by `guardedLookup` as the socket resolves them. Returns a reason to refuse, or null.
   */
  refusalFor(url: URL): string | null {
    if (this.config.requireHttps && url.protocol !== 'https:') return 'refused: https is required';
    const host = hostOf(url);
    if (net.isIP(host) && !this.hostAllowlisted(host) && !this.addressAllowed(host)) return `refused: ${host} is not a public address`;
    return null;
  }

  /** A `lookup` for http(s).request that fails the connection when a resolved address is refused. */
  guardedLookup(hostname: string): LookupFunction {
    const exempt = this.hostAllowlisted(hostname) || !this.config.blockPrivateTargets;
    return (name, options, callback) => {
      dns.lookup(name, { ...options, all: true }, (err, addresses) => {
        if (err) return callback(err, '', 0);
        const list = addresses as dns.LookupAddress[];
        const refused = exempt ? undefined : list.find((entry) => !this.addressAllowed(entry.address));
        if (refused) return callback(Object.assign(new Error(`refused: ${name} resolves to ${refused.address}, not a public address`), { code: 'EWEBHOOKTARGET' }), '', 0);
        if ((options as dns.LookupOptions).all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
        return callback(null, list[0].address, list[0].family);
      });
    };
  }
}

/** The host without IPv6 brackets. */
const hostOf = (url: URL): string => url.hostname.replace(/^\[(.*)\]$/, '$1');

async function resolveAll(host: string): Promise<string[]> {
  try {
    return (await dns.promises.lookup(host, { all: true })).map((entry) => entry.address);
  } catch {
    throw badInput(`url host "${host}" does not resolve`);
  }
}
