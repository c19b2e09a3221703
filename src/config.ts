import fs from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import proxyaddr from 'proxy-addr';
import { backoffMs } from './shared/background-worker';

import { LOG_LEVELS, type PriceBookName, type NodeEnv, type LogLevel, type Config, type BillingConfig, type MetricsConfig, type WebhooksConfig } from './config.types';

/**
 * The only reader of the environment. Everything else receives a validated `Config`
 * (its shape: config.types.ts).
 * `loadConfig` collects every problem and throws one message listing them all, so an
 * operator fixes a bad deployment in one pass.
 */
export type { PriceBookName, NodeEnv, LogLevel, Config, BillingConfig, MetricsConfig, WebhooksConfig, AutoTopUpConfig } from './config.types';

/** Browser pages served from this machine on any port: the development default of CORS_ORIGINS. */
const DEV_CORS_ORIGINS = 'http://localhost:*,http://127.0.0.1:*,http://[::1]:*';
/** scheme://host[:port | :*], nothing after it. */
const ORIGIN_PATTERN = /^https?:\/\/(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:(\d{1,5}|\*))?$/i;

const nonEmpty = (v: string | undefined): string | undefined => (v === undefined || v.trim() === '' ? undefined : v.trim());

/**
 * Reads one variable at a time and collects every problem, so a misconfigured deployment hears
 * about all of them at once (ConfigError) instead of one per restart.
 */
class EnvReader {
  readonly problems: string[] = [];
  readonly warnings: string[] = [];

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  /** The trimmed value, or undefined when unset or blank. */
  text(name: string): string | undefined {
    return nonEmpty(this.env[name]);
  }

  int(name: string, def: number, min: number, max: number): number {
    const raw = this.text(name);
    if (raw === undefined) return def;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      this.problems.push(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
      return def;
    }
    return Number(raw);
  }

  bool(name: string, def: boolean): boolean {
    const raw = this.text(name);
    if (raw === undefined) return def;
    if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
    if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
    this.problems.push(`${name} must be true or false (got "${raw}")`);
    return def;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], def: T): T {
    const raw = this.text(name);
    if (raw === undefined) return def;
    if (!(allowed as readonly string[]).includes(raw)) {
      this.problems.push(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
      return def;
    }
    return raw as T;
  }

  /** A comma-separated list, each entry trimmed (and lower-cased when asked). */
  list(name: string, def = '', lowerCase = false): string[] {
    return (this.text(name) ?? def)
      .split(',')
      .map((entry) => (lowerCase ? entry.trim().toLowerCase() : entry.trim()))
      .filter(Boolean);
  }

  /** "a=1,b=2" pairs (STRIPE_PRICE_IDS, PLAN_PRICES). */
  pairs(name: string, valueRe: RegExp): Record<string, string> {
    const out: Record<string, string> = {};
    for (const part of this.list(name)) {
      const m = /^([\w.-]+)=(.+)$/.exec(part);
      if (!m || !valueRe.test(m[2].trim())) {
        this.problems.push(`${name} must be comma-separated id=value pairs (bad entry "${part}")`);
        continue;
      }
      out[m[1]] = m[2].trim();
    }
    return out;
  }

  url(name: string, def: string): string {
    const raw = this.text(name) ?? def;
    if (!/^https?:\/\/[^/]+/.test(raw)) this.problems.push(`${name} must be an http(s) URL (got "${raw}")`);
    return raw;
  }

  /** Adds a problem when `ok` is false. */
  check(ok: boolean, problem: string): void {
    if (!ok) this.problems.push(problem);
  }

  /** Adds a warning (logged at startup, not refused) when `ok` is false. */
  warnUnless(ok: boolean, warning: string): void {
    if (!ok) this.warnings.push(warning);
  }
}

/** The oldest Node major the service runs on: the ledger's ids come from node:crypto's randomUUIDv7. */
export const MINIMUM_NODE_MAJOR = 24;

/**
 * Why this Node cannot run the service, or null. `npm ci` installs Node 24 into node_modules and
 * the npm scripts run it; a bare `node` may be the system's older one, on which reads work and
 * every charge would fail.
 */
