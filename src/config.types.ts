/**
 * The shape of the validated configuration `loadConfig` (config.ts) builds from the environment:
 * every setting with its meaning and default. Nothing here reads the environment.
 */
export type PriceBookName = 'synfluencer' | 'influgen';
export type NodeEnv = 'development' | 'production' | 'test';
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  nodeEnv: NodeEnv;
  /**
   * Settings that are allowed but weaken a production default (e.g. WEBHOOK_REQUIRE_HTTPS=off):
   * the server logs each once at startup, so a weakened deployment is never silent.
   */
  warnings: string[];
  /** @default 4000 */
  port: number;
  /** Processes serving HTTP/WebSocket on the port (Node cluster); each is a full instance. @default 1 */
  workers: number;
  host: string;
  /** Absent: an embedded PostgreSQL under `dataDir` is started. */
  databaseUrl: string | undefined;
  /** Embedded database files and generated development keys. @default ./.data */
  dataDir: string;
  /** The built dashboard (`npm run build` writes it), served at /app/. @default ./dist/web */
  webDir: string;
  embeddedPgPort: number;
  dbPoolSize: number;
  /** Longest waits for the database before a request fails with SERVICE_UNAVAILABLE (503). */
  dbTimeouts: { acquireMs: number; connectMs: number };
  logLevel: LogLevel;
  priceBook: PriceBookName;
  /** Micro-credits granted at sign-up; absent: the preset's own bonus. */
  signupBonusMicros: bigint | undefined;
  /** Decimal multiplier for PASS_THROUGH features, e.g. "1.25". @default "1" */
  passThroughMarkup: string;
  adminEmails: Set<string>;
  jwt: {
    privateKeyPem: string | undefined;
    publicKeyPem: string | undefined;
    issuer: string;
    audience: string;
    /** @default 900 // 15 minutes */
    accessTtlSeconds: number;
    /** @default 2592000 // 30 days */
    refreshTtlSeconds: number;
  };
  login: {
    /** Failed log-ins allowed per email or per client address inside the window. @default 10 */
    maxFailures: number;
    /** @default 900 // 15 minutes */
    windowSeconds: number;
    /**
     * Accounts one client address may create per hour (each gets the sign-up bonus); 0 = no limit.
     * @default 20 (0 in tests)
     */
    maxSignUpsPerHour: number;
  };
  /** scrypt cost as log2(N); 15 = 32 MiB per hash. @default 15 (12 in tests) */
  passwordHashCost: number;
  introspection: boolean;
  /**
   * Browser origins allowed to call the API (CORS) and to open its WebSocket: exact origins
   * (`https://app.example.com`) or any port of a host (`http://localhost:*`); `*` allows every
   * origin. Tokens travel in the Authorization header, never in cookies, so no origin is sent
   * credentials. @default localhost and 127.0.0.1 on any port, except in production (none)
   */
  corsOrigins: string[];
  /**
   * Which proxies in front of the API to believe about the client's address (`X-Forwarded-For`),
   * for the per-address log-in throttle: false (none, the socket's peer is the client), a number
   * of hops, or addresses and CIDR ranges (`loopback`, `linklocal`, `uniquelocal` name the usual
   * ones). @default false
   */
  trustProxy: false | number | string[];
  /** GraphiQL at GET /graphql for browsers (GRAPHQL_EXPLORER). @default on except production */
  explorer: boolean;
  /** Group commit: how long a wallet's write queue waits to gather more operations. @default 0 (next tick) */
  ledgerBatchWindowMs: number;
  /** Largest number of ledger operations applied in one database transaction. @default 200 */
  ledgerMaxBatch: number;
  /** Ledger transactions one instance runs at once (each on wallets no other one holds). @default 4 */
  ledgerMaxConcurrentBatches: number;
  /** How often expired holds and buckets are swept, and the spend of a month that ended zeroed. @default 5000 */
  sweepIntervalMs: number;
  /**
   * USAGE_ROLLUP=on|off: maintain the daily usage rollup in the ledger write (on) and read
   * usageSummary from it; off reads the ledger directly (the benchmark compares both).
   * Turning it back on after running with off needs a rollup rebuild. @default on
   */
  usageRollup: boolean;
  limits: {
    maxDepth: number;
    maxAliases: number;
    maxCost: number;
    maxTokens: number;
    maxDirectives: number;
    /** Largest HTTP request body and largest WebSocket message (checked before parsing). @default 262144 // 256 KiB */
    maxBodyBytes: number;
  };
  /** WebSocket (graphql-ws) limits; refusals use the close codes in socket-registry.ts. */
  ws: {
    /** Authenticated sockets per account, across all instances. @default 50 */
    maxSocketsPerAccount: number;
    /** Sockets per API key, across all instances. @default 20 */
    maxSocketsPerApiKey: number;
    /** Operations (subscriptions, queries) running at once on one socket. @default 20 */
    maxOperationsPerSocket: number;
    /** A socket that has not sent connection_init by then is closed (4408). @default 3000 */
    initTimeoutMs: number;
  };
  stripe: {
    secretKey: string | undefined;
    webhookSecret: string | undefined;
    apiBase: string | undefined;
  };
  billing: BillingConfig;
  smtpUrl: string | undefined;
  /**
   * MCP_API_KEY: the API key (`sfk_...`) the stdio MCP entry point (`npm run mcp`) acts with; its
   * scopes limit the tools. Not used by the HTTP server, where every request brings its own key.
   */
  mcpApiKey: string | undefined;
  realtime: {
    /** NOTIFY committed wallet changes to other instances (REALTIME_PUBLISH=off leaves only the poll). @default true */
    publish: boolean;
    /** How long changed wallet ids are gathered before one NOTIFY. @default 3 */
    coalesceMs: number;
    /** How often versions of locally watched wallets are re-read (crash-gap repair). @default 500 */
    pollMs: number;
  };
  metrics: MetricsConfig;
  webhooks: WebhooksConfig;
  autoTopUp: AutoTopUpConfig;
  email: {
    /** Sender of alert emails. */
    from: string;
    /** How often the outbox is checked for due emails. @default 1000 */
    pollMs: number;
    /** First retry delay after a failed send; doubles per attempt. @default 5000 */
    retryBaseMs: number;
    /** Longest delay between retries. @default 600000 // 10 minutes */
    retryMaxMs: number;
    /** Attempts before an email is given up (marked failed). @default 20 */
    maxAttempts: number;
  };
}

