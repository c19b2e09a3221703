import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { print, type DocumentNode } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { buildApp, type App } from '../../src/app';
import { loadConfig, type Config } from '../../src/config';
import { ChargeUsageDocument, SignUpDocument, type ChargeUsageInput, type ChargeUsageMutation } from '../generated/graphql';
import { createTestDatabase } from './db';

export interface GqlError {
  message: string;
  extensions?: { code?: string; [k: string]: unknown };
  path?: (string | number)[];
}
export interface GqlResult<R> {
  data?: R | null;
  errors?: GqlError[];
  status: number;
}

export interface TestUser {
  token: string;
  refreshToken: string;
  accountId: string;
  email: string;
  password: string;
}

export const PASSWORD = 'Sup3rSecret!';
export const ADMIN_EMAIL = 'admin@test.dev';

const chargeInput = (input: Partial<ChargeUsageInput>): ChargeUsageInput => ({ feature: 'caption', quantity: 1, idempotencyKey: randomUUID(), ...input });
const bearerOf = (who: TestUser | string): string => (typeof who === 'string' ? who : who.token);

export class TestApp {
  constructor(
    readonly app: App,
    readonly config: Config,
    readonly url: string,
    readonly wsUrl: string,
    readonly dbUrl: string,
    private readonly dropDb: (() => Promise<void>) | null,
  ) {}

  /** POST a GraphQL operation over real HTTP. */
  async gql<R, V>(doc: TypedDocumentNode<R, V> | DocumentNode | string, variables?: V, token?: string, headers: Record<string, string> = {}): Promise<GqlResult<R>> {
    const res = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      body: JSON.stringify({ query: typeof doc === 'string' ? doc : print(doc), variables }),
    });
    const body = (await res.json()) as GqlResult<R>;
    return { ...body, status: res.status };
  }

  /** Like gql, but fails the test on any error. */
  async ok<R, V>(doc: TypedDocumentNode<R, V> | string, variables?: V, token?: string): Promise<R> {
    const r = await this.gql(doc, variables, token);
    if (r.errors?.length || !r.data) throw new Error(`GraphQL errors: ${JSON.stringify(r.errors)}`);
    return r.data;
  }

  /**
   * The chargeUsage mutation as `who` (a user, or a bearer: access token or API key). `input`
   * overrides the defaults: one `caption` under a fresh idempotency key.
   */
  charge(who: TestUser | string, input: Partial<ChargeUsageInput> = {}): Promise<GqlResult<ChargeUsageMutation>> {
    return this.gql(ChargeUsageDocument, { input: chargeInput(input) }, bearerOf(who));
  }

  /** Like charge, but fails the test on any error. */
  chargeOk(who: TestUser | string, input: Partial<ChargeUsageInput> = {}): Promise<ChargeUsageMutation> {
    return this.ok(ChargeUsageDocument, { input: chargeInput(input) }, bearerOf(who));
  }

  async signUp(opts: { email?: string; timezone?: string } = {}): Promise<TestUser> {
    const email = opts.email ?? `user-${randomBytes(5).toString('hex')}@test.dev`;
    const data = await this.ok(SignUpDocument, { input: { email, password: PASSWORD, timezone: opts.timezone ?? 'UTC' } });
    return { token: data.signUp.accessToken, refreshToken: data.signUp.refreshToken, accountId: data.signUp.account.id, email, password: PASSWORD };
  }

  private adminUser?: Promise<TestUser>;
  /** The admin of this app (ADMIN_EMAILS), signed up once. */
  admin(): Promise<TestUser> {
    this.adminUser ??= this.signUp({ email: ADMIN_EMAIL });
    return this.adminUser;
  }

  ws(token?: string, extra: Partial<Parameters<typeof createClient>[0]> = {}): Client {
    return createClient({
      url: this.wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: token ? { authorization: `Bearer ${token}` } : {},
      retryAttempts: 0,
      lazy: true,
      ...extra,
    });
  }

  async stop(): Promise<void> {
    await this.app.stop();
    if (this.dropDb) await this.dropDb();
  }
}

/** Boots the real app (HTTP + WebSocket) on a fresh database cloned from the migrated template. */
export async function startTestApp(env: Record<string, string> = {}, opts: { dbUrl?: string; port?: number } = {}): Promise<TestApp> {
  const db = opts.dbUrl ? { url: opts.dbUrl, drop: null } : await createTestDatabase();
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: db.url,
    ADMIN_EMAILS: ADMIN_EMAIL,
    SWEEP_INTERVAL_MS: '200',
    DB_POOL_SIZE: '10',
    ...env,
  });
  const app = await buildApp(config);
  const port = await app.listen(opts.port ?? 0, '127.0.0.1');
  return new TestApp(app, config, `http://127.0.0.1:${port}/graphql`, `ws://127.0.0.1:${port}/graphql`, db.url, db.drop);
}

/**
 * Two instances of the app with the same `env` on one fresh database, as behind a load balancer.
 * Give `env` one signing key for both (sharedJwtEnv) so a token from one is valid on the other.
 */
export async function startTwoInstances(env: Record<string, string>): Promise<[TestApp, TestApp]> {
  const first = await startTestApp(env);
  return [first, await startTestApp(env, { dbUrl: first.dbUrl })];
}

/** Stops apps sharing a database, last started first: the first one drops the database. */
export async function stopApps(...apps: TestApp[]): Promise<void> {
  for (const app of apps.reverse()) await app.stop();
}

/** Asserts a result failed with exactly one error of the given contract code. */
export function errorCode(r: GqlResult<unknown>): string | undefined {
  return r.errors?.[0]?.extensions?.code;
}
