import { randomUUID } from 'node:crypto';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { Config } from '../../config';
import { DomainError, ErrorCode, badInput, notFound } from '../../shared/errors';
import { isUuid } from '../../shared/ids';
import { assertTimeZone } from '../../shared/time';
import { Account, Role } from '../accounts/account.entity';
import type { LedgerService } from '../ledger/ledger.service';
import type { PricingService } from '../pricing/pricing.service';
import { ApiKey, ApiKeyScope } from './api-key.entity';
import { assertStrongPassword, hashPassword, verifyPassword } from './password';
import { RefreshToken } from './refresh-token.entity';
import { API_KEY_PREFIX, REFRESH_PREFIX, TokenService, randomSecret, sha256 } from './tokens';

/** Who is calling. API-key principals are limited to their scopes; sessions can do everything their role allows. */
export interface Principal {
  accountId: string;
  role: Role;
  via: 'session' | 'apiKey';
  scopes: ApiKeyScope[];
  /** Seconds since epoch when the credential stops being valid (access tokens only). */
  expiresAt: number | null;
}

export interface AuthResult {
  accessToken: string;
  refreshToken: string;
  expiresAt: Date;
  account: Account;
}

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const API_KEY_CACHE_MS = 5_000;

export class AuthService {
  /** Failed log-ins per email and per client address (rate-limiter-flexible: a well-tested sliding window). */
  private readonly failuresByEmail: RateLimiterMemory;
  private readonly failuresByIp: RateLimiterMemory;
  private readonly apiKeyCache = new Map<string, { principal: Principal | null; at: number }>();
  private readonly jwtCache = new Map<string, Principal>();
  /** A password hash to compare against when the email is unknown, so timing does not reveal accounts. */
  private dummyHash: Promise<string>;

  constructor(
    private readonly orm: MikroORM,
    private readonly config: Config,
    readonly tokens: TokenService,
    private readonly ledger: LedgerService,
    private readonly pricing: PricingService,
  ) {
    const opts = { points: config.login.maxFailures, duration: config.login.windowSeconds };
    this.failuresByEmail = new RateLimiterMemory({ ...opts, keyPrefix: 'email' });
    this.failuresByIp = new RateLimiterMemory({ ...opts, points: opts.points * 5, keyPrefix: 'ip' });
    this.dummyHash = hashPassword('not-a-real-password-1A', config.passwordHashCost);
  }

  private em(): EntityManager {
    return this.orm.em.fork() as EntityManager;
  }

  private normaliseEmail(email: string): string {
    const e = (email ?? '').trim().toLowerCase();
    if (!EMAIL_RE.test(e) || e.length > 254) throw badInput('email is not a valid email address');
    return e;
  }

  /** Creates the account, its one wallet and the sign-up bonus in one database transaction. */
  async signUp(input: { email: string; password: string; timezone?: string | null }): Promise<AuthResult> {
    const email = this.normaliseEmail(input.email);
    assertStrongPassword(input.password);
    const timezone = assertTimeZone(input.timezone ?? 'UTC');
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
          role: this.config.adminEmails.has(email) ? Role.ADMIN : Role.USER,
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
    await this.assertNotThrottled(email, ip);
    const account = await this.em().findOne(Account, { email });
    const ok = account ? await verifyPassword(password, account.passwordHash) : (await verifyPassword(password, await this.dummyHash), false);
    if (!account || !ok) {
      await Promise.all([this.failuresByEmail.penalty(email), this.failuresByIp.penalty(ip)]);
      throw new DomainError(ErrorCode.INVALID_CREDENTIALS, 'Email or password is incorrect');
    }
    await this.failuresByEmail.delete(email);
    return this.issue(account);
  }

  private async assertNotThrottled(email: string, ip: string): Promise<void> {
    const [byEmail, byIp] = await Promise.all([this.failuresByEmail.get(email), this.failuresByIp.get(ip)]);
    const blocked = [byEmail && byEmail.consumedPoints >= this.config.login.maxFailures ? byEmail : null, byIp && byIp.consumedPoints >= this.config.login.maxFailures * 5 ? byIp : null].filter(Boolean);
    if (blocked.length > 0) {
      const retryAfter = Math.ceil(Math.max(...blocked.map((b) => b!.msBeforeNext)) / 1000);
      throw new DomainError(ErrorCode.RATE_LIMITED, `Too many failed log-in attempts; try again in ${retryAfter} seconds`, { retryAfterSeconds: retryAfter });
    }
  }

