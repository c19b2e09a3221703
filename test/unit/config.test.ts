import { ConfigError, loadConfig, runtimeProblem, shortestRetrySpanMs } from '../../src/config';

/** config.ts is the only reader of the environment: these check what it reads, not a server. */
describe('loadConfig', () => {
  const keys = { JWT_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----x', JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----x' };

  it('refuses a Node older than 24 (a bare system `node`) with a sentence saying which to use', () => {
    expect(() => loadConfig({}, '20.19.2')).toThrow(ConfigError);
    expect(() => loadConfig({}, '20.19.2')).toThrow(/Node 24 or later is required \(this is Node 20\.19\.2\).*npx node/);
    expect(runtimeProblem('24.21.0')).toBeNull();
    expect(runtimeProblem('25.0.0')).toBeNull();
    expect(runtimeProblem('22.11.0')).toMatch(/^Node 24 or later/);
  });

  it('starts from documented defaults with nothing set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      nodeEnv: 'development',
      port: 4000,
      databaseUrl: undefined,
      priceBook: 'synfluencer',
      ledgerMaxBatch: 200,
      introspection: true,
      explorer: true,
      metrics: { enabled: true, host: '127.0.0.1', maxOperationNames: 100 },
      webhooks: { requireHttps: false, blockPrivateTargets: false, maxAttempts: 70, disableAfterMs: 86_400_000 },
      autoTopUp: { maxFailures: 3 },
      ws: { maxSocketsPerAccount: 50, maxSocketsPerApiKey: 20 },
    });
    expect(config.corsOrigins).toEqual(['http://localhost:*', 'http://127.0.0.1:*', 'http://[::1]:*']);
  });

  it('sends a cancelled setup-mode Checkout (saving a card) back to its own URL: by default ?checkout=card_cancel, or BILLING_CANCEL_URL where only that is set', () => {
    expect(loadConfig({}).billing).toMatchObject({
      cancelUrl: 'http://localhost:4000/app/account?checkout=cancel',
      setupCancelUrl: 'http://localhost:4000/app/account?checkout=card_cancel',
    });
    expect(loadConfig({ PORT: '4100' }).billing.setupCancelUrl).toBe('http://localhost:4100/app/account?checkout=card_cancel');
    expect(loadConfig({ BILLING_CANCEL_URL: 'https://app.test/billing/cancel' }).billing.setupCancelUrl).toBe('https://app.test/billing/cancel');
    expect(loadConfig({ BILLING_CANCEL_URL: 'https://app.test/billing/cancel', BILLING_SETUP_CANCEL_URL: 'https://app.test/card/cancel' }).billing.setupCancelUrl).toBe('https://app.test/card/cancel');
    expect(() => loadConfig({ BILLING_SETUP_CANCEL_URL: 'card/cancel' })).toThrow(/BILLING_SETUP_CANCEL_URL must be an http\(s\) URL/);
  });

  it('reads TRUST_PROXY as off, a hop count or addresses and ranges, and refuses anything else', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy).toEqual(['loopback', '10.0.0.0/8']);
    expect(() => loadConfig({ TRUST_PROXY: 'the load balancer' })).toThrow(/TRUST_PROXY must be a hop count or addresses and CIDR ranges/);
  });

  it('production closes what development opens', () => {
    const config = loadConfig({ NODE_ENV: 'production', ...keys });
    expect(config).toMatchObject({ introspection: false, explorer: false, corsOrigins: [], webhooks: { requireHttps: true, blockPrivateTargets: true } });
  });

  it('disables a webhook endpoint that never answers before its first delivery is given up (defaults), and warns of settings that would not', () => {
    const { webhooks } = loadConfig({});
    // Every wait at its shortest (half its backoff), up to the last attempt that can still disable
    // (the last but one): 5 s doubling to 1 h, 68 waits, 29.7 h, against 24 h.
    expect(shortestRetrySpanMs(webhooks.retryBaseMs, webhooks.retryMaxMs, webhooks.maxAttempts)).toBe(((5 * (2 ** 10 - 1) + 58 * 3600) / 2) * 1000);
    expect(shortestRetrySpanMs(webhooks.retryBaseMs, webhooks.retryMaxMs, webhooks.maxAttempts)).toBeGreaterThan(webhooks.disableAfterMs);
    expect(loadConfig({ WEBHOOK_MAX_ATTEMPTS: '50' }).warnings).toEqual([expect.stringContaining('WEBHOOK_DISABLE_AFTER_MS is longer than the shortest retry')]);
    expect(loadConfig({ WEBHOOK_MAX_ATTEMPTS: '50', WEBHOOK_DISABLE_AFTER_MS: '72000000' }).warnings).toEqual([expect.stringContaining('WEBHOOK_DISABLE_AFTER_MS')]); // 19.7 h < 20 h
    expect(loadConfig({ WEBHOOK_MAX_ATTEMPTS: '50', WEBHOOK_DISABLE_AFTER_MS: '68400000' }).warnings).toEqual([]); // 19 h
  });

  it('warns, without refusing, when production turns off a webhook target defence', () => {
    const weakened = loadConfig({ NODE_ENV: 'production', WEBHOOK_REQUIRE_HTTPS: 'off', WEBHOOK_BLOCK_PRIVATE_TARGETS: 'off', ...keys });
    expect(weakened.webhooks).toMatchObject({ requireHttps: false, blockPrivateTargets: false });
    expect(weakened.warnings).toEqual([expect.stringContaining('WEBHOOK_REQUIRE_HTTPS=off'), expect.stringContaining('WEBHOOK_BLOCK_PRIVATE_TARGETS=off')]);
    expect(loadConfig({ NODE_ENV: 'production', WEBHOOK_BLOCK_PRIVATE_TARGETS: 'off', ...keys }).warnings).toEqual([expect.stringContaining('WEBHOOK_BLOCK_PRIVATE_TARGETS=off')]);
    // Defaults, production included, and development's own off values warn of nothing.
    expect(loadConfig({ NODE_ENV: 'production', ...keys }).warnings).toEqual([]);
    expect(loadConfig({}).warnings).toEqual([]);
    expect(loadConfig({ WEBHOOK_REQUIRE_HTTPS: 'off', WEBHOOK_BLOCK_PRIVATE_TARGETS: 'off' }).warnings).toEqual([]);
  });

  it('warns when a database of its own runs without NODE_ENV (development by default), not on the embedded one', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://db/app' }).warnings).toEqual([expect.stringContaining('NODE_ENV is not')]);
    expect(loadConfig({ DATABASE_URL: 'postgres://db/app', NODE_ENV: 'development' }).warnings).toEqual([]);
    expect(loadConfig({ DATABASE_URL: 'postgres://db/app', NODE_ENV: 'production', ...keys }).warnings).toEqual([]);
  });

  it('reads lists, pairs and amounts exactly', () => {
    const config = loadConfig({
      ADMIN_EMAILS: ' Ops@Example.com , root@example.com,',
      SIGNUP_BONUS: '2.5',
      PLAN_PRICES: 'starter=900, pro=2900',
      WEBHOOK_ALLOWED_TARGETS: 'hooks.corp.example, 10.20.0.0/16',
      JWT_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\\nabc',
      JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----\\nabc',
    });
    expect([...config.adminEmails]).toEqual(['ops@example.com', 'root@example.com']);
    expect(config.signupBonusMicros).toBe(2_500_000n);
    expect(config.billing.planPricesMinor).toEqual({ starter: 900, pro: 2900 });
    expect(config.webhooks.allowedTargets).toEqual(['hooks.corp.example', '10.20.0.0/16']);
    expect(config.jwt.privateKeyPem).toBe('-----BEGIN PRIVATE KEY-----\nabc'); // escaped newlines of a one-line env value
  });

  it('reports every problem at once, each naming its variable', () => {
    const bad = {
      NODE_ENV: 'staging',
      PORT: '99999',
      METRICS: 'maybe',
      DATABASE_URL: 'mysql://x',
      SIGNUP_BONUS: '-1',
      CORS_ORIGINS: 'https://app.example.com/',
      METRICS_TOKEN: 'short',
      WEBHOOK_ALLOWED_TARGETS: '10.0.0.0/99',
      PLAN_PRICES: 'starter',
      BILLING_SUCCESS_URL: 'ftp://x',
      MCP_API_KEY: 'not-a-key',
      JWT_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----x',
    };
    let error: unknown;
    try {
      loadConfig(bad);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of [...Object.keys(bad), 'JWT_PUBLIC_KEY']) expect(message).toContain(name);
  });
});
