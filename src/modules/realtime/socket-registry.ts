import { randomUUID } from 'node:crypto';
import type { Sql } from '../../db/sql';
import type { Logger } from '../../shared/logger';
import type { Principal } from '../auth/auth.service';
import type { Revocation } from '../auth/credential-cache';
import { listenerName } from './realtime.hub';

/**
 * WebSocket close codes this service sends (README, "WebSocket close codes"). The stock
 * graphql-ws client never retries 4401 and retries the others (with backoff), calling a
 * `connectionParams` function again on each attempt.
 */
export const CLOSE = {
  /** The credential that opened the socket was revoked or its session ended: do not retry with it. */
  CREDENTIALS_ENDED: 4401,
  /** The access token expired: reconnect with a fresh one (the stock client retries). */
  TOKEN_EXPIRED: 4419,
  /** Over the per-account or per-API-key socket limit. */
  TOO_MANY_SOCKETS: 4029,
  /** The database was unreachable while authenticating: try again later. */
  TRY_AGAIN_LATER: 1013,
} as const;

/** One admitted socket, as the registry needs it: who opened it, and how to end it. */
export interface SocketHandle {
  id: string;
  principal: Principal;
  /** Completes every running operation (clients get `complete`), then closes with `code`. */
  end(code: number, reason: string): void;
}

/** Which of these credentials have ended, read from the database (AuthService.endedCredentials). */
export type EndedCredentials = (sessionIds: readonly string[], apiKeyIds: readonly string[]) => Promise<{ sessions: Set<string>; apiKeys: Set<string> }>;

export interface SocketLimits {
  maxSocketsPerAccount: number;
  maxSocketsPerApiKey: number;
}

/** Rows of instances not seen for this long are deleted (an instance whose LISTEN connection blinked keeps its rows). */
const DEAD_ROWS_AFTER = '1 hour';

/** A failed re-check of open sockets' credentials is tried again after this, doubling up to the maximum, until it succeeds. */
export interface RecheckRetry {
  firstMs: number;
  maxMs: number;
}
const RECHECK_RETRY: RecheckRetry = { firstMs: 1_000, maxMs: 30_000 };

/**
 * Authenticated sockets: admitted under the per-account and per-API-key limits across every
 * instance (one `live_socket` row per socket in PostgreSQL, counted under an advisory lock on
 * the account), and indexed here by session, API key and account so a revocation ends them.
 * An instance is alive while its LISTEN connection (application_name `credits-realtime-listen:<id>`)
 * is in pg_stat_activity: the rows of an instance that died stop counting at once.
 */
export class SocketRegistry {
  private readonly bySession = new Map<string, Set<SocketHandle>>();
  private readonly byApiKey = new Map<string, Set<SocketHandle>>();
  private readonly byAccount = new Map<string, Set<SocketHandle>>();
  /**
   * Moves with every revocation heard and every change of the LISTEN connection: a socket whose
   * credential was read before it moved may have missed its revocation, so it is checked again.
   */
  private generation = 0;
  /** Sockets whose re-check failed (the database was unreachable), read again by the retry timer. */
  private readonly awaitingRecheck = new Set<SocketHandle>();
  private recheckTimer: NodeJS.Timeout | null = null;
  private recheckDelayMs: number;

  constructor(
    private readonly deps: { sql: Sql; instanceId: string; limits: SocketLimits; endedCredentials: EndedCredentials; log: Logger; recheckRetry?: RecheckRetry },
  ) {
    this.recheckDelayMs = this.retry.firstMs;
  }

  private get retry(): RecheckRetry {
    return this.deps.recheckRetry ?? RECHECK_RETRY;
  }

  /** Read before authenticating a socket; given back to `register`. */
  currentGeneration(): number {
    return this.generation;
  }

  /** A row for a new socket if the limits allow it (its id), else which limit refused it. */
  async admit(principal: Principal): Promise<{ id: string } | { refused: string }> {
    const { sql, instanceId, limits } = this.deps;
    const id = randomUUID();
    const client = await sql.acquire();
    let failed: Error | undefined;
    try {
      // The account id is a UUID (it comes from a verified credential), so it can be inlined
      // to send BEGIN and the lock in one round trip. Concurrent admissions of one account wait here.
      await client.query(`begin; select pg_advisory_xact_lock(hashtextextended('live_socket:${principal.accountId}', 0))`);
      const alive = `(s.instance_id = $2 or exists (select 1 from pg_stat_activity a where a.application_name = '${listenerName('')}' || s.instance_id::text))`;
      await client.query(`delete from live_socket s where s.account_id = $1 and s.created_at < now() - interval '${DEAD_ROWS_AFTER}' and not ${alive}`, [principal.accountId, instanceId]);
      const counts = await client.query<{ account: number; key: number }>(
        `select count(*)::int as account, count(*) filter (where s.api_key_id = $3)::int as key from live_socket s where s.account_id = $1 and ${alive}`,
        [principal.accountId, instanceId, principal.apiKeyId],
      );
      const { account, key } = counts.rows[0];
      let refused: string | null = null;
      if (account >= limits.maxSocketsPerAccount) refused = `at most ${limits.maxSocketsPerAccount} sockets per account`;
      else if (principal.apiKeyId && key >= limits.maxSocketsPerApiKey) refused = `at most ${limits.maxSocketsPerApiKey} sockets per API key`;
      if (!refused) {
        await client.query('insert into live_socket (id, instance_id, account_id, api_key_id, session_id) values ($1, $2, $3, $4, $5)', [id, instanceId, principal.accountId, principal.apiKeyId, principal.sessionId]);
      }
      await client.query('commit');
      return refused ? { refused } : { id };
    } catch (err) {
      failed = err as Error;
      await client.query('rollback').catch(() => undefined);
      throw err;
    } finally {
      sql.release(client, failed);
    }
  }

