import type { AuthChecker, MiddlewareFn } from 'type-graphql';
import DataLoader from 'dataloader';
import { DomainError, ErrorCode } from '../../shared/errors';
import { Role } from '../accounts/account.entity';
import type { Services } from '../../services';
import type { Principal } from './auth.service';
import type { WalletView } from '../ledger/ledger.service';
import { ApiKeyScope } from './api-key.entity';

export interface Context {
  principal: Principal | null;
  /** The Authorization header sent over HTTP (absent on sockets, authenticated when they connect): why it was refused, when it was. */
  authorization?: string;
  services: Services;
  requestId: string;
  ip: string;
  loaders: Loaders;
}

export type Loaders = ReturnType<typeof createLoaders>;

/** Per-request batching of per-parent lookups (no N+1 from field resolvers). */
export function createLoaders(services: Services) {
  return {
    walletByAccount: new DataLoader<string, WalletView>(async (ids: readonly string[]) => {
      const m = await services.ledger.walletsByAccount(ids);
      return ids.map((id) => m.get(id) ?? new DomainError(ErrorCode.NOT_FOUND, 'Wallet not found'));
    }),
    bucketsByWallet: new DataLoader(async (ids: readonly string[]) => {
      const m = await services.ledger.buckets(ids);
      return ids.map((id) => m.get(id) ?? []);
    }),
    synfluencer: new DataLoader(async (ids: readonly string[]) => {
      const m = await services.synfluencers.byIds(ids);
      return ids.map((id) => m.get(id) ?? null);
    }),
  };
}

/**
 * Authorization rules, named in `@Authorized(...)`:
 *  - no rule: any authenticated caller; API keys need at least one scope named in the rule list
 *  - 'SESSION': a logged-in user only (API keys cannot manage the account)
 *  - 'ADMIN': a session of an admin
 *  - a scope name ('USAGE_WRITE', 'WALLET_READ'): sessions always pass; API keys need that scope
 */
export const authChecker: AuthChecker<Context> = async ({ context }, rules) => {
  const p = context.principal;
  if (!p) throw new DomainError(ErrorCode.UNAUTHENTICATED, await context.services.auth.refusalOf(context.authorization));
  if (rules.includes('ADMIN') && (p.via !== 'session' || p.role !== Role.ADMIN)) throw new DomainError(ErrorCode.FORBIDDEN, 'Admins only');
  if (p.via === 'apiKey') {
    const scopes = rules.filter((r): r is ApiKeyScope => (Object.values(ApiKeyScope) as string[]).includes(r));
    if (rules.includes('SESSION') || scopes.length === 0) throw new DomainError(ErrorCode.FORBIDDEN, 'This API key lacks the scope for this operation');
    assertAnyScope(p, scopes);
  }
  return true;
};

/** FORBIDDEN unless the caller has one of `scopes` (a session has every scope; an API key those it was created with). */
export function assertAnyScope(principal: Principal, scopes: readonly ApiKeyScope[]): void {
  if (!scopes.some((scope) => principal.scopes.includes(scope))) {
    throw new DomainError(ErrorCode.FORBIDDEN, `This API key lacks the scope for this operation (needs ${scopes.join(' or ')})`);
  }
}

/**
 * On the fields of an account a charging key has no need of (its email, plan, auto top-up state,
 * credit buckets): FORBIDDEN for an API key without WALLET_READ. A USAGE_WRITE key reads `me` for
 * what it can still spend, not the account's billing details. Sessions read them, and so does the
 * answer of signUp and logIn (no principal yet). `@UseMiddleware(KeyNeedsWalletRead)`.
 */
export const KeyNeedsWalletRead: MiddlewareFn<Context> = ({ context }, next) => {
  const principal = context.principal;
  if (principal?.via === 'apiKey') assertAnyScope(principal, [ApiKeyScope.WALLET_READ]);
  return next();
};

/** The caller's principal; resolvers behind `@Authorized` can rely on it. */
export const me = (ctx: Context): Principal => {
  if (!ctx.principal) throw new DomainError(ErrorCode.UNAUTHENTICATED, 'Authentication required');
  return ctx.principal;
};
