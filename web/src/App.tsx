import { lazy, Suspense, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { ApolloProvider, useQuery } from '@apollo/client/react';
import { ShellDocument } from './gql/graphql';
import { createApolloClient } from './lib/apollo';
import { LiveSync } from './lib/live';
import { navigate, useRoute } from './lib/router';
import { SessionStore } from './lib/session';
import { ShellProvider } from './lib/shell';
import { Layout } from './components/Layout';
import { ErrorMessage, Loading } from './components/ui';
import { LoginPage, SignUpPage } from './pages/AuthPages';
import { NotFoundPage } from './pages/NotFoundPage';

// Pages load as their own chunks: the top bar (and its live balance) paints without waiting for
// the code of the page below it. The current page's chunk is requested at once, in parallel
// with the first query.
const PAGE_CODE = {
  account: () => import('./pages/AccountPage').then((m) => ({ default: m.AccountPage })),
  messages: () => import('./pages/MessagesPage').then((m) => ({ default: m.MessagesPage })),
  personas: () => import('./pages/PersonasPage').then((m) => ({ default: m.PersonasPage })),
  'api-keys': () => import('./pages/ApiKeysPage').then((m) => ({ default: m.ApiKeysPage })),
  webhooks: () => import('./pages/WebhooksPage').then((m) => ({ default: m.WebhooksPage })),
  admin: () => import('./pages/AdminPage').then((m) => ({ default: m.AdminPage })),
};
const AccountPage = lazy(PAGE_CODE.account);
const MessagesPage = lazy(PAGE_CODE.messages);
const PersonasPage = lazy(PAGE_CODE.personas);
const ApiKeysPage = lazy(PAGE_CODE['api-keys']);
const WebhooksPage = lazy(PAGE_CODE.webhooks);
const AdminPage = lazy(PAGE_CODE.admin);
const session = new SessionStore();
const apollo = createApolloClient(session);
// The first paint waits for this query: send it as soon as the bundle runs, before React
// renders; LoggedIn's useQuery joins the request in flight (or reads its answer from the cache).
if (session.current()) void apollo.query({ query: ShellDocument }).catch(() => undefined);
const currentPage = location.pathname.replace(/^\/app\/?/, '').replace(/\/.*$/, '') || 'account';
if (currentPage in PAGE_CODE) void PAGE_CODE[currentPage as keyof typeof PAGE_CODE]();

export function App() {
  const current = useSyncExternalStore(session.subscribe, session.current);
  const accountId = current?.accountId ?? null;
  const { page } = useRoute();

  // The next user must never see the previous one's cached data: clear when a session ends
  // (not when one starts: that would abort the first queries).
  const previous = useRef(accountId);
  useEffect(() => {
    if (previous.current !== null && previous.current !== accountId) void apollo.clearStore();
    previous.current = accountId;
  }, [accountId]);

  if (!accountId) {
    return page === 'signup' ? <SignUpPage session={session} /> : <LoginPage session={session} reason={session.endReason()} />;
  }
  return (
    <ApolloProvider client={apollo}>
      <LoggedIn key={accountId} page={page} />
    </ApolloProvider>
  );
}

function LoggedIn({ page }: { page: string }) {
  const { data, error, refetch } = useQuery(ShellDocument, { fetchPolicy: 'cache-first' });
  const [live, setLive] = useState<LiveSync | null>(null);
  const firstVersion = data?.me.wallet.version;
  const started = firstVersion !== undefined;

  useEffect(() => {
    if (page === '' || page === 'login' || page === 'signup') navigate('account', { replace: true });
  }, [page]);

  // One live connection per logged-in account, resuming after the version the page first loaded.
  useEffect(() => {
    if (!started) return;
    const sync = new LiveSync(apollo, session, firstVersion);
    sync.start();
    setLive(sync);
    return () => sync.stop();
  }, [started]); // the first version only: later ones arrive through the subscription itself

  if (!data || !live) {
    return (
      <main className="boot" id="main">
        {error ? (
          <>
            <ErrorMessage error={error} />
            <button type="button" onClick={() => void refetch()}>
              Try again
            </button>
          </>
        ) : (
          <Loading label="Loading your account…" />
        )}
      </main>
    );
  }
  return (
    <ShellProvider data={data} live={live} session={session}>
      <Layout page={page}>
        <Suspense fallback={<Loading />}>{renderPage(page, data.me.role === 'ADMIN')}</Suspense>
      </Layout>
    </ShellProvider>
  );
}

function renderPage(page: string, admin: boolean) {
  switch (page) {
    case '':
    case 'login':
    case 'signup':
    case 'account':
      return <AccountPage />;
    case 'messages':
      return <MessagesPage />;
    case 'personas':
      return <PersonasPage />;
    case 'api-keys':
      return <ApiKeysPage />;
    case 'webhooks':
      return <WebhooksPage />;
    case 'admin':
      return admin ? <AdminPage /> : <NotFoundPage />;
    default:
      return <NotFoundPage />;
  }
}
