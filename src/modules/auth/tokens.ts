import fs from 'node:fs';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import * as jose from 'jose';
import type { Config } from '../../config';
import type { Role } from '../accounts/account.entity';

/** Pinned: tokens signed with any other algorithm (including `none`) are refused. */
export const JWT_ALG = 'ES256';

type Key = Awaited<ReturnType<typeof jose.importPKCS8>>;

export interface AccessClaims {
  sub: string;
  role: Role;
  exp: number;
  /** The session: the refresh-token family this token was issued for. Revoking the family ends the token. */
  sid: string;
}

export class TokenService {
  private constructor(
    private readonly privateKey: Key,
    private readonly publicKey: Key,
    private readonly cfg: Config['jwt'],
  ) {}

  /**
   * Keys come from JWT_PRIVATE_KEY/JWT_PUBLIC_KEY. Without them (development), a key pair is
   * generated once and kept in DATA_DIR so tokens survive restarts; tests keep it in memory.
   */
  static async create(config: Config): Promise<TokenService> {
    let privatePem = config.jwt.privateKeyPem;
    let publicPem = config.jwt.publicKeyPem;
    if (!privatePem || !publicPem) {
      const privFile = path.join(config.dataDir, 'jwt-private.pem');
      const pubFile = path.join(config.dataDir, 'jwt-public.pem');
      if (config.nodeEnv !== 'test' && fs.existsSync(privFile) && fs.existsSync(pubFile)) {
        privatePem = fs.readFileSync(privFile, 'utf8');
        publicPem = fs.readFileSync(pubFile, 'utf8');
      } else {
        const pair = await jose.generateKeyPair(JWT_ALG, { extractable: true });
        privatePem = await jose.exportPKCS8(pair.privateKey);
        publicPem = await jose.exportSPKI(pair.publicKey);
        if (config.nodeEnv !== 'test') {
          fs.mkdirSync(config.dataDir, { recursive: true });
          fs.writeFileSync(privFile, privatePem, { mode: 0o600 });
          fs.writeFileSync(pubFile, publicPem);
        }
      }
    }
    return new TokenService(await jose.importPKCS8(privatePem, JWT_ALG), await jose.importSPKI(publicPem, JWT_ALG), config.jwt);
  }

  async signAccess(accountId: string, role: Role, sessionId: string): Promise<{ token: string; expiresAt: Date }> {
    const now = Math.floor(Date.now() / 1000);
    const exp = now + this.cfg.accessTtlSeconds;
    const token = await new jose.SignJWT({ role, sid: sessionId })
      .setProtectedHeader({ alg: JWT_ALG, typ: 'JWT' })
      .setSubject(accountId)
      .setIssuer(this.cfg.issuer)
      .setAudience(this.cfg.audience)
      .setIssuedAt(now)
      .setExpirationTime(exp)
      .setJti(randomBytes(8).toString('hex'))
      .sign(this.privateKey);
    return { token, expiresAt: new Date(exp * 1000) };
  }

  /**
   * Why a token verifyAccess refused was refused, for the caller's message: EXPIRED only for a
   * token this service signed (jose checks the signature before the claims), INVALID otherwise.
   */
  async refusalOf(token: string): Promise<'EXPIRED' | 'INVALID' | 'VALID'> {
    try {
      await jose.jwtVerify(token, this.publicKey, { algorithms: [JWT_ALG], issuer: this.cfg.issuer, audience: this.cfg.audience, requiredClaims: ['exp', 'iat', 'sub'] });
      return (await this.verifyAccess(token)) ? 'VALID' : 'INVALID';
    } catch (err) {
      return err instanceof jose.errors.JWTExpired ? 'EXPIRED' : 'INVALID';
    }
  }

  /** Returns the claims, or null for any invalid token (bad signature, alg, iss, aud, exp, no session id). */
  async verifyAccess(token: string): Promise<AccessClaims | null> {
    try {
      const { payload } = await jose.jwtVerify(token, this.publicKey, {
        algorithms: [JWT_ALG],
        issuer: this.cfg.issuer,
        audience: this.cfg.audience,
        requiredClaims: ['exp', 'iat', 'sub'],
      });
      if (typeof payload.sub !== 'string' || typeof payload.role !== 'string' || typeof payload.sid !== 'string') return null;
      return { sub: payload.sub, role: payload.role as Role, exp: payload.exp as number, sid: payload.sid };
    } catch {
      return null;
    }
  }
}

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
export const randomSecret = (prefix: string): string => `${prefix}${randomBytes(32).toString('base64url')}`;
export const REFRESH_PREFIX = 'rt_';
export const API_KEY_PREFIX = 'sfk_';
