import { randomUUID } from 'node:crypto';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { Config } from '../../config';
import { Sql } from '../../db/sql';
import type { SupportedTimeZones } from '../../db/time-zones';
import { DomainError, ErrorCode, badInput, notFound } from '../../shared/errors';
import { isUuid } from '../../shared/ids';
import { Account, Role } from '../accounts/account.entity';
import type { LedgerService } from '../ledger/ledger.service';
import type { PricingService } from '../pricing/pricing.service';
import { ApiKey, ApiKeyScope } from './api-key.entity';
import { assertStrongPassword, hashPassword, verifyPassword } from './password';
import { RefreshToken } from './refresh-token.entity';
import { API_KEY_PREFIX, REFRESH_PREFIX, TokenService, randomSecret, sha256 } from './tokens';
import { CredentialCache, REVOCATION_CHANNEL, type Revocation } from './credential-cache';
import type { Logger } from '../../shared/logger';

/** Who is calling. API-key principals are limited to their scopes; sessions can do everything their role allows. */
export interface Principal {
  accountId: string;
  role: Role;
  via: 'session' | 'apiKey';
  scopes: ApiKeyScope[];
  /** Seconds since epoch when the credential stops being valid (access tokens only). */
  expiresAt: number | null;
  /** The session (refresh-token family) of an access token; null for API keys. */
  sessionId: string | null;
  /** The API key, for API-key principals. */
  apiKeyId: string | null;
}

export interface AuthResult {
  accessToken: string;
  refreshToken: string;
  expiresAt: Date;
  account: Account;
}

/** Controls, line separators and every format character (the soft hyphen, zero-width and bidirectional ones): never in a new account's email. */
const INVISIBLE_IN_EMAIL = /[\p{Cc}\p{Cf}\u2028\u2029]/u;

/** A local part, then a domain of at least two dot-separated labels, none of them empty. */
const EMAIL_RE = /^[^\s@]+@(?:[^\s@.]+\.)+[^\s@.]+$/;

/** How often, and past what age, expired login_throttle rows are deleted (rate-limiter-flexible's own cadence). */
const THROTTLE_CLEANUP_EVERY_MS = 5 * 60_000;
const THROTTLE_KEEP_EXPIRED_MS = 60 * 60_000;

export class AuthService {
  /**
   * Failed log-ins per email and per client address, counted in PostgreSQL (rate-limiter-flexible's
   * RateLimiterPostgres on the app's own pool, table login_throttle), so N instances allow the
   * same number of guesses as one.
   */
  private readonly failuresByEmail: RateLimiterPostgres;
  private readonly failuresByIp: RateLimiterPostgres;
  /** Accounts created per client address and hour: each one brings a sign-up bonus (SIGNUP_MAX_PER_HOUR). */
  private readonly signUpsByIp: RateLimiterPostgres | null;
  /**
   * Deletes expired login_throttle rows. Ours, not the limiters' (clearExpiredByTimeout): theirs
   * cannot be stopped, so every stopped instance left two timers holding it whole.
   */
  private readonly throttleCleanup: NodeJS.Timeout;
  /** Verified access tokens (the signature check is the dearest CPU step of a charge); their session is checked apart. */
  private readonly jwtCache = new Map<string, Principal>();
  private readonly sql: Sql;
  /** Session states and API keys, forgotten on revocation on every instance (credential-cache.ts). */
  readonly credentials: CredentialCache<Principal>;
  /** A password hash to compare against when the email is unknown, so timing does not reveal accounts. */
  private dummyHash: Promise<string>;
  constructor(
    private readonly orm: MikroORM,
    private readonly config: Config,
    readonly tokens: TokenService,
    private readonly ledger: LedgerService,
    private readonly pricing: PricingService,
    private readonly timeZones: SupportedTimeZones,
    private readonly log: Logger,
  ) {
    const store = { storeClient: orm.em.getConnection().getKnex(), storeType: 'knex', tableName: 'login_throttle', tableCreated: true, clearExpiredByTimeout: false };
    const opts = { ...store, points: config.login.maxFailures, duration: config.login.windowSeconds };
    this.failuresByEmail = new RateLimiterPostgres({ ...opts, keyPrefix: 'email' });
    this.failuresByIp = new RateLimiterPostgres({ ...opts, points: opts.points * 5, keyPrefix: 'ip' });
    const maxSignUps = config.login.maxSignUpsPerHour;
    this.signUpsByIp = maxSignUps > 0 ? new RateLimiterPostgres({ ...store, points: maxSignUps, duration: 3600, keyPrefix: 'signup' }) : null;
    this.credentials = new CredentialCache<Principal>(log);
    this.sql = new Sql(orm);
    this.dummyHash = hashPassword('not-a-real-password-1A', config.passwordHashCost);
    this.throttleCleanup = setInterval(() => void this.deleteExpiredThrottleRows(), THROTTLE_CLEANUP_EVERY_MS);
    this.throttleCleanup.unref();
  }

