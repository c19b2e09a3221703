import { auditServer } from 'graphql-http';
import { parse } from 'graphql';
import { startTestApp, type TestApp } from './helpers/app';
import { Recorder } from './helpers/subscriptions';

// Class 1 of the hardening issue: every client fault is HTTP 4xx with a contract code, on
// /graphql (Apollo) and on the Express routes alike.
let t: TestApp;
let token: string;
beforeAll(async () => {
  t = await startTestApp({ GRAPHQL_MAX_DEPTH: '4', GRAPHQL_MAX_ALIASES: '3', GRAPHQL_MAX_DIRECTIVES: '2', GRAPHQL_MAX_COST: '40', GRAPHQL_MAX_TOKENS: '200' });
  // A shallow sign-up: the shared SignUp document is deeper than this app's limits.
  const r = await t.gql<{ signUp: { accessToken: string } }, never>('mutation { signUp(input: { email: "limits@test.dev", password: "Sup3rSecret!" }) { accessToken } }');
  token = r.data!.signUp.accessToken;
});
afterAll(() => t.stop());

const post = async (body: unknown, headers: Record<string, string> = {}) => {
  const res = await fetch(t.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { errors?: { message: string; extensions: { code: string } }[]; data?: unknown } };
};

describe('GraphQL documents refused before execution answer 400 BAD_USER_INPUT', () => {
  const refused: [string, string, RegExp][] = [
    ['a syntax error', '{', /Syntax Error/],
    ['an unterminated string', '{ me { id } } "', /Syntax Error/],
    ['too many tokens', `{ ${'me { id } '.repeat(60)} }`, /more that 200 tokens/],
    ['too deep', '{ transactions { edges { node { synfluencer { name } } } } }', /depth/i],
    ['too many aliases', '{ a: me { id } b: me { id } c: me { id } d: me { id } }', /Aliases limit/i],
    ['too many directives', '{ me @include(if: true) { id @skip(if: false) email @skip(if: false) } }', /Directives limit/i],
    ['too costly', '{ me { wallet { buckets { id granted } } synfluencers { id name handle platforms } } transactions { edges { node { id amount kind balanceAfter } } } }', /cost/i],
    ['an unknown field', '{ mee { id } }', /Cannot query field/],
  ];
  it.each(refused)('%s', async (_name, query, message) => {
    for (const accept of ['application/json', 'application/graphql-response+json']) {
      const r = await post({ query }, { accept });
      expect({ accept, status: r.status }).toEqual({ accept, status: 400 });
      expect(r.body.errors?.[0]?.extensions.code).toBe('BAD_USER_INPUT');
      expect(r.body.errors?.[0]?.message).toMatch(message);
      expect(r.body.data).toBeUndefined();
    }
  });

  it('hides field suggestions from every message', async () => {
    const r = await post({ query: '{ me { emial } }' });
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).not.toMatch(/Did you mean|email/);
  });

  it('the control: documents inside every limit run', async () => {
    const r = await post({ query: '{ a: me { id } b: me { email } wallet: me { wallet { balance } } }' });
    expect(r.status).toBe(200);
    expect(r.body.errors).toBeUndefined();
  });
});

describe('a document over a limit is refused as such, not as a syntax error', () => {
  // graphql-armor's refusals (and graphql-js's maxTokens) read "Syntax Error: ..." although the document parsed.
  const limits: [string, string, RegExp][] = [
    ['tokens', `{ ${'me { id } '.repeat(60)} }`, /^Document contains more that 200 tokens/],
    ['depth', '{ transactions { edges { node { synfluencer { name } } } } }', /^Query depth limit of 4 exceeded, found \d+/],
    ['aliases', '{ a: me { id } b: me { id } c: me { id } d: me { id } }', /^Aliases limit of 3 exceeded, found 4/],
    ['directives', '{ me @include(if: true) { id @skip(if: false) email @skip(if: false) } }', /^Directives limit of 2 exceeded, found 3/],
    ['cost', '{ me { wallet { buckets { id granted } } synfluencers { id name handle platforms } } transactions { edges { node { id amount kind balanceAfter } } } }', /^Query Cost limit of 40 exceeded, found \d+/],
  ];
  it.each(limits)('%s: over HTTP and over WebSocket (graphql-ws)', async (_name, query, message) => {
    const overHttp = await post({ query });
    expect([overHttp.status, overHttp.body.errors?.[0]?.extensions.code, overHttp.body.errors?.[0]?.message]).toEqual([400, 'BAD_USER_INPUT', expect.stringMatching(message)]);
    const client = t.ws(token);
    try {
      const rec = Recorder.start(client, parse(query) as never);
      await rec.ended();
      expect([rec.errors?.[0]?.extensions?.code, rec.errors?.[0]?.message]).toEqual(['BAD_USER_INPUT', expect.stringMatching(message)]);
    } finally {
      await client.dispose();
    }
  });

  it('a real syntax error keeps its "Syntax Error: " prefix', async () => {
    expect((await post({ query: '{ me { id }' })).body.errors?.[0]?.message).toMatch(/^Syntax Error: /);
  });
});

describe('GraphQL over HTTP conformance (graphql-http server audits)', () => {
  /**
   * Warnings and notices we keep on purpose (documented in docs/decisions.md):
   * - 572B, FDE2, 7B9B: the spec suggests 200 for parse, validation and variable errors under
   *   `Accept: application/json`; this API answers every client fault 4xx on both media types.
   * - 5A70, D6D5, 6A70: GET without a content type is refused by Apollo's CSRF prevention.
   */
  const ACCEPTED = new Set(['572B', 'FDE2', '7B9B', '5A70', 'D6D5', '6A70']);

  it('passes every audit with zero errors, and no warnings beyond the documented ones', async () => {
    const results = await auditServer({ url: t.url });
    expect(results.length).toBeGreaterThan(50);
    const errors = results.filter((r) => r.status === 'error').map((r) => `${r.id} ${r.name}`);
    expect(errors).toEqual([]);
    const unexpected = results.filter((r) => r.status !== 'ok' && !ACCEPTED.has(r.id)).map((r) => `${r.status} ${r.id} ${r.name}`);
    expect(unexpected).toEqual([]);
  });
});

describe('the Express routes answer JSON with a contract code', () => {
  const base = () => t.url.replace('/graphql', '');

  it('a Stripe webhook body over the route limit is 413 JSON, not an HTML page', async () => {
    const res = await fetch(`${base()}/webhooks/stripe`, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=x' }, body: 'x'.repeat(1024 * 1024 + 1) });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = await res.json();
    expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(body.errors[0].message).toMatch(/larger than 1048576 bytes/);
  });

  it('an unknown path is 404 JSON NOT_FOUND', async () => {
    const res = await fetch(`${base()}/no/such/route`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect((await res.json()).errors[0].extensions.code).toBe('NOT_FOUND');
  });
});
