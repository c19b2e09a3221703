/** What `GET /` shows: what this service is and where to go next. Static HTML, no script. */
export interface LandingOptions {
  explorer: boolean;
  priceBook: string;
  docs: readonly string[];
}

const DOC_TITLES: Record<string, string> = {
  'docs/partners.md': 'Partner guide: authentication, idempotency, error codes, limits, pagination, subscriptions',
  'README.md': 'What the service is, how to run it, example queries and subscriptions',
  'CHANGELOG.md': 'API changelog',
  'codegen.yml': 'GraphQL Code Generator configuration for a typed client',
  'examples/partner/render-job.ts': 'Example: a render pipeline charging with an API key',
  'examples/browser/live-balance.ts': 'Example: a live balance in the browser over graphql-ws',
  'schema/schema.graphql': 'The schema (SDL), every type and field described',
};

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const link = (href: string, label: string, note: string) =>
  `<li><a href="${escapeHtml(href)}">${escapeHtml(label)}</a><span>${escapeHtml(note)}</span></li>`;

export function landingPage(opts: LandingOptions): string {
  const tools = [
    opts.explorer
      ? link('/graphql', 'GraphQL explorer', 'GraphiQL: run queries, mutations and subscriptions with your token or API key')
      : '',
    link('/app/', 'Dashboard', 'credits, usage, billing, messages and API keys'),
  ].join('');
  const operations = [
    link('/healthz', '/healthz', 'liveness: the process answers'),
    link('/readyz', '/readyz', 'readiness: the database answers and no migration is pending'),
    link('/metrics', '/metrics', 'Prometheus metrics'),
  ].join('');
  // The documents a reader starts from; the rest (the examples' operations) are reached from them.
  const docs = opts.docs.filter((doc) => doc in DOC_TITLES).map((doc) => link(`/${doc}`, doc, DOC_TITLES[doc])).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Synfluencer credits API</title>
<link rel="icon" href="data:,">
<style>
  :root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.5; }
  body { max-width: 46rem; margin: 2rem auto; padding: 0 1rem; }
  h1 { margin-bottom: 0.25rem; }
  code { font-size: 0.95em; }
  ul { list-style: none; padding: 0; }
  li { margin: 0.4rem 0; }
  li a { font-weight: 600; margin-right: 0.6rem; }
  li span { opacity: 0.8; }
  .endpoint { padding: 0.6rem 0.8rem; border: 1px solid #8884; border-radius: 6px; }
</style>
</head>
<body>
<h1>Synfluencer credits API</h1>
<p>The credits and billing service for AI-influencer studios: one exact wallet per account, shared by
all of its synfluencers, charged per AI action (captions, images, video by the second) and topped up
with sign-up bonuses, plans, credit packs and grants. Balances change live over GraphQL subscriptions.
Price book: <code>${escapeHtml(opts.priceBook)}</code>.</p>
<p class="endpoint">GraphQL over HTTP and WebSocket (graphql-ws): <code>/graphql</code>. Send
<code>Authorization: Bearer &lt;access token or API key&gt;</code>.</p>
<h2>Use it</h2>
<ul>${tools}</ul>
<h2>Read</h2>
<ul>${docs}</ul>
<h2>Operate</h2>
<ul>${operations}</ul>
</body>
</html>
`;
}
