import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, type FieldPolicy } from '@apollo/client';
import { from, mergeMap, type Observable } from 'rxjs';
import type { SessionStore } from './session';

/** A wallet's state as the newest balanceChanged event described it (lib/live.ts records it). */
export interface LiveWallet {
  version: string;
  balance: string;
  held: string;
  spentThisMonth: string;
  status: string;
  lifetimeSpend: string;
  lifetimePurchased: string;
}

/** The newest live state per wallet id. */
export const liveWallets = new Map<string, LiveWallet>();

/** Wallet fields that live events carry and that only change with the wallet's version. */
const LIVE_WALLET_FIELDS = ['balance', 'held', 'spentThisMonth', 'status', 'lifetimeSpend', 'lifetimePurchased'] as const;

/**
 * Reads never return a wallet state older than the newest live event: a query answered before
 * an event can be written after it (its response was in flight), and the stored fields are then
 * older than what the page already showed. The API's versions only increase, so the higher
 * version wins, and the balance on screen never goes back.
 */
function liveWalletField(field: (typeof LIVE_WALLET_FIELDS)[number]): FieldPolicy {
  return {
    read(existing, { readField }) {
      const id = readField<string>('id');
      const live = id ? liveWallets.get(id) : undefined;
      const stored = readField<string>('version');
      if (!live || (stored !== undefined && BigInt(stored) >= BigInt(live.version))) return existing;
      return live[field];
    },
  };
}

export function createCache(): InMemoryCache {
  return new InMemoryCache({
    typePolicies: {
      Wallet: { fields: Object.fromEntries(LIVE_WALLET_FIELDS.map((f) => [f, liveWalletField(f)])) },
      Query: {
        fields: {
          // One list per filter/page; no merging across pages (the history pages by cursor).
          transactions: { keyArgs: ['filter', 'first', 'after'] },
        },
      },
    },
  });
}

/**
 * Adds a fresh access token to every request (refreshing it first when it is about to expire)
 * and, if the server still says UNAUTHENTICATED, refreshes once and retries; a refused refresh
 * ends the session (SessionStore).
 */
function authLink(session: SessionStore): ApolloLink {
  const withToken = (operation: ApolloLink.Operation, token: string | null) => {
    operation.setContext(({ headers = {} }: { headers?: Record<string, string> }) => ({
      headers: token ? { ...headers, authorization: `Bearer ${token}` } : headers,
    }));
  };
  const unauthenticated = (result: ApolloLink.Result) => ('errors' in result ? (result.errors ?? []) : []).some((e) => e.extensions?.code === 'UNAUTHENTICATED');
  return new ApolloLink((operation, forward): Observable<ApolloLink.Result> =>
    from(session.accessToken()).pipe(
      mergeMap((token) => {
        withToken(operation, token);
        return forward(operation).pipe(
          mergeMap((result) => {
            if (!token || !unauthenticated(result)) return [result];
            return from(session.rejected(token)).pipe(
              mergeMap((fresh) => {
                if (!fresh) return [result];
                withToken(operation, fresh);
                return forward(operation);
              }),
            );
          }),
        );
      }),
    ),
  );
}

export function createApolloClient(session: SessionStore): ApolloClient {
  return new ApolloClient({
    link: ApolloLink.from([authLink(session), new HttpLink({ uri: '/graphql' })]),
    cache: createCache(),
    defaultOptions: { watchQuery: { fetchPolicy: 'cache-and-network' } },
  });
}
