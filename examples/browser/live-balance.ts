/**
 * A live balance in the browser: the wallet's balance over graphql-ws, kept live for as long as
 * the page stays open. Access tokens are short-lived (15 minutes by default) and a socket closes
 * when its token expires (4419, which graphql-ws retries by itself), so the connection parameters
 * are a function: every (re)connect first refreshes the token when it is close to expiry. The
 * subscription asks for the current state first (`afterVersion`), so a resubscription converges
 * at once, and events at or below the last version seen are skipped: nothing goes backwards.
 *
 *   const live = startLiveBalance({ url: 'https://api.example.com/graphql', session, onSession: save,
 *                                   onBalance: (e) => (el.textContent = e.balance) });
 *   ... live.stop();
 */
import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { LiveBalanceDocument, RefreshDocument, type LiveBalanceSubscription } from '../generated/graphql';

/** What logIn / signUp / refreshToken return. Keep it (e.g. in memory or storage) between page loads. */
export interface Session {
  accessToken: string;
  refreshToken: string;
  /** ISO-8601 expiry of the access token. */
  expiresAt: string;
}

export type BalanceEvent = LiveBalanceSubscription['balanceChanged'];

export interface LiveBalanceOptions {
  /** The GraphQL endpoint over HTTP(S); the WebSocket uses the same path. */
  url: string;
  session: Session;
  /** Called with every rotated session: the old refresh token no longer works, store this one. */
  onSession?: (session: Session) => void;
  onBalance: (event: BalanceEvent) => void;
  /** The session could not be renewed (log in again), or another unrecoverable error. */
  onError?: (error: unknown) => void;
  /** Refresh the access token on (re)connect when it expires within this many ms. @default 60000 */
  refreshWithinMs?: number;
}

/** The key was revoked or the session ended (log-out, password change): graphql-ws does not retry 4401; log in again. */
const CREDENTIALS_ENDED = 4401;
const closeCodeOf = (error: unknown) => (typeof error === 'object' && error !== null && 'code' in error ? (error as { code: unknown }).code : undefined);

export function startLiveBalance(options: LiveBalanceOptions): { stop: () => void } {
  const refreshWithinMs = options.refreshWithinMs ?? 60_000;
  let session = options.session;
  let lastVersion: bigint | null = null;
  let stopped = false;
  let refreshing: Promise<Session> | null = null;

  const refresh = async (): Promise<Session> => {
    const res = await fetch(options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: print(RefreshDocument), variables: { refreshToken: session.refreshToken } }),
    });
    const body = (await res.json()) as { data?: { refreshToken: Session }; errors?: { message: string; extensions?: { code?: string } }[] };
    if (!body.data) throw new Error(`session could not be renewed: ${body.errors?.[0]?.extensions?.code ?? res.status}`);
    session = body.data.refreshToken;
    options.onSession?.(session);
    return session;
  };

  /** A token valid for a while yet; one refresh at a time (a refresh token works once). */
  const freshAccessToken = async (): Promise<string> => {
    if (Date.parse(session.expiresAt) - Date.now() > refreshWithinMs) return session.accessToken;
    refreshing ??= refresh().finally(() => (refreshing = null));
    return (await refreshing).accessToken;
  };

  const client: Client = createClient({
    url: options.url.replace(/^http/, 'ws'),
    lazy: true,
    retryAttempts: Infinity,
    shouldRetry: () => !stopped,
    // Called on every (re)connect: this is where an expired token is replaced.
    connectionParams: async () => ({ authorization: `Bearer ${await freshAccessToken()}` }),
  });

  let unsubscribe = () => {};
  const subscribe = () => {
    unsubscribe = client.subscribe<LiveBalanceSubscription>(
      // The first event is the current state (newer than any version); graphql-ws re-sends this on every reconnect.
      { query: print(LiveBalanceDocument), variables: { afterVersion: lastVersion?.toString() ?? '0' } },
      {
        next: ({ data }) => {
          const event = data?.balanceChanged;
          if (!event) return;
          const version = BigInt(event.version);
          if (lastVersion !== null && version <= lastVersion) return; // a retried subscription may repeat the current state
          lastVersion = version;
          options.onBalance(event);
        },
        error: (error) => {
          if (stopped) return;
          options.onError?.(closeCodeOf(error) === CREDENTIALS_ENDED ? new Error('the session ended: log in again') : error);
        },
        complete: () => undefined,
      },
    );
  };
  subscribe();

  return {
    stop: () => {
      stopped = true;
      unsubscribe();
      void client.dispose();
    },
  };
}
