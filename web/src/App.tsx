import { lazy, Suspense, useEffect, useRef, useState, useSyncExternalStore, type ComponentType, type LazyExoticComponent } from 'react';
import { ApolloProvider, useQuery } from '@apollo/client/react';
import { ShellDocument } from './gql/graphql';
import { createApolloClient } from './lib/apollo';
import { LiveSync } from './lib/live';
import { navigate, useRoute } from './lib/router';
import { SessionStore } from './lib/session';
import { ShellProvider } from './lib/shell';
import { Layout } from './components/Layout';
import { ErrorMessage, Loading, PageErrorBoundary } from './components/ui';
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
type PageName = keyof typeof PAGE_CODE;

/**
 * One lazy component per page. React.lazy keeps a failed import for good, so a page whose code
 * failed to load is dropped here: the next render of it (Try again, or coming back to it)
 * imports its code anew.
 */
const pageComponents = new Map<PageName, LazyExoticComponent<ComponentType>>();
function pageComponent(name: PageName): LazyExoticComponent<ComponentType> {
  let component = pageComponents.get(name);
  if (!component) {
    component = lazy(() =>
      PAGE_CODE[name]().catch((err: unknown) => {
        pageComponents.delete(name);
        throw err;
      }),
    );
    pageComponents.set(name, component);
  }
  return component;
}

/** A HEAD of the app's index.html: whether the server answers at all. */
const serverAnswers = () => fetch(import.meta.env.BASE_URL, { method: 'HEAD', cache: 'no-store' }).then((r) => r.ok, () => false);

/**
 * Try again on a page whose code failed: import it anew. If it still fails while the server
 * answers, the chunk is gone (a redeploy renamed it, and only the new index.html knows the new
 * name), or the browser keeps the failed import (Chromium 150 does, after an offline failure):
 * reload the app. Offline, a reload would only trade the page for the browser's own error.
 */
async function retryPage(name: PageName | null): Promise<void> {
  if (!name) return;
  try {
    await PAGE_CODE[name]();
  } catch (err) {
    if (await serverAnswers()) location.reload();
    throw err;
  }
}

const session = new SessionStore();
const apollo = createApolloClient(session);
// The first paint waits for this query: send it as soon as the bundle runs, before React
// renders; LoggedIn's useQuery joins the request in flight (or reads its answer from the cache).
if (session.current()) void apollo.query({ query: ShellDocument }).catch(() => undefined);
const currentPage = location.pathname.replace(/^\/app\/?/, '').replace(/\/.*$/, '') || 'account';
// A failure here is the page's to show (its lazy component imports again and fails in view).
if (currentPage in PAGE_CODE) void PAGE_CODE[currentPage as keyof typeof PAGE_CODE]().catch(() => undefined);

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
        <RoutedPage page={page} admin={data.me.role === 'ADMIN'} />
      </Layout>
    </ShellProvider>
  );
}

/** The page under the top bar; a page that fails to load or render leaves the layout standing. */
function RoutedPage({ page, admin }: { page: string; admin: boolean }) {
  const name = pageName(page, admin);
  // Re-rendered after a retry, so the boundary's children name the page's new lazy component.
  const [, setAttempts] = useState(0);
  const retry = async () => {
    await retryPage(name);
    setAttempts((n) => n + 1);
  };
  const Page = name ? pageComponent(name) : NotFoundPage;
  return (
    <PageErrorBoundary resetKey={page} onRetry={retry}>
      <Suspense fallback={<Loading />}>
        <Page />
      </Suspense>
    </PageErrorBoundary>
  );
}

/** The page to show for a route; null = not found (the admin screen too, for everyone but admins). */
function pageName(page: string, admin: boolean): PageName | null {
  if (page === '' || page === 'login' || page === 'signup') return 'account';
  if (page === 'admin' && !admin) return null;
  return Object.hasOwn(PAGE_CODE, page) ? (page as PageName) : null;
}