  private async issue(account: Account, familyId: string = randomUUID(), em: EntityManager = this.em()): Promise<AuthResult> {
    // ADMIN_EMAILS promotes an existing account at its next log-in or refresh.
    if (this.config.adminEmails.has(account.email) && account.role !== Role.ADMIN) {
      await em.nativeUpdate(Account, { id: account.id }, { role: Role.ADMIN });
      account.role = Role.ADMIN;
    }
    const access = await this.tokens.signAccess(account.id, account.role);
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
    const outcome = await em.transactional(async (tem): Promise<AuthResult | 'invalid'> => {
      const rt = await tem.findOne(RefreshToken, { tokenHash: sha256(token) }, { lockMode: 4 /* PESSIMISTIC_WRITE */ });
      if (!rt) return 'invalid';
      if (rt.rotatedAt || rt.revokedAt) {
        // Committed before answering: the family stays revoked even though the call fails.
        if (rt.rotatedAt) await tem.nativeUpdate(RefreshToken, { familyId: rt.familyId, revokedAt: null }, { revokedAt: new Date() });
        return 'invalid';
      }
      if (rt.expiresAt.getTime() <= Date.now()) return 'invalid';
      const account = await tem.findOne(Account, { id: rt.accountId });
      if (!account) return 'invalid';
      rt.rotatedAt = new Date();
      return this.issue(account, rt.familyId, tem as EntityManager);
    });
    if (outcome === 'invalid') throw invalid();
    return outcome;
  }

  async logOut(token: string): Promise<boolean> {
    if (typeof token !== 'string') return false;
    const em = this.em();
    const rt = await em.findOne(RefreshToken, { tokenHash: sha256(token) });
    if (!rt) return false;
    // Logging out ends the whole session (every rotation of this token).
    await em.nativeUpdate(RefreshToken, { familyId: rt.familyId, revokedAt: null }, { revokedAt: new Date() });
    return true;
  }

  async changePassword(accountId: string, current: string, next: string): Promise<boolean> {
    const em = this.em();
    const account = await em.findOneOrFail(Account, { id: accountId });
    if (!(await verifyPassword(current, account.passwordHash))) {
      throw new DomainError(ErrorCode.INVALID_CREDENTIALS, 'Current password is incorrect');
    }
    assertStrongPassword(next);
    account.passwordHash = await hashPassword(next, this.config.passwordHashCost);
    // A new password ends every other session.
    await em.nativeUpdate(RefreshToken, { accountId, revokedAt: null }, { revokedAt: new Date() });
    await em.flush();
    return true;
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
    if (!key.revokedAt) {
      key.revokedAt = new Date();
      await em.flush();
    }
    this.apiKeyCache.clear();
    return true;
  }

  async apiKeys(accountId: string): Promise<ApiKey[]> {
    return this.em().find(ApiKey, { accountId }, { orderBy: { createdAt: 'desc' } });
  }

  // ---------------------------------------------------------------- authentication

  /** Resolves a bearer credential (JWT or API key) to a principal, or null when it is not valid. */
  async authenticate(authorization: string | undefined | null): Promise<Principal | null> {
    if (!authorization) return null;
    const m = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!m) return null;
    const token = m[1];
    if (token.startsWith(API_KEY_PREFIX)) return this.authenticateApiKey(token);
    // A verified JWT stays valid until its exp (tokens are stateless), so the signature check is
    // done once per token, not once per request: ES256 verification is the dearest CPU step of a charge.
    const hit = this.jwtCache.get(token);
    if (hit && hit.expiresAt! * 1000 > Date.now()) return hit;
    const claims = await this.tokens.verifyAccess(token);
    if (!claims) return null;
    const principal: Principal = { accountId: claims.sub, role: claims.role, via: 'session', scopes: Object.values(ApiKeyScope), expiresAt: claims.exp };
    if (this.jwtCache.size >= 10_000) this.jwtCache.clear();
    this.jwtCache.set(token, principal);
    return principal;
  }

  /**
   * API keys are looked up by hash and cached for a few seconds (the hot charging path
   * should not pay a query per request). Revocation clears this instance's cache at once;
   * other instances stop accepting the key within API_KEY_CACHE_MS.
   */
  private async authenticateApiKey(secret: string): Promise<Principal | null> {
    const hash = sha256(secret);
    const cached = this.apiKeyCache.get(hash);
    if (cached && Date.now() - cached.at < API_KEY_CACHE_MS) return cached.principal;
    const em = this.em();
    const key = await em.findOne(ApiKey, { secretHash: hash, revokedAt: null });
    let principal: Principal | null = null;
    if (key) {
      const account = await em.findOne(Account, { id: key.accountId });
      if (account) principal = { accountId: account.id, role: account.role, via: 'apiKey', scopes: key.scopes, expiresAt: null };
      if (!key.lastUsedAt || Date.now() - key.lastUsedAt.getTime() > 60_000) {
        await em.nativeUpdate(ApiKey, { id: key.id }, { lastUsedAt: new Date() });
      }
    }
    if (this.apiKeyCache.size > 10_000) this.apiKeyCache.clear();
    this.apiKeyCache.set(hash, { principal, at: Date.now() });
    return principal;
  }
}