  /** Stops the login throttle's cleanup (Core.stop). */
  stop(): void {
    clearInterval(this.throttleCleanup);
  }

  /** Deletes rows of both limiters (per email, per address) that expired over an hour ago; not critical, so a failure is only logged. Every 5 minutes, and from tests. */
  async deleteExpiredThrottleRows(): Promise<void> {
    await this.sql
      .query('delete from login_throttle where expire < ?', [Date.now() - THROTTLE_KEEP_EXPIRED_MS])
      .catch((err: unknown) => this.log.warn({ err }, 'could not delete expired login throttle rows'));
  }

  private em(): EntityManager {
    return this.orm.em.fork() as EntityManager;
  }

  private normaliseEmail(email: string): string {
    const e = (email ?? '').trim().toLowerCase();
    if (!EMAIL_RE.test(e) || e.length > 254) throw badInput('email is not a valid email address');
    if (INVISIBLE_IN_EMAIL.test(e)) throw badInput('email must not contain control, bidirectional or invisible characters');
    return e;
  }

  /**
   * Creates the account, its one wallet and the sign-up bonus in one database transaction. At
   * most SIGNUP_MAX_PER_HOUR accounts per client address an hour: the bonus is not to be farmed.
   */
  async signUp(input: { email: string; password: string; timezone?: string | null }, ip: string): Promise<AuthResult> {
    const attempt = this.signUpsByIp ? ([[this.signUpsByIp, ip]] as const) : [];
    const taken = await takeAttempt(this.sql, 'Too many accounts created from this address', attempt);
    try {
      return await this.createAccount(input);
    } catch (err) {
      await giveBack(this.sql, taken); // counted once created: a refused sign-up grants nothing
      throw err;
    }
  }