export interface BillingConfig {
  /** Where Stripe Checkout sends the customer after paying. `{CHECKOUT_SESSION_ID}` is filled in by Stripe. */
  successUrl: string;
  cancelUrl: string;
  /** Where a setup-mode Checkout (a card saved for auto top-up) sends the customer back. */
  setupSuccessUrl: string;
  /**
   * Where a setup-mode Checkout sends a customer who cancels it (no card saved), so the page can
   * say so rather than "nothing was charged". @default BILLING_CANCEL_URL when that is set, else
   * the dashboard with `?checkout=card_cancel`
   */
  setupCancelUrl: string;
  /** Where the billing portal's "return" link goes. */
  portalReturnUrl: string;
  /** Catalog item id (pack or plan) -> Stripe price id; items without one use inline price data. */
  stripePriceIds: Record<string, string>;
  /** Plan id -> monthly price in the smallest currency unit (cents); overrides the preset. */
  planPricesMinor: Record<string, number>;
  /** A PENDING refund untouched this long is retried by the sweep. @default 30000 // 30 seconds */
  refundRetryAfterMs: number;
}

/**
 * GET /metrics in the Prometheus text format (src/modules/metrics/). Protection: a bearer token,
 * a separate bind address, or both; in production /metrics on the API port answers 403 unless a
 * token is set, so nothing is exposed by default.
 */
export interface MetricsConfig {
  /** METRICS=off serves nothing and records nothing. @default on */
  enabled: boolean;
  /** METRICS_TOKEN: scrapers must send `Authorization: Bearer <token>` (16+ characters). */
  token: string | undefined;
  /** METRICS_PORT: serve /metrics on this port only (not on the API port). With WORKERS > 1 the supervisor serves it, summed over workers. */
  port: number | undefined;
  /** METRICS_HOST: the bind address of METRICS_PORT. @default 127.0.0.1 */
  host: string;
  /** METRICS_OPERATION_NAMES: the only operation names used as labels (others are "other"); empty: the first `maxOperationNames` seen. */
  operationNames: string[];
  /** METRICS_MAX_OPERATION_NAMES: distinct operation-name labels before the rest become "other". @default 100 */
  maxOperationNames: number;
}

/** Outbound webhooks (src/modules/webhooks): the delivery worker and the target policy. */
export interface WebhooksConfig {
  /** How often the outbox is checked for due deliveries. @default 1000 */
  pollMs: number;
  /** One delivery attempt, connect to last response byte. @default 10000 // 10 seconds */
  timeoutMs: number;
  /** First retry delay after a failed attempt; doubles per attempt, with jitter. @default 5000 */
  retryBaseMs: number;
  /** Longest delay between retries. @default 3600000 // 1 hour */
  retryMaxMs: number;
  /** Attempts before a delivery is given up (FAILED; it can still be replayed). @default 70 */
  maxAttempts: number;
  /** An endpoint failing continuously this long is disabled (and the account gets a message). @default 86400000 // 24 h */
  disableAfterMs: number;
  /** How long the previous secret still signs after rotateWebhookSecret, unless the call says otherwise. @default 86400 // 24 hours */
  secretGraceSeconds: number;
  /** Response bytes kept in the delivery log. @default 1024 */
  responseLogBytes: number;
  /** Endpoints one account may have. @default 20 */
  maxEndpoints: number;
  /** Only https:// targets. @default on in production */
  requireHttps: boolean;
  /** Refuse targets that resolve to loopback, private, link-local, metadata or other non-public addresses. @default on in production */
  blockPrivateTargets: boolean;
  /** Hostnames and address ranges (CIDR) exempt from `blockPrivateTargets`, for on-premise receivers. */
  allowedTargets: string[];
}

/** Auto top-up (src/modules/auto-top-up). */
export interface AutoTopUpConfig {
  /** How often started top-ups are checked (PaymentIntent still to create, or no webhook yet). @default 5000 */
  pollMs: number;
  /** Consecutive failed top-ups after which no more are started until the settings are saved again. @default 3 */
  maxFailures: number;
  /**
   * After a failed top-up none starts for the account before this many seconds, doubled for each
   * further failure in a row (base x 2^(failures - 1)); 0 retries at the next spend. @default 3600 // 1 hour
   */
  retryAfterSeconds: number;
  /** A top-up whose PaymentIntent has no outcome after this long is looked up at Stripe. @default 600000 // 10 minutes */
  reconcileAfterMs: number;
}
