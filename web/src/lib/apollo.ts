import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, type StoreObject } from '@apollo/client';
import { from, mergeMap, type Observable } from 'rxjs';
import type { SessionStore } from './session';

/** Wallet fields that live events update; an older answer must never overwrite them. */
const LIVE_WALLET_FIELDS = ['balance', 'held', 'spentThisMonth', 'status', 'version'] as const;

const versionOf = (o: StoreObject | undefined): bigint | null => (typeof o?.version === 'string' ? BigInt(o.version) : null);

/**
 * The normalized cache. A query answered before a live event may arrive after it; the Wallet
 * merge keeps the fields of whichever state has the higher `version`, so the balance on screen
 * never goes back (the API's versions only increase).
 */
export function createCache(): InMemoryCache {
  return new InMemoryCache({
    typePolicies: {
      Wallet: {
        merge(existing: StoreObject | undefined, incoming: StoreObject, { mergeObjects }) {
          const merged = mergeObjects(existing ?? {}, incoming) as StoreObject;
          const kept = versionOf(existing);
          const arriving = versionOf(incoming);
          if (existing && kept !== null && arriving !== null && kept > arriving) {
            for (const field of LIVE_WALLET_FIELDS) if (field in existing) merged[field] = existing[field];
          }
          return merged;
        },
      },
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