  private async createAccount(input: { email: string; password: string; timezone?: string | null }): Promise<AuthResult> {
    const email = this.normaliseEmail(input.email);
    assertStrongPassword(input.password);
    const timezone = await this.timeZones.assert(input.timezone ?? 'UTC');
    const passwordHash = await hashPassword(input.password, this.config.passwordHashCost);
    const em = this.em();
    try {
      const account = await em.transactional(async (tem) => {
        const exists = await tem.findOne(Account, { email });
        if (exists) throw new DomainError(ErrorCode.EMAIL_TAKEN, 'An account with this email already exists');
        const acc = tem.create(Account, {
          email,
          passwordHash,
          timezone,
          role: this.roleOf(email),
        });
        await tem.flush(); // the account row must exist before its wallet references it
        this.ledger.openWallet(tem as EntityManager, acc.id, this.pricing.signupBonus);
        return acc;
      });
      return this.issue(account);
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) throw new DomainError(ErrorCode.EMAIL_TAKEN, 'An account with this email already exists');
      throw err;
    }
  }

  async logIn(emailRaw: string, password: string, ip: string): Promise<AuthResult> {
    const email = (emailRaw ?? '').trim().toLowerCase();
    // Counted as a failure before the password is checked, and given back if it was right.
    const taken = await takeAttempt(this.sql, 'Too many failed password attempts', [
      [this.failuresByEmail, email],
      [this.failuresByIp, ip],
    ]);
    const account = await this.em().findOne(Account, { email });
    const ok = account ? await verifyPassword(password, account.passwordHash) : (await verifyPassword(password, await this.dummyHash), false);
    if (!account || !ok) throw new DomainError(ErrorCode.INVALID_CREDENTIALS, 'Email or password is incorrect');
    await Promise.all([this.failuresByEmail.delete(email), giveBack(this.sql, taken.filter((point) => point.limiter === this.failuresByIp))]);
    return this.issue(account);
  }

  /** The role ADMIN_EMAILS gives an email: its only source. */
  private roleOf(email: string): Role {
    return this.config.adminEmails.has(email) ? Role.ADMIN : Role.USER;
  }

  private async issue(account: Account, familyId: string = randomUUID(), em: EntityManager = this.em()): Promise<AuthResult> {
    // ADMIN_EMAILS is the only source of the admin role: an account takes the role the list gives
    // it at its next log-in or refresh, both ways (and reconcileAdmins demotes at start).
    const role = this.roleOf(account.email);
    if (account.role !== role) {
      await em.nativeUpdate(Account, { id: account.id }, { role });
      account.role = role;
    }
    const access = await this.tokens.signAccess(account.id, account.role, familyId);
    const refreshToken = randomSecret(REFRESH_PREFIX);
    em.create(RefreshToken, {
      accountId: account.id,
      familyId,
      tokenHash: sha256(refreshToken),
      expiresAt: new Date(Date.now() + this.config.jwt.refreshTtlSeconds * 1000),
    });
    await em.flush();
    return { accessToken: access.token, refreshToken, expiresAt: access.expiresAt, account };
  }

  /**
   * Rotation: the presented token is marked rotated and a successor issued in the same family.
   * A token presented after it was rotated is a replay (the legitimate holder or a thief
   * already used it), so the whole family is revoked.
   */
  async refresh(token: string): Promise<AuthResult> {
    const em = this.em();
    const invalid = () => new DomainError(ErrorCode.UNAUTHENTICATED, 'Refresh token is invalid or expired');
    if (typeof token !== 'string' || !token.startsWith(REFRESH_PREFIX)) throw invalid();
    let stolen: Revocation | null = null;
    const outcome = await em.transactional(async (tem): Promise<AuthResult | 'invalid'> => {
      const rt = await tem.findOne(RefreshToken, { tokenHash: sha256(token) }, { lockMode: 4 /* PESSIMISTIC_WRITE */ });
      if (!rt) return 'invalid';
      if (rt.rotatedAt || rt.revokedAt) {
        // Committed before answering: the family stays revoked even though the call fails.
        if (rt.rotatedAt) stolen = await this.revokeSessions(tem as EntityManager, { kind: 'session', id: rt.familyId });
        return 'invalid';
      }
      if (rt.expiresAt.getTime() <= Date.now()) return 'invalid';
      const account = await tem.findOne(Account, { id: rt.accountId });
      if (!account) return 'invalid';
      rt.rotatedAt = new Date();
      return this.issue(account, rt.familyId, tem as EntityManager);
    });
    if (stolen) this.credentials.revoked(stolen);
    if (outcome === 'invalid') throw invalid();
    return outcome;
  }

  async logOut(token: string): Promise<boolean> {
    if (typeof token !== 'string') return false;
    const em = this.em();
    const rt = await em.findOne(RefreshToken, { tokenHash: sha256(token) });
    if (!rt) return false;
    // Logging out ends the whole session (every rotation of this token, and its access tokens and sockets).
    const ended = await em.transactional((tem) => this.revokeSessions(tem as EntityManager, { kind: 'session', id: rt.familyId }));
    this.credentials.revoked(ended);
    return true;
  }

  /** A new password ends every other session (their refresh tokens, access tokens and sockets); `sessionId` is the caller's, which stays. */
  async changePassword(accountId: string, sessionId: string | null, current: string, next: string): Promise<boolean> {
    const em = this.em();
    const account = await em.findOneOrFail(Account, { id: accountId });
    // Guesses at the current password count with failed log-ins of the account's email: a stolen
    // access token is no better an oracle than the log-in form.
    await takeAttempt(this.sql, 'Too many failed password attempts', [[this.failuresByEmail, account.email]]);
    if (!(await verifyPassword(current, account.passwordHash))) throw new DomainError(ErrorCode.INVALID_CREDENTIALS, 'Current password is incorrect');
    await this.failuresByEmail.delete(account.email);
    assertStrongPassword(next);
    // "Changed" while it stays the same would log out every other session for nothing.
    if (next === current) throw badInput('the new password must differ from the current one');
    const passwordHash = await hashPassword(next, this.config.passwordHashCost);
    const ended = await em.transactional(async (tem) => {
      await tem.nativeUpdate(Account, { id: accountId }, { passwordHash });
      return this.revokeSessions(tem as EntityManager, { kind: 'account', id: accountId, keep: sessionId });
    });
    this.credentials.revoked(ended);
    return true;
  }

  /**
   * Demotes admins whose email is no longer in ADMIN_EMAILS and ends their sessions (their access
   * tokens carry the role), at the start of a serving instance: a role taken away stops working
   * then, not at the account's next refresh. Every instance must share ADMIN_EMAILS.
   */
  async reconcileAdmins(): Promise<number> {
    const listed = JSON.stringify([...this.config.adminEmails]);
    const ended: Revocation[] = [];
    await this.em().transactional(async (tem) => {
      const demoted = await tem.execute<{ id: string }[]>(`update account set role = ? where role = ? and email not in (select jsonb_array_elements_text(?::jsonb)) returning id`, [Role.USER, Role.ADMIN, listed]);
      for (const { id } of demoted) ended.push(await this.revokeSessions(tem as EntityManager, { kind: 'account', id, keep: null }));
    });
    ended.forEach((revocation) => this.credentials.revoked(revocation));
    if (ended.length > 0) this.log.warn({ accounts: ended.length }, 'admins no longer in ADMIN_EMAILS were demoted and their sessions ended');
    return ended.length;
  }

  /**
   * Revokes refresh tokens (one family, or every family of an account but one) and NOTIFYs every
   * instance in the same transaction: at commit the sessions' access tokens stop working and
   * their sockets close everywhere (credential-cache.ts). The caller applies it locally after commit.
   */
  private async revokeSessions(tem: EntityManager, r: Extract<Revocation, { kind: 'session' | 'account' }>): Promise<Revocation> {
    // First lock the sessions' refresh tokens: this waits for a refresh in flight (it holds the
    // row of the token it rotates), so the update below, a statement with a newer snapshot, also
    // revokes the successor that refresh inserted. Without it the successor stayed live and the
    // session survived its log-out or the password change (docs/decisions.md, credentials). In id
    // order, so two revocations of one account take the locks in the same order.
    if (r.kind === 'session') {
      await tem.execute('select 1 from refresh_token where family_id = ? order by id for update', [r.id]);
      await tem.nativeUpdate(RefreshToken, { familyId: r.id, revokedAt: null }, { revokedAt: new Date() });
    } else {
      await tem.execute('select 1 from refresh_token where account_id = ? order by id for update', [r.id]);
      await tem.nativeUpdate(RefreshToken, { accountId: r.id, revokedAt: null, ...(r.keep ? { familyId: { $ne: r.keep } } : {}) }, { revokedAt: new Date() });
    }
    await notifyRevocation(tem, r);
    return r;
  }

  // ---------------------------------------------------------------- API keys

  async createApiKey(accountId: string, name: string, scopes: ApiKeyScope[]): Promise<{ key: ApiKey; secret: string }> {
    const trimmed = (name ?? '').trim();
    if (trimmed.length === 0 || trimmed.length > 100) throw badInput('name must be 1 to 100 characters');
    if (!scopes || scopes.length === 0) throw badInput('at least one scope is required');
    const secret = randomSecret(API_KEY_PREFIX);
    const em = this.em();
    const key = em.create(ApiKey, {
      accountId,
      name: trimmed,
      prefix: secret.slice(0, API_KEY_PREFIX.length + 6),
      secretHash: sha256(secret),
      scopes: [...new Set(scopes)],
    });
    await em.flush();
    return { key, secret };
  }

  async revokeApiKey(accountId: string, id: string): Promise<boolean> {
    if (!isUuid(id)) throw notFound('API key');
    const em = this.em();
    const key = await em.findOne(ApiKey, { id, accountId });
    if (!key) throw notFound('API key');
    const revocation: Revocation = { kind: 'apiKey', id: key.id };
    // NOTIFY in the revoking transaction: at commit every instance refuses the key and closes its sockets.
    await em.transactional(async (tem) => {
      await tem.nativeUpdate(ApiKey, { id: key.id, revokedAt: null }, { revokedAt: new Date() });
      await notifyRevocation(tem as EntityManager, revocation);
    });
    this.credentials.revoked(revocation);
    return true;
  }

  async apiKeys(accountId: string): Promise<ApiKey[]> {
    return this.em().find(ApiKey, { accountId }, { orderBy: { createdAt: 'desc' } });
  }

  // ---------------------------------------------------------------- authentication

  /** Resolves a bearer credential (JWT or API key) to a principal, or null when it is not valid or has ended. */
  async authenticate(authorization: string | undefined | null): Promise<Principal | null> {
    if (!authorization) return null;
    const m = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!m) return null;
    const token = m[1];
    if (token.startsWith(API_KEY_PREFIX)) return this.authenticateApiKey(token);
    const principal = await this.verifiedAccessToken(token);
    if (!principal) return null;
    const active = await this.credentials.sessionActive(principal.sessionId!, principal.accountId, async () => {
      const rows = await this.em().getConnection().execute<{ active: boolean }[]>('select exists(select 1 from refresh_token where family_id = ? and revoked_at is null) as active', [principal.sessionId]);
      return rows[0]?.active === true;
    });
    return active ? principal : null;
  }

  /**
   * Why `authenticate` found no principal in this Authorization header: the UNAUTHENTICATED message,
   * so a client can tell "refresh the token" from "log in again" from "this key is revoked". Only
   * on the refusal path; it says nothing a holder of the credential does not know.
   */
  async refusalOf(authorization: string | undefined | null): Promise<string> {
    if (!authorization) return 'Authentication required: send Authorization: Bearer <access token or API key>';
    const m = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!m) return 'The Authorization header must be "Bearer <access token or API key>"';
    if (m[1].startsWith(API_KEY_PREFIX)) return 'This API key is revoked, or was never issued';
    const state = await this.tokens.refusalOf(m[1]);
    if (state === 'EXPIRED') return 'The access token has expired: get a new one with refreshToken';
    if (state === 'INVALID') return 'The access token is not valid (not issued by this service, or altered)';
    return 'The session of this access token has ended (logged out, password changed or refresh token reused): log in again';
  }

  /**
   * Which of these sessions and API keys have ended, read from the database (never the cache):
   * open sockets are checked again with it when a revocation may have been missed (socket-registry.ts).
   */
  async endedCredentials(sessionIds: readonly string[], apiKeyIds: readonly string[]): Promise<{ sessions: Set<string>; apiKeys: Set<string> }> {
    const [sessions, apiKeys] = await Promise.all([
      sessionIds.length === 0
        ? []
        : this.sql.query<{ id: string }>('select s.id from unnest(?::uuid[]) s(id) where not exists (select 1 from refresh_token t where t.family_id = s.id and t.revoked_at is null)', [sessionIds]),
      apiKeyIds.length === 0
        ? []
        : this.sql.query<{ id: string }>('select k.id from unnest(?::uuid[]) k(id) where not exists (select 1 from api_key a where a.id = k.id and a.revoked_at is null)', [apiKeyIds]),
    ]);
    return { sessions: new Set(sessions.map((row) => row.id)), apiKeys: new Set(apiKeys.map((row) => row.id)) };
  }

  /**
   * A verified JWT's signature and claims never change, so they are checked once per token (ES256
   * verification is the dearest CPU step of a charge); whether its session still lives is not
   * cached here but in `credentials`, which forgets on revocation.
   */
  private async verifiedAccessToken(token: string): Promise<Principal | null> {
    const hit = this.jwtCache.get(token);
    if (hit && hit.expiresAt! * 1000 > Date.now()) return hit;
    const claims = await this.tokens.verifyAccess(token);
    if (!claims || !isUuid(claims.sid)) return null;
    const principal: Principal = { accountId: claims.sub, role: claims.role, via: 'session', scopes: Object.values(ApiKeyScope), expiresAt: claims.exp, sessionId: claims.sid, apiKeyId: null };
    if (this.jwtCache.size >= 10_000) this.jwtCache.clear();
    this.jwtCache.set(token, principal);
    return principal;
  }

  /** API keys by the hash of their secret; cached until revoked (credential-cache.ts). */
  private authenticateApiKey(secret: string): Promise<Principal | null> {
    return this.credentials.apiKey(sha256(secret), async () => {
      const em = this.em();
      const key = await em.findOne(ApiKey, { secretHash: sha256(secret), revokedAt: null });
      if (!key) return { principal: null, keyId: null };
      const account = await em.findOne(Account, { id: key.accountId });
      if (!key.lastUsedAt || Date.now() - key.lastUsedAt.getTime() > 60_000) {
        await em.nativeUpdate(ApiKey, { id: key.id }, { lastUsedAt: new Date() });
      }
      const principal: Principal | null = account ? { accountId: account.id, role: account.role, via: 'apiKey', scopes: key.scopes, expiresAt: null, sessionId: null, apiKeyId: key.id } : null;
      return { principal, keyId: key.id };
    });
  }
}

