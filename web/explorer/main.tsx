import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import './explorer.css';
import { StrictMode, useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { createGraphiQLFetcher, type Fetcher } from '@graphiql/toolkit';
import { createClient, type Client } from 'graphql-ws';

/**
 * The API's explorer: GraphiQL, served by the API itself (GET /graphql in a browser). The access
 * token or API key is entered once in the bar above the editor, kept in this browser's
 * localStorage, and sent as `Authorization: Bearer ...` on every HTTP request and in the
 * WebSocket's `connectionParams` for subscriptions (graphql-ws on the same path).
 */

const TOKEN_KEY = 'synfluencer-explorer:token';
const httpUrl = new URL('/graphql', window.location.href).toString();
const wsUrl = httpUrl.replace(/^http/, 'ws');

/** `Bearer <token>` whether the person pasted the bare token or the whole header value. */
function authorizationOf(token: string): string | null {
  const trimmed = token.trim();
  if (trimmed === '') return null;
  return /^bearer\s/i.test(trimmed) ? trimmed : `Bearer ${trimmed}`;
}

const DEFAULT_QUERY = `# The Synfluencer credits API.
# 1. Run LogIn (or paste an API key into the bar above).
# 2. Press "Use the token from the last answer": it is sent
#    as the Authorization header from then on.
# 3. Run Wallet; run LiveBalance in a second tab to watch
#    charges arrive.

mutation LogIn {
  logIn(email: "studio@example.com", password: "Sup3rSecret!") {
    accessToken
    refreshToken
    expiresAt
  }
}

query Wallet {
  me {
    email
    wallet { id balance held spentThisMonth status version }
  }
}

subscription LiveBalance {
  balanceChanged {
    version
    balance
    cause
    wallet { id balance held status version }
  }
}
`;

const isCloseEvent = (value: unknown): value is CloseEvent => typeof value === 'object' && value !== null && 'code' in value && 'reason' in value;

/** Finds an access token in a result (signUp, logIn, refreshToken answers), to offer it. */
function accessTokenIn(result: unknown): string | null {
  const data = (result as { data?: Record<string, { accessToken?: unknown } | null> } | null)?.data;
  if (!data || typeof data !== 'object') return null;
  for (const value of Object.values(data)) {
    if (value && typeof value.accessToken === 'string') return value.accessToken;
  }
  return null;
}

function useFetcher(token: string, onToken: (token: string) => void): Fetcher {
  const wsClient: Client = useMemo(() => {
    const authorization = authorizationOf(token);
    return createClient({
      url: wsUrl,
      lazy: true,
      retryAttempts: 3,
      // A refused token (4403) or a malformed request (4400) will not get better by retrying:
      // show the error at once instead of after several back-offs.
      shouldRetry: (event) => !(isCloseEvent(event) && (event.code === 4400 || event.code === 4403)),
      connectionParams: () => (authorization ? { authorization } : {}),
    });
  }, [token]);
  useEffect(() => () => void wsClient.dispose(), [wsClient]);

  return useMemo(() => {
    const authorization = authorizationOf(token);
    const withAuth: typeof fetch = (input, init) => {
      const headers = new Headers(init?.headers);
      // A header typed into GraphiQL's own headers editor wins over the bar.
      if (authorization && !headers.has('authorization')) headers.set('authorization', authorization);
      return fetch(input, { ...init, headers });
    };
    const base = createGraphiQLFetcher({ url: httpUrl, wsClient, fetch: withAuth, enableIncrementalDelivery: false });
    return async (params, opts) => {
      const result = await base(params, opts);
      const found = accessTokenIn(result);
      if (found) onToken(found);
      return result;
    };
  }, [token, wsClient, onToken]);
}

function TokenBar(props: { token: string; offered: string | null; onSave: (token: string) => void }) {
  const [draft, setDraft] = useState(props.token);
  useEffect(() => setDraft(props.token), [props.token]);
  const saved = props.token.trim() !== '';
  return (
    <form
      className="token-bar"
      onSubmit={(event) => {
        event.preventDefault();
        props.onSave(draft);
      }}
    >
      <strong className="token-bar__title">Synfluencer credits API</strong>
      <label htmlFor="token">Access token or API key</label>
      <input
        id="token"
        type="password"
        autoComplete="off"
        spellCheck={false}
        placeholder="eyJ… or sfk_…"
        value={draft}
        onChange={(event) => setDraft(event.target.value)}
      />
      <button type="submit">Use</button>
      {saved ? (
        <button type="button" onClick={() => props.onSave('')}>
          Forget
        </button>
      ) : null}
      {props.offered && props.offered !== props.token ? (
        <button type="button" className="token-bar__offer" onClick={() => props.onSave(props.offered ?? '')}>
          Use the token from the last answer
        </button>
      ) : null}
      <span className="token-bar__status" role="status">
        {saved ? 'Sent as Authorization on every request and subscription.' : 'No token: only public queries (priceBook, creditPacks, signUp, logIn) work.'}
      </span>
      <a href="/">Home</a>
    </form>
  );
}

function Explorer() {
  const [token, setToken] = useState(() => localStorage.getItem(TOKEN_KEY) ?? '');
  const [offered, setOffered] = useState<string | null>(null);
  const save = (next: string) => {
    const trimmed = next.trim();
    if (trimmed) localStorage.setItem(TOKEN_KEY, trimmed);
    else localStorage.removeItem(TOKEN_KEY);
    setToken(trimmed);
  };
  const fetcher = useFetcher(token, setOffered);
  // Links may carry a document, GraphiQL style: /graphql?query=...&variables=...
  const params = new URLSearchParams(window.location.search);
  return (
    <div className="explorer">
      <TokenBar token={token} offered={offered} onSave={save} />
      <div className="explorer__graphiql">
        <GraphiQL
          fetcher={fetcher}
          defaultQuery={DEFAULT_QUERY}
          initialQuery={params.get('query') ?? undefined}
          initialVariables={params.get('variables') ?? undefined}
        />
      </div>
    </div>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Explorer />
  </StrictMode>,
);
