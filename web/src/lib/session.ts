import { print } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { LogInDocument, LogOutDocument, RefreshDocument, SignUpDocument } from '../gql/graphql';
import { readVault, writeVault } from './vault';

/**
 * The logged-in session: tokens, their refresh, and how a session ends.
 *
 * Storage: the session is kept in localStorage so it survives a reload and is shared by every
 * tab. That is a deliberate trade-off of this reference client (a script injected into the
 * page could read the refresh token); a product deployment may prefer an HttpOnly cookie.
 *
 * Rotation: every refresh returns a new refresh token and the old one stops working; using an
 * old one again revokes the whole session on the server. Two tabs must therefore never
 * refresh with the same token: refreshes run under a Web Lock shared by the tabs, and inside
 * it a tab first reads the latest tokens (from IndexedDB: lib/vault.ts says why) and adopts
 * them when another tab already rotated.
 */

export interface Session {
  accessToken: string;
  refreshToken: string;
  /** Epoch ms when the access token expires. */
  expiresAt: number;
  /** How long access tokens live (ms), measured when this one was issued. */
  lifetimeMs: number;
  accountId: string;
}

/** Why the user is looking at the log-in form. */
export type EndReason = 'logged-out' | 'expired' | 'elsewhere';

export interface GraphQLErrorShape {
  message: string;
  /** `retryAfterSeconds` comes with RATE_LIMITED from logIn and signUp. */
  extensions?: { code?: string; retryAfterSeconds?: number };
}

/** A GraphQL answer with errors (the request reached the server). */
export class GraphQLRequestError extends Error {
  constructor(readonly errors: GraphQLErrorShape[]) {
    super(errors[0]?.message ?? 'GraphQL error');
    this.name = 'GraphQLRequestError';
  }
  get code(): string | undefined {
    return this.errors[0]?.extensions?.code;
  }
}

const STORAGE_KEY = 'credits.session';
const REFRESH_LOCK = 'credits.session.refresh';
/** Refresh this long before expiry: a minute, or a third of a short lifetime. */
const refreshMarginMs = (s: Session) => Math.min(60_000, s.lifetimeMs / 3);

/** POST one operation to /graphql without Apollo (used for the session itself, before a client exists). */
export async function postGraphQL<R, V>(doc: TypedDocumentNode<R, V>, variables: V, token?: string): Promise<R> {
  const res = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: print(doc), variables }),
  });
  const body = (await res.json().catch(() => null)) as { data?: R; errors?: GraphQLErrorShape[] } | null;
  if (body?.errors?.length) throw new GraphQLRequestError(body.errors);
  if (!body?.data) throw new Error(`The server answered HTTP ${res.status}`);
  return body.data;
}

interface AuthAnswer {
  accessToken: string;
  refreshToken: string;
  expiresAt: string;
  account: { id: string };
}

function toSession(a: AuthAnswer): Session {
  const expiresAt = Date.parse(a.expiresAt);
  return { accessToken: a.accessToken, refreshToken: a.refreshToken, expiresAt, lifetimeMs: Math.max(expiresAt - Date.now(), 1000), accountId: a.account.id };
}

function readStored(): Session | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export class SessionStore {
  private session: Session | null = readStored();
  private reason: EndReason | null = null;
  private refreshing: Promise<Session | null> | null = null;
  private readonly listeners = new Set<() => void>();

  constructor() {
    // Another tab logged in, rotated the tokens or logged out.
    window.addEventListener('storage', (e) => {
      if (e.key !== STORAGE_KEY) return;
      const next = readStored();
      if (!next && this.session) this.end('elsewhere', false);
      else if (next && next.accountId !== this.session?.accountId) window.location.reload();
      else this.set(next, false);
    });
  }

  /** For React's useSyncExternalStore. */
  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };
  current = (): Session | null => this.session;
  endReason = (): EndReason | null => this.reason;

  async signUp(email: string, password: string, timezone: string): Promise<void> {
    const data = await postGraphQL(SignUpDocument, { input: { email, password, timezone } });
    await this.start(toSession(data.signUp));
  }

  async logIn(email: string, password: string): Promise<void> {
    const data = await postGraphQL(LogInDocument, { email, password });
    await this.start(toSession(data.logIn));
  }

  private async start(session: Session): Promise<void> {
    await writeVault(session);
    this.set(session, true);
  }

  /** Ends the session on the server too (every rotation of its refresh token). */
  async logOut(): Promise<void> {
    const s = this.session;
    this.end('logged-out', true);
    await writeVault(null);
    if (s) await postGraphQL(LogOutDocument, { refreshToken: s.refreshToken }).catch(() => undefined);
  }

  /** A usable access token, refreshed first when it is about to expire; null when logged out. */
  async accessToken(): Promise<string | null> {
    const s = this.session;
    if (!s) return null;
    if (s.expiresAt - Date.now() > refreshMarginMs(s)) return s.accessToken;
    return (await this.refresh())?.accessToken ?? null;
  }

  /**
   * One refresh at a time per page (and per browser, with Web Locks). `refused`: an access
   * token the server turned down, which must not be adopted again. Null: the session ended.
   */
  refresh(refused?: string): Promise<Session | null> {
    this.refreshing ??= this.refreshOnce(refused).finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  private async refreshOnce(refused?: string): Promise<Session | null> {
    const run = async (): Promise<Session | null> => {
      const latest = (await readVault<Session>()) ?? readStored();
      if (!latest) {
        this.end('elsewhere', false);
        return null;
      }
      // Another tab rotated while this one waited for the lock: use its tokens.
      if (latest.expiresAt - Date.now() > refreshMarginMs(latest) && latest.accessToken !== refused) {
        this.set(latest, false);
        return latest;
      }
      try {
        const data = await postGraphQL(RefreshDocument, { refreshToken: latest.refreshToken });
        const next = toSession(data.refreshToken);
        await writeVault(next); // committed before the lock is released
        this.set(next, true);
        return next;
      } catch (err) {
        // Refused (expired, revoked, or reused and therefore revoked): log out cleanly. Only
        // UNAUTHENTICATED is a refusal: a 503 while the database is away, an internal error or
        // RATE_LIMITED keep the session (and its refresh token), like a network failure; the
        // next call tries again.
        if (err instanceof GraphQLRequestError && err.code === 'UNAUTHENTICATED') {
          await writeVault(null);
          this.end('expired', true);
          return null;
        }
        throw err;
      }
    };
    return navigator.locks ? navigator.locks.request(REFRESH_LOCK, run) : run();
  }

  /** The server refused a token it should have accepted: try one refresh, else end the session. */
  async rejected(token: string): Promise<string | null> {
    if (this.session && this.session.accessToken !== token) return this.session.accessToken;
    return (await this.refresh(token))?.accessToken ?? null;
  }

  private set(next: Session | null, persist: boolean): void {
    this.session = next;
    if (next) this.reason = null;
    if (persist) {
      if (next) localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
      else localStorage.removeItem(STORAGE_KEY);
    }
    this.listeners.forEach((fn) => fn());
  }

  private end(reason: EndReason, persist: boolean): void {
    if (!this.session && this.reason) return;
    this.reason = reason;
    this.set(null, persist);
  }
}