/** NOTIFY inside the revoking transaction: delivered to every instance at commit, never before. */
async function notifyRevocation(tem: EntityManager, r: Revocation): Promise<void> {
  await tem.execute('select pg_notify(?, ?)', [REVOCATION_CHANNEL, JSON.stringify(r)]);
}

type Attempt = readonly (readonly [RateLimiterPostgres, string])[];

/** A point an attempt took, and when the window it was counted in ends (ms since the epoch). */
interface TakenPoint {
  limiter: RateLimiterPostgres;
  key: string;
  windowEndsAt: number;
}

/**
 * Takes a point from each limiter for this key before the attempt runs: PostgreSQL counts it
 * atomically, so concurrent attempts cannot all pass a check made before any of them was counted
 * (docs/decisions.md, "Throttles count before they check"). RATE_LIMITED when one is spent; every
 * point the attempt took is given back, so a refused attempt counts nowhere.
 */
async function takeAttempt(sql: Sql, what: string, attempt: Attempt): Promise<TakenPoint[]> {
  const taken = await Promise.allSettled(attempt.map(([limiter, key]) => limiter.consume(key)));
  // A limiter that refused counted the point too (its store adds, then compares); only one whose
  // store failed took nothing.
  const points = attempt.flatMap(([limiter, key], index) => {
    const result = taken[index];
    const counted = result.status === 'fulfilled' ? result.value : result.reason instanceof RateLimiterRes ? result.reason : null;
    return counted ? [{ limiter, key, windowEndsAt: Date.now() + counted.msBeforeNext }] : [];
  });
  const refusals = taken.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
  if (refusals.length === 0) return points;
  await giveBack(sql, points);
  const storeError = refusals.find((reason) => !(reason instanceof RateLimiterRes));
  if (storeError) throw storeError;
  throw rateLimited(what, Math.max(...refusals.map((reason) => (reason as RateLimiterRes).msBeforeNext)));
}

/**
 * Gives back the points an attempt took (it succeeded, or was refused before it ran), each to the
 * window it was counted in and never below zero: a point taken just before a window ended does
 * not lower the next window's count (rate-limiter-flexible's `reward` would start it at -1, one
 * more guess or sign-up allowed each time). A window's end moves by a whole duration from one
 * window to the next, so half a duration tells them apart.
 */
async function giveBack(sql: Sql, points: readonly TakenPoint[]): Promise<void> {
  await Promise.all(
    points.map(({ limiter, key, windowEndsAt }) =>
      sql.query(`update login_throttle set points = points - 1 where key = ? and points > 0 and abs(expire - ?) < ?`, [limiter.getKey(key), windowEndsAt, (limiter.duration * 1000) / 2]),
    ),
  );
}

/** RATE_LIMITED with the whole seconds until a limiter lets the caller try again. */
function rateLimited(what: string, msBeforeNext: number): DomainError {
  const retryAfter = Math.ceil(msBeforeNext / 1000);
  return new DomainError(ErrorCode.RATE_LIMITED, `${what}; try again in ${retryAfter} seconds`, { retryAfterSeconds: retryAfter });
}
