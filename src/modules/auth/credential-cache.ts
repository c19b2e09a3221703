import type { Logger } from '../../shared/logger';

/** The PostgreSQL channel revocations travel on (the realtime hub's LISTEN connection). */
export const REVOCATION_CHANNEL = 'credential_revocations';

/**
 * A credential that ended: an API key, a session (a refresh-token family, which every access
 * token it issued names in its `sid` claim), or every session of an account but `keep`
 * (a password change).
 */
export type Revocation = { kind: 'apiKey'; id: string } | { kind: 'session'; id: string } | { kind: 'account'; id: string; keep: string | null };

export interface CachedApiKey<P> {
  principal: P | null;
  keyId: string | null;
}

/** A cached API key: when it was read, and whether a background re-read is under way. */
interface CachedApiKeyEntry<P> extends CachedApiKey<P> {
  at: number;
  refreshing: boolean;
}

/** Entries kept before a cache is emptied (a bound on memory, not a policy). */
const MAX_ENTRIES = 100_000;
/** An API key's row is re-read this often even when cached (in the background), to keep `lastUsedAt` and the account's role current. */
export const API_KEY_REFRESH_MS = 60_000;

/**
 * What authentication remembers between requests, and how it forgets (credentials end when
 * they are ended, on every instance, within a second).
 *
 * Session states and API keys are cached only while this instance LISTENs on
 * REVOCATION_CHANNEL: every revocation is NOTIFYed inside the transaction that revokes, so a
 * listening instance hears of it at commit. While the LISTEN connection is down (and until it
 * is back) nothing is cached: every request reads the database. Each revocation or
 * (re)connection bumps `epoch`, and a database read started under an older epoch is not cached,
 * so a read that raced a revocation can never re-insert the revoked state.
 */
export class CredentialCache<P> {
  private listening = false;
  private epoch = 0;
  private readonly sessions = new Map<string, { accountId: string; active: boolean }>();
  private readonly apiKeys = new Map<string, CachedApiKeyEntry<P>>();
  private readonly subscribers: ((r: Revocation) => void)[] = [];

  constructor(private readonly log: Logger) {}

  /** The LISTEN connection came up (true) or went away (false): either way, forget everything. */
  setListening(listening: boolean): void {
    this.listening = listening;
    this.epoch++;
    this.sessions.clear();
    this.apiKeys.clear();
  }

  /** Called for every revocation, local or from another instance (e.g. to close sockets). */
  onRevoked(fn: (r: Revocation) => void): void {
    this.subscribers.push(fn);
  }

  /** A NOTIFY payload from REVOCATION_CHANNEL. */
  notified(payload: string): void {
    let r: Revocation;
    try {
      r = JSON.parse(payload) as Revocation;
    } catch {
      this.log.warn({ payload: payload.slice(0, 200) }, 'ignoring malformed revocation notification');
      return;
    }
    this.revoked(r);
  }

  /** Applies a revocation here (the revoking instance calls this after commit too, not waiting for its own NOTIFY). */
  revoked(r: Revocation): void {
    this.epoch++;
    if (r.kind === 'apiKey') {
      for (const [hash, entry] of this.apiKeys) if (entry.keyId === r.id) this.apiKeys.delete(hash);
    } else if (r.kind === 'session') {
      const known = this.sessions.get(r.id);
      this.sessions.set(r.id, { accountId: known?.accountId ?? '', active: false });
    } else {
      for (const [sid, s] of this.sessions) if (s.accountId === r.id && sid !== r.keep) s.active = false;
    }
    for (const fn of this.subscribers) {
      try {
        fn(r);
      } catch (err) {
        this.log.error({ err }, 'revocation subscriber failed');
      }
    }
  }

  /** Whether the session is live: from the cache, else `load` (the database), cached when nothing raced it. */
  async sessionActive(sessionId: string, accountId: string, load: () => Promise<boolean>): Promise<boolean> {
    const hit = this.listening ? this.sessions.get(sessionId) : undefined;
    if (hit) return hit.active;
    const epoch = this.epoch;
    const active = await load();
    if (this.listening && epoch === this.epoch) {
      if (this.sessions.size >= MAX_ENTRIES) this.sessions.clear();
      this.sessions.set(sessionId, { accountId, active });
    }
    return active;
  }

  /**
   * An API key by its secret's hash: from the cache, else `load`. An entry older than
   * API_KEY_REFRESH_MS is still answered from the cache while `load` refreshes it in the
   * background (one refresh at a time per key), so a busy key never waits for its periodic
   * re-read. Revoked keys are never among the cached ones: revocation removes them at once.
   */
  async apiKey(hash: string, load: () => Promise<CachedApiKey<P>>): Promise<P | null> {
    const hit = this.listening ? this.apiKeys.get(hash) : undefined;
    if (!hit) return this.loadApiKey(hash, load);
    if (Date.now() - hit.at >= API_KEY_REFRESH_MS && !hit.refreshing) this.refreshApiKey(hash, hit, load);
    return hit.principal;
  }

  private async loadApiKey(hash: string, load: () => Promise<CachedApiKey<P>>): Promise<P | null> {
    const epoch = this.epoch;
    const loaded = await load();
    if (this.listening && epoch === this.epoch) {
      if (this.apiKeys.size >= MAX_ENTRIES) this.apiKeys.clear();
      this.apiKeys.set(hash, { ...loaded, at: Date.now(), refreshing: false });
    }
    return loaded.principal;
  }

  /** The background re-read of a stale entry; on failure the entry stays and the next use retries. */
  private refreshApiKey(hash: string, stale: CachedApiKeyEntry<P>, load: () => Promise<CachedApiKey<P>>): void {
    stale.refreshing = true;
    this.loadApiKey(hash, load)
      .catch((err: unknown) => this.log.warn({ err }, 'API key refresh failed; the cached entry stays until the next use retries'))
      .finally(() => {
        stale.refreshing = false;
      });
  }
}