  /**
   * Indexes an admitted socket so revocations find it. `authenticatedAt` is the generation read
   * before its credential was: if a revocation or a LISTEN outage came since, the revocation may
   * have found no socket to end, so the credential is read again (docs/decisions.md, "Sockets end with their credential").
   */
  register(handle: SocketHandle, authenticatedAt: number): void {
    const p = handle.principal;
    add(this.byAccount, p.accountId, handle);
    if (p.sessionId) add(this.bySession, p.sessionId, handle);
    if (p.apiKeyId) add(this.byApiKey, p.apiKeyId, handle);
    if (authenticatedAt !== this.generation) this.recheck([handle]);
  }

  /**
   * The LISTEN connection came up or went away. Revocations NOTIFYed while it was down were
   * never heard, so when it is back every open socket's credential is read again.
   */
  listeningChanged(listening: boolean): void {
    this.generation++;
    if (listening) this.recheck([...this.byAccount.values()].flatMap((handles) => [...handles]));
  }

  /** The socket closed: forget it here and delete its row (errors only logged: a dead row stops counting when its instance does). */
  release(handle: SocketHandle): void {
    const p = handle.principal;
    remove(this.byAccount, p.accountId, handle);
    if (p.sessionId) remove(this.bySession, p.sessionId, handle);
    if (p.apiKeyId) remove(this.byApiKey, p.apiKeyId, handle);
    this.awaitingRecheck.delete(handle);
    this.deps.sql.query('delete from live_socket where id = ?', [handle.id]).catch((err) => this.deps.log.warn({ err }, 'could not delete a closed socket row'));
  }

  /** Ends every socket opened with a credential that was just revoked (here or on another instance). */
  revoked(r: Revocation): void {
    this.generation++;
    let ended: SocketHandle[];
    if (r.kind === 'apiKey') ended = [...(this.byApiKey.get(r.id) ?? [])];
    else if (r.kind === 'session') ended = [...(this.bySession.get(r.id) ?? [])];
    else ended = [...(this.byAccount.get(r.id) ?? [])].filter((h) => h.principal.sessionId !== null && h.principal.sessionId !== r.keep);
    for (const h of ended) h.end(CLOSE.CREDENTIALS_ENDED, 'Credentials revoked');
  }

  /**
   * Ends the sockets whose session or API key has ended, read from the database. A failed read
   * (the database unreachable) is tried again with backoff until it succeeds: a socket whose
   * revocation was missed must not stay open for want of a second look (docs/decisions.md,
   * "Sockets end with their credential").
   */
  private recheck(handles: readonly SocketHandle[]): void {
    if (handles.length === 0) return;
    const sessionIds = unique(handles.map((h) => h.principal.sessionId));
    const apiKeyIds = unique(handles.map((h) => h.principal.apiKeyId));
    this.deps
      .endedCredentials(sessionIds, apiKeyIds)
      .then((ended) => {
        this.recheckDelayMs = this.retry.firstMs;
        for (const h of handles) {
          const { sessionId, apiKeyId } = h.principal;
          if ((sessionId && ended.sessions.has(sessionId)) || (apiKeyId && ended.apiKeys.has(apiKeyId))) h.end(CLOSE.CREDENTIALS_ENDED, 'Credentials revoked');
        }
      })
      .catch((err: unknown) => {
        this.deps.log.warn({ err, sockets: handles.length, retryInMs: this.recheckDelayMs }, "could not check open sockets' credentials again; retrying");
        for (const h of handles) if (this.isOpen(h)) this.awaitingRecheck.add(h);
        this.scheduleRecheck();
      });
  }

  private scheduleRecheck(): void {
    if (this.recheckTimer || this.awaitingRecheck.size === 0) return;
    const delay = this.recheckDelayMs;
    this.recheckDelayMs = Math.min(delay * 2, this.retry.maxMs);
    this.recheckTimer = setTimeout(() => {
      this.recheckTimer = null;
      const handles = [...this.awaitingRecheck];
      this.awaitingRecheck.clear();
      this.recheck(handles);
    }, delay);
    this.recheckTimer.unref();
  }

  private isOpen(handle: SocketHandle): boolean {
    return this.byAccount.get(handle.principal.accountId)?.has(handle) ?? false;
  }

  /** On stop: this instance's rows go (its sockets were closed). */
  async clear(): Promise<void> {
    if (this.recheckTimer) clearTimeout(this.recheckTimer);
    this.recheckTimer = null;
    this.awaitingRecheck.clear();
    await this.deps.sql.query('delete from live_socket where instance_id = ?', [this.deps.instanceId]).catch((err) => this.deps.log.warn({ err }, 'could not delete this instance\'s socket rows'));
  }
}

function unique(ids: readonly (string | null)[]): string[] {
  return [...new Set(ids.filter((id): id is string => id !== null))];
}

function add(index: Map<string, Set<SocketHandle>>, key: string, h: SocketHandle): void {
  let set = index.get(key);
  if (!set) index.set(key, (set = new Set()));
  set.add(h);
}

function remove(index: Map<string, Set<SocketHandle>>, key: string, h: SocketHandle): void {
  const set = index.get(key);
  if (!set) return;
  set.delete(h);
  if (set.size === 0) index.delete(key);
}