export function runtimeProblem(nodeVersion: string): string | null {
  const major = Number(nodeVersion.split('.')[0]);
  if (major >= MINIMUM_NODE_MAJOR) return null;
  return `Node ${MINIMUM_NODE_MAJOR} or later is required (this is Node ${nodeVersion}): run the compiled files through the npm scripts or \`npx node ...\`, which use the Node 24 that npm ci installed`;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, nodeVersion: string = process.versions.node): Config {
  const r = new EnvReader(env);
  const tooOld = runtimeProblem(nodeVersion);
  r.check(tooOld === null, tooOld ?? '');
  const nodeEnv = r.oneOf<NodeEnv>('NODE_ENV', ['development', 'production', 'test'], 'development');
  const databaseUrl = r.text('DATABASE_URL');
  r.check(databaseUrl === undefined || /^postgres(ql)?:\/\//.test(databaseUrl), 'DATABASE_URL must be a postgres:// or postgresql:// URL');
  // The embedded database is a local run; a database of its own usually means a deployment.
  r.warnUnless(
    databaseUrl === undefined || r.text('NODE_ENV') !== undefined,
    'DATABASE_URL is set but NODE_ENV is not, so this runs as development: error answers carry internal details, CORS allows any localhost page, the explorer and introspection are on. Set NODE_ENV=production to deploy, or NODE_ENV=development to silence this',
  );
  const markup = r.text('PASS_THROUGH_MARKUP') ?? '1';
  r.check(/^\d+(\.\d{1,6})?$/.test(markup) && Number(markup) > 0, `PASS_THROUGH_MARKUP must be a positive decimal like "1.25" (got "${markup}")`);
  const stripeApiBase = r.text('STRIPE_API_BASE');
  r.check(stripeApiBase === undefined || /^https?:\/\/[^/]+/.test(stripeApiBase), 'STRIPE_API_BASE must be an http(s) URL');
  const smtpUrl = r.text('SMTP_URL');
  r.check(smtpUrl === undefined || /^smtps?:\/\//.test(smtpUrl), 'SMTP_URL must be an smtp:// or smtps:// URL');
  const mcpApiKey = r.text('MCP_API_KEY');
  r.check(mcpApiKey === undefined || /^sfk_\S+$/.test(mcpApiKey), 'MCP_API_KEY must be an API key (sfk_...), as createApiKey returned it');

  const config: Config = {
    nodeEnv,
    port: r.int('PORT', 4000, 0, 65535),
    workers: r.int('WORKERS', 1, 1, 64),
    host: r.text('HOST') ?? '0.0.0.0',
    databaseUrl,
    dataDir: path.resolve(r.text('DATA_DIR') ?? path.join(__dirname, '..', '..', '.data')),
    webDir: path.resolve(r.text('WEB_DIR') ?? path.join(projectRoot(), 'dist', 'web')),
    embeddedPgPort: r.int('EMBEDDED_PG_PORT', 54329, 1, 65535),
    dbPoolSize: r.int('DB_POOL_SIZE', 20, 2, 500),
    dbTimeouts: { acquireMs: r.int('DB_ACQUIRE_TIMEOUT_MS', 30_000, 100, 600_000), connectMs: r.int('DB_CONNECT_TIMEOUT_MS', 10_000, 100, 600_000) },
    logLevel: r.oneOf<LogLevel>('LOG_LEVEL', LOG_LEVELS, nodeEnv === 'test' ? 'silent' : 'info'),
    priceBook: r.oneOf<PriceBookName>('PRICE_BOOK', ['synfluencer', 'influgen'], 'synfluencer'),
    signupBonusMicros: readSignupBonus(r),
    passThroughMarkup: markup,
    adminEmails: new Set(r.list('ADMIN_EMAILS', '', true)),
    jwt: readJwt(r, nodeEnv),
    login: {
      maxFailures: r.int('LOGIN_MAX_FAILURES', 10, 1, 1000),
      windowSeconds: r.int('LOGIN_WINDOW_SECONDS', 900, 1, 86400),
      maxSignUpsPerHour: r.int('SIGNUP_MAX_PER_HOUR', nodeEnv === 'test' ? 0 : 20, 0, 1_000_000),
    },
    passwordHashCost: r.int('PASSWORD_HASH_COST', nodeEnv === 'test' ? 12 : 15, 10, 20),
    introspection: r.bool('GRAPHQL_INTROSPECTION', nodeEnv !== 'production'),
    corsOrigins: readCorsOrigins(r, nodeEnv),
    trustProxy: readTrustProxy(r),
    explorer: r.bool('GRAPHQL_EXPLORER', nodeEnv !== 'production'),
    ledgerBatchWindowMs: r.int('LEDGER_BATCH_WINDOW_MS', 0, 0, 100),
    ledgerMaxBatch: r.int('LEDGER_MAX_BATCH', 200, 1, 5000),
    ledgerMaxConcurrentBatches: r.int('LEDGER_MAX_CONCURRENT_BATCHES', 4, 1, 256),
    sweepIntervalMs: r.int('SWEEP_INTERVAL_MS', 5000, 50, 3_600_000),
    usageRollup: r.bool('USAGE_ROLLUP', true),
    limits: {
      maxDepth: r.int('GRAPHQL_MAX_DEPTH', 10, 2, 100),
      maxAliases: r.int('GRAPHQL_MAX_ALIASES', 15, 1, 1000),
      maxCost: r.int('GRAPHQL_MAX_COST', 5000, 10, 1_000_000),
      maxTokens: r.int('GRAPHQL_MAX_TOKENS', 2000, 50, 100_000),
      maxDirectives: r.int('GRAPHQL_MAX_DIRECTIVES', 20, 1, 1000),
      maxBodyBytes: r.int('GRAPHQL_MAX_BODY_BYTES', 256 * 1024, 1024, 64 * 1024 * 1024),
    },
    ws: {
      maxSocketsPerAccount: r.int('WS_MAX_SOCKETS_PER_ACCOUNT', 50, 1, 100_000),
      maxSocketsPerApiKey: r.int('WS_MAX_SOCKETS_PER_API_KEY', 20, 1, 100_000),
      maxOperationsPerSocket: r.int('WS_MAX_OPERATIONS_PER_SOCKET', 20, 1, 10_000),
      initTimeoutMs: r.int('WS_INIT_TIMEOUT_MS', 3000, 100, 600_000),
    },
    stripe: { secretKey: r.text('STRIPE_SECRET_KEY'), webhookSecret: r.text('STRIPE_WEBHOOK_SECRET'), apiBase: stripeApiBase },
    billing: readBilling(r),
    smtpUrl,
    mcpApiKey,
    realtime: {
      publish: r.bool('REALTIME_PUBLISH', true),
      coalesceMs: r.int('REALTIME_COALESCE_MS', 3, 0, 1000),
      pollMs: r.int('REALTIME_POLL_MS', 500, 20, 60_000),
    },
    metrics: readMetrics(r),
    webhooks: readWebhooks(r, nodeEnv),
    autoTopUp: {
      pollMs: r.int('AUTO_TOP_UP_POLL_MS', 5000, 20, 3_600_000),
      maxFailures: r.int('AUTO_TOP_UP_MAX_FAILURES', 3, 1, 100),
      retryAfterSeconds: r.int('AUTO_TOP_UP_RETRY_AFTER_SECONDS', 3600, 0, 604_800),
      reconcileAfterMs: r.int('AUTO_TOP_UP_RECONCILE_AFTER_MS', 600_000, 100, 86_400_000),
    },
    email: {
      from: r.text('MAIL_FROM') ?? 'Synfluencer Credits <no-reply@synfluencer.local>',
      pollMs: r.int('EMAIL_POLL_MS', 1000, 20, 3_600_000),
      retryBaseMs: r.int('EMAIL_RETRY_BASE_MS', 5000, 10, 3_600_000),
      retryMaxMs: r.int('EMAIL_RETRY_MAX_MS', 600_000, 10, 86_400_000),
      maxAttempts: r.int('EMAIL_MAX_ATTEMPTS', 20, 1, 1000),
    },
    warnings: r.warnings, // after every reader above has added its own
  };
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return config;
}

function readSignupBonus(r: EnvReader): bigint | undefined {
  const raw = r.text('SIGNUP_BONUS');
  if (raw === undefined) return undefined;
  if (!/^\d+(\.\d{1,6})?$/.test(raw)) {
    r.check(false, `SIGNUP_BONUS must be a non-negative credit amount like "5" or "2.5" (got "${raw}")`);
    return undefined;
  }
  const [whole, frac = ''] = raw.split('.');
  return BigInt(whole) * 1_000_000n + BigInt(frac.padEnd(6, '0'));
}

function readJwt(r: EnvReader, nodeEnv: NodeEnv): Config['jwt'] {
  const privateKeyPem = r.text('JWT_PRIVATE_KEY')?.replace(/\\n/g, '\n');
  const publicKeyPem = r.text('JWT_PUBLIC_KEY')?.replace(/\\n/g, '\n');
  r.check((privateKeyPem === undefined) === (publicKeyPem === undefined), 'JWT_PRIVATE_KEY and JWT_PUBLIC_KEY must be given together');
  r.check(privateKeyPem === undefined || privateKeyPem.includes('PRIVATE KEY'), 'JWT_PRIVATE_KEY must be a PEM private key');
  r.check(publicKeyPem === undefined || publicKeyPem.includes('PUBLIC KEY'), 'JWT_PUBLIC_KEY must be a PEM public key');
  r.check(nodeEnv !== 'production' || privateKeyPem !== undefined, 'JWT_PRIVATE_KEY and JWT_PUBLIC_KEY are required when NODE_ENV=production');
  return {
    privateKeyPem,
    publicKeyPem,
    issuer: r.text('JWT_ISSUER') ?? 'synfluencer-credits',
    audience: r.text('JWT_AUDIENCE') ?? 'synfluencer-credits-api',
    accessTtlSeconds: r.int('ACCESS_TOKEN_TTL_SECONDS', 900, 10, 86400),
    refreshTtlSeconds: r.int('REFRESH_TOKEN_TTL_SECONDS', 30 * 86400, 60, 365 * 86400),
  };
}

function readCorsOrigins(r: EnvReader, nodeEnv: NodeEnv): string[] {
  const origins = r.list('CORS_ORIGINS', nodeEnv === 'production' ? '' : DEV_CORS_ORIGINS);
  for (const origin of origins) {
    r.check(
      origin === '*' || ORIGIN_PATTERN.test(origin),
      `CORS_ORIGINS entries must be origins like https://app.example.com or http://localhost:* (no path, no trailing slash), or * (bad entry "${origin}")`,
    );
  }
  return origins;
}

function readMetrics(r: EnvReader): MetricsConfig {
  const token = r.text('METRICS_TOKEN');
  r.check(token === undefined || /^[\x21-\x7e]{16,}$/.test(token), 'METRICS_TOKEN must be at least 16 printable characters without spaces');
  const operationNames = r.list('METRICS_OPERATION_NAMES');
  for (const name of operationNames) r.check(/^[_A-Za-z][_0-9A-Za-z]*$/.test(name), `METRICS_OPERATION_NAMES entries must be GraphQL operation names (bad entry "${name}")`);
  return {
    enabled: r.bool('METRICS', true),
    token,
    port: r.text('METRICS_PORT') === undefined ? undefined : r.int('METRICS_PORT', 0, 0, 65535),
    host: r.text('METRICS_HOST') ?? '127.0.0.1',
    operationNames,
    maxOperationNames: r.int('METRICS_MAX_OPERATION_NAMES', 100, 1, 10_000),
  };
}

/** TRUST_PROXY: unset or false, a hop count, or a list proxy-addr understands (checked here, at start). */
function readTrustProxy(r: EnvReader): false | number | string[] {
  const raw = r.text('TRUST_PROXY');
  if (raw === undefined || ['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  if (/^\d+$/.test(raw)) return r.int('TRUST_PROXY', 0, 0, 100);
  const list = r.list('TRUST_PROXY', '', true);
  try {
    proxyaddr.compile(list);
  } catch (err) {
    r.check(false, `TRUST_PROXY must be a hop count or addresses and CIDR ranges (${(err as Error).message})`);
    return false;
  }
  return list;
}

function readBilling(r: EnvReader): BillingConfig {
  // Defaults send customers back to the dashboard this server hosts (/app/) on its own port.
  const dashboard = `http://localhost:${r.text('PORT') ?? '4000'}/app/account`;
  return {
    successUrl: r.url('BILLING_SUCCESS_URL', `${dashboard}?checkout=success&session_id={CHECKOUT_SESSION_ID}`),
    cancelUrl: r.url('BILLING_CANCEL_URL', `${dashboard}?checkout=cancel`),
    setupSuccessUrl: r.url('BILLING_SETUP_SUCCESS_URL', `${dashboard}?checkout=card_saved&session_id={CHECKOUT_SESSION_ID}`),
    // A deployment that set BILLING_CANCEL_URL keeps sending both cancellations there until it sets this one.
    setupCancelUrl: r.url('BILLING_SETUP_CANCEL_URL', r.text('BILLING_CANCEL_URL') ?? `${dashboard}?checkout=card_cancel`),
    portalReturnUrl: r.url('BILLING_PORTAL_RETURN_URL', dashboard),
    stripePriceIds: r.pairs('STRIPE_PRICE_IDS', /^[\w-]+$/),
    refundRetryAfterMs: r.int('REFUND_RETRY_AFTER_MS', 30_000, 0, 86_400_000),
    planPricesMinor: Object.fromEntries(Object.entries(r.pairs('PLAN_PRICES', /^\d{1,9}$/)).map(([k, v]) => [k, Number(v)])),
  };
}

function readWebhooks(r: EnvReader, nodeEnv: NodeEnv): WebhooksConfig {
  const allowedTargets = r.list('WEBHOOK_ALLOWED_TARGETS', '', true);
  for (const entry of allowedTargets) {
    const [address, prefix] = entry.split('/');
    const family = isIP(address);
    const validRange = family !== 0 && (prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128)));
    r.check(
      validRange || (prefix === undefined && /^[a-z0-9.-]+$/.test(entry)),
      `WEBHOOK_ALLOWED_TARGETS entries must be hostnames, or addresses with an optional /prefix (bad entry "${entry}")`,
    );
  }
  const production = nodeEnv === 'production';
  const requireHttps = r.bool('WEBHOOK_REQUIRE_HTTPS', production);
  const blockPrivateTargets = r.bool('WEBHOOK_BLOCK_PRIVATE_TARGETS', production);
  // Allowed in production (on-premise receivers), but never silently.
  r.warnUnless(!production || requireHttps, 'WEBHOOK_REQUIRE_HTTPS=off in production: webhooks may be sent over plain http');
  r.warnUnless(!production || blockPrivateTargets, 'WEBHOOK_BLOCK_PRIVATE_TARGETS=off in production: webhooks may be sent to loopback, private and cloud metadata addresses; prefer WEBHOOK_ALLOWED_TARGETS for on-premise receivers');
  const retryBaseMs = r.int('WEBHOOK_RETRY_BASE_MS', 5000, 10, 3_600_000);
  const retryMaxMs = r.int('WEBHOOK_RETRY_MAX_MS', 3_600_000, 10, 86_400_000);
  const maxAttempts = r.int('WEBHOOK_MAX_ATTEMPTS', 70, 1, 1000);
  const disableAfterMs = r.int('WEBHOOK_DISABLE_AFTER_MS', 86_400_000, 0, 365 * 86_400_000);
  // A run of failures ends when its last pending delivery is given up: an endpoint that never
  // answers is disabled only if retrying one delivery always lasts longer than the period.
  r.warnUnless(
    shortestRetrySpanMs(retryBaseMs, retryMaxMs, maxAttempts) >= disableAfterMs,
    'WEBHOOK_DISABLE_AFTER_MS is longer than the shortest retry of a delivery (WEBHOOK_MAX_ATTEMPTS, WEBHOOK_RETRY_*): an endpoint that never answers may never be disabled',
  );
  return {
    pollMs: r.int('WEBHOOK_POLL_MS', 1000, 20, 3_600_000),
    timeoutMs: r.int('WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000),
    retryBaseMs,
    retryMaxMs,
    maxAttempts,
    disableAfterMs,
    secretGraceSeconds: r.int('WEBHOOK_SECRET_GRACE_SECONDS', 86_400, 0, 7 * 86_400),
    responseLogBytes: r.int('WEBHOOK_RESPONSE_LOG_BYTES', 1024, 0, 65_536),
    maxEndpoints: r.int('WEBHOOK_MAX_ENDPOINTS', 20, 1, 1000),
    requireHttps,
    blockPrivateTargets,
    allowedTargets,
  };
}

/**
 * From a delivery's first attempt to its last but one, with every jittered wait at its shortest
 * (half its backoff): the last attempt cannot disable an endpoint, since giving up its last pending
 * delivery ends the run of failures (webhook.worker.ts RECORD).
 */
export function shortestRetrySpanMs(baseMs: number, maxMs: number, maxAttempts: number): number {
  let span = 0;
  for (let attempt = 1; attempt < maxAttempts - 1; attempt++) span += backoffMs(attempt, baseMs, maxMs) / 2;
  return span;
}

/** The folder holding package.json, from src/ (tests run the sources) or dist/src/ (the build). */
function projectRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}
