import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { startTestApp, errorCode, PASSWORD, type TestApp, type TestUser } from './helpers/app';
import { withSql } from './helpers/db';
import { Recorder } from './helpers/subscriptions';
import { inputPositions, operationFor, type InputPosition } from './helpers/schema-walk';
import { DEFAULT_TEXT_MAX, ID_MAX, JSON_LIMITS, TEXT_LIMITS } from '../src/shared/input-guard';
import { GrantCreditsDocument, LogInDocument, SignUpDocument, WalletOnlyDocument } from './generated/graphql';
import { parse } from 'graphql';
import { Client } from 'pg';

// Classes 2, 3 and 4 of the hardening issue: text, JSON and Credits are validated at the edge,
// once, for every argument the schema has.
let t: TestApp;
let admin: TestUser;
let user: TestUser;
const clients: { dispose(): unknown }[] = [];
let db: Client | undefined;
const connect = async (url: string) => {
  const c = new Client({ connectionString: url });
  await c.connect();
  return c;
};
beforeAll(async () => {
  t = await startTestApp();
  admin = await t.admin();
  user = await t.signUp();
});
afterAll(async () => {
  for (const c of clients) await c.dispose();
  await db?.end();
  await t.stop();
});

const post = async (query: string, variables: Record<string, unknown>, token = admin.token) => {
  const res = await fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
  return { status: res.status, body: (await res.json()) as { errors?: { message: string; extensions?: { code?: string } }[] } };
};

/** Everything a refused request must leave as it was (the "nothing written"). */
const writes = async () => {
  db ??= await connect(t.dbUrl);
  const r = await db.query(`select (select count(*) from ledger_transaction)::int as rows, (select coalesce(sum(version), 0) from wallet)::text as versions,
                                  (select count(*) from synfluencer)::int as synfluencers, (select count(*) from account)::int as accounts, (select count(*) from api_key)::int as keys`);
  return r.rows[0];
};

// ------------------------------------------------------------------ generated bad values

const around = (inner: fc.Arbitrary<string>) => fc.tuple(fc.string({ maxLength: 8 }), inner, fc.string({ maxLength: 8 })).map(([a, x, b]) => a + x + b);
const nul = around(fc.constant('\u0000'));
const loneHigh = around(fc.integer({ min: 0xd800, max: 0xdbff }).map((c) => String.fromCharCode(c) + 'x'));
const loneLow = around(fc.integer({ min: 0xdc00, max: 0xdfff }).map((c) => 'x' + String.fromCharCode(c)));
const tooLong = (max: number) => fc.integer({ min: 1, max: 3000 }).map((n) => 'a'.repeat(max + n));
const emailTricks = fc
  .constantFrom('\u0001', '\u001f', '\u007f', '\u0085', '\u202e', '\u202d', '\u2066', '\u200f', '\u200b', '\ufeff', '\n')
  .chain((c) => fc.constantFrom(`a${c}b@test.dev`, `ab@te${c}st.dev`, `${c}ab@test.dev`));

function badText(position: InputPosition): fc.Arbitrary<string> {
  const max = position.kind === 'ID' ? ID_MAX : (TEXT_LIMITS[position.name] ?? DEFAULT_TEXT_MAX);
  const kinds = [nul, loneHigh, loneLow, tooLong(max)];
  if (position.name === 'email') kinds.push(emailTricks);
  return fc.oneof(...kinds);
}

const validCredits = fc.tuple(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.integer({ min: 0, max: 999_999 })).map(([w, f]) => `${w}.${String(f).padStart(6, '0')}`);
const badCredits = fc.oneof(
  fc.tuple(validCredits, fc.constantFrom(' ', '\t', '\n', '\u00a0')).chain(([v, ws]) => fc.constantFrom(ws + v, v + ws, ws + v + ws)),
  fc.constantFrom('-0', '-0.0', '-0.000000', '-00'),
  fc.bigInt({ min: 10n ** 12n + 1n, max: 10n ** 25n }).chain((v) => fc.constantFrom(String(v), `-${v}`, `${v}.5`)),
  fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: -5, max: 20 })).map(([m, e]) => `${m}e${e}`),
  fc.tuple(validCredits, fc.integer({ min: 1, max: 9 })).map(([v, d]) => `${v}${d}`), // a 7th fractional digit
  fc.constantFrom('', 'abc', '1,5', '+5', '0x10', '1.', '.5', 'Infinity', 'NaN', '1\u00002', '５'),
);

const nested = (depth: number, leaf: unknown, asArray: boolean): unknown => {
  let v: unknown = leaf;
  for (let i = 0; i < depth; i++) v = asArray ? [v] : { k: v };
  return v;
};
const badJson = fc.oneof(
  fc.tuple(fc.integer({ min: JSON_LIMITS.maxDepth, max: 3000 }), fc.boolean()).map(([d, arr]) => ({ deep: nested(d, 1, arr) })),
  fc.integer({ min: JSON_LIMITS.maxKeys + 1, max: 400 }).map((n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]))),
  fc.integer({ min: JSON_LIMITS.maxBytes, max: 20_000 }).map((n) => ({ big: 'x'.repeat(n) })),
  fc.oneof(nul, loneHigh, loneLow).chain((s) => fc.constantFrom({ v: s }, { [s]: 1 }, { list: ['ok', s] }, { deeper: { [s]: s } })),
  tooLong(JSON_LIMITS.maxKeyLength).map((k) => ({ [k]: 1 })),
);

function badValue(position: InputPosition): fc.Arbitrary<unknown> {
  switch (position.kind) {
    case 'Credits':
      return badCredits;
    case 'JSON':
      return badJson;
    default:
      return badText(position);
  }
}

/** A subscription's first answer: its error array, or an event. */
function subscribeOnce(query: string, variables: Record<string, unknown>): Promise<{ errors?: { extensions?: { code?: string } }[] }> {
  const client = t.ws(admin.token);
  clients.push(client);
  const rec = Recorder.start(client, parse(query) as never, variables as never);
  return rec
    .waitFor(() => true, 3000)
    .then(() => ({}))
    .catch(() => ({ errors: rec.errors ?? undefined }))
    .finally(() => rec.stop());
}

describe('every String, ID, Credits and JSON argument of the schema refuses bad values at the edge (property-based)', () => {
  const positions = () => inputPositions(t.app.schema);

  it('the schema walk finds the arguments it must cover', () => {
    const names = positions().map((p) => `${p.field.name}.${p.path.join('.')}`);
    // A few known ones, so an empty walk cannot pass silently.
    expect(names).toEqual(expect.arrayContaining(['signUp.input.email', 'chargeUsage.input.metadata', 'grantCredits.amount', 'createSynfluencer.input.platforms', 'balanceChanged.afterVersion', 'markMessagesRead.ids']));
    expect(new Set(positions().map((p) => p.kind))).toEqual(new Set(['String', 'ID', 'Credits', 'JSON']));
  });

  it('answers a contract code other than INTERNAL_SERVER_ERROR, below HTTP 500, and writes nothing', async () => {
    const all = positions();
    const seen: string[] = [];
    for (const position of all) {
      await fc.assert(
        fc.asyncProperty(badValue(position), async (bad) => {
          const { query, variables } = operationFor(position, bad);
          const before = await writes();
          let codes: (string | undefined)[];
          if (position.operation === 'subscription') {
            codes = ((await subscribeOnce(query, variables)).errors ?? []).map((e) => e.extensions?.code);
          } else {
            const r = await post(query, variables);
            expect(r.status).toBeLessThan(500);
            codes = (r.body.errors ?? []).map((e) => e.extensions?.code);
          }
          // Refused, as bad input: not an internal error, not accepted.
          expect({ at: `${position.field.name}.${position.path.join('.')}`, codes: codes.slice(0, 1) }).toEqual({ at: `${position.field.name}.${position.path.join('.')}`, codes: ['BAD_USER_INPUT'] });
          expect(await writes()).toEqual(before);
        }),
        { numRuns: 4 },
      );
      seen.push(position.field.name);
    }
    expect(seen).toHaveLength(all.length);
  });
});

describe('text (class 2)', () => {
  it('a NUL in a name is BAD_USER_INPUT (it was INTERNAL_SERVER_ERROR: PostgreSQL refused it)', async () => {
    const r = await post('mutation($n: String!) { createSynfluencer(input: { name: $n, handle: "nul" }) { id } }', { n: 'a\u0000b' }, user.token);
    expect(errorCode(r.body as never)).toBe('BAD_USER_INPUT');
    expect(r.body.errors![0].message).toMatch(/input\.name/);
  });

  it('a lone surrogate is refused, not stored as U+FFFD', async () => {
    const r = await post('mutation($n: String!) { createSynfluencer(input: { name: $n, handle: "surrogate" }) { id } }', { n: 'a\ud800b' }, user.token);
    expect(errorCode(r.body as never)).toBe('BAD_USER_INPUT');
    const stored = await withSql(t.dbUrl, (c) => c.query(`select count(*)::int as n from synfluencer where name like '%' || chr(65533) || '%'`));
    expect(stored.rows[0].n).toBe(0);
    // A well-formed pair (an emoji) is fine.
    const ok = await post('mutation($n: String!) { createSynfluencer(input: { name: $n, handle: "emoji" }) { name } }', { n: 'Nova 🚀' }, user.token);
    expect(ok.body).toEqual({ data: { createSynfluencer: { name: 'Nova 🚀' } } });
  });

  it('emails refuse control, bidirectional-override and invisible characters', async () => {
    for (const email of ['evil\u202e@test.dev', 'a\u0007b@test.dev', 'zero\u200bwidth@test.dev']) {
      const r = await t.gql(SignUpDocument, { input: { email, password: PASSWORD } });
      expect({ email, code: errorCode(r) }).toEqual({ email, code: 'BAD_USER_INPUT' });
    }
    const accounts = await withSql(t.dbUrl, (c) => c.query(`select count(*)::int as n from account where email ~ '[[:cntrl:]]' or email like '%' || chr(8238) || '%'`));
    expect(accounts.rows[0].n).toBe(0);
  });

  it('lengths have maxima: at the limit accepted, one over refused', async () => {
    const at = await t.charge(user, { feature: 'talking_head', idempotencyKey: 'k'.repeat(TEXT_LIMITS.idempotencyKey) });
    expect(at.errors).toBeUndefined();
    const over = await t.charge(user, { feature: 'talking_head', idempotencyKey: 'k'.repeat(TEXT_LIMITS.idempotencyKey + 1) });
    expect(errorCode(over)).toBe('BAD_USER_INPUT');
    expect(over.errors![0].message).toBe(`input.idempotencyKey must be at most ${TEXT_LIMITS.idempotencyKey} characters`);
  });

  it('an error message never echoes a long input back in full', async () => {
    const long = 'Z'.repeat(10_000);
    const answers = [
      await post('mutation($a: Credits!) { grantCredits(accountId: "00000000-0000-4000-8000-000000000000", amount: $a, reason: "r", idempotencyKey: "e1") { id } }', { a: long }),
      await post(`mutation { grantCredits(accountId: "00000000-0000-4000-8000-000000000000", amount: "${long}", reason: "r", idempotencyKey: "e2") { id } }`, {}),
      await post('query($f: String!) { quote(input: { feature: $f }) { amount } }', { f: long }),
      await post('query($p: UsagePeriod!) { usageSummary(period: $p) { total } }', { p: long }),
      await post(`{ quote(input: { feature: "${long.slice(0, 90)}" }) { amount } }`, {}),
      await post('query($d: DateTime) { usageSummary(period: DAY, from: $d) { total } }', { d: long }),
    ];
    for (const r of answers) {
      expect(r.status).toBeLessThan(500);
      const message = r.body.errors![0].message;
      expect(message.length).toBeLessThanOrEqual(501);
      expect(message).not.toContain('Z'.repeat(65));
    }
  });
});

describe('client faults that were answered as server errors', () => {
  const raw = (body: Buffer, token = user.token) => fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: new Uint8Array(body) });

  it('a body that is not UTF-8 is 415 and stores nothing (it was decoded with U+FFFD in place of the bad bytes)', async () => {
    const before = await writes();
    const [head, tail] = JSON.stringify({ query: 'mutation($n: String!) { createSynfluencer(input: { name: $n, handle: "utf" }) { id } }', variables: { n: '@@' } }).split('@@');
    for (const bad of [[0xff, 0xfe], [0xed, 0xa0, 0x80] /* an encoded surrogate */, [0xc3] /* a cut sequence */]) {
      const res = await raw(Buffer.concat([Buffer.from(head), Buffer.from(bad), Buffer.from(tail)]));
      expect({ bad, status: res.status, code: ((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code }).toEqual({ bad, status: 415, code: 'BAD_USER_INPUT' });
    }
    expect(await writes()).toEqual(before);
  });

  it('a subscription over HTTP is 400 BAD_USER_INPUT (its resolver ran without an event: INTERNAL_SERVER_ERROR)', async () => {
    for (const query of ['subscription { balanceChanged { version } }', 'subscription { messageAdded { id } }', 'subscription { lowCreditAlert { threshold } }']) {
      const r = await post(query, {}, user.token);
      expect({ query, status: r.status, code: r.body.errors?.[0]?.extensions?.code }).toEqual({ query, status: 400, code: 'BAD_USER_INPUT' });
      expect(r.body.errors![0].message).toBe('Subscriptions are served over WebSocket (graphql-ws) at /graphql, not over HTTP');
    }
  });

  it('variables of the wrong type over WebSocket are BAD_USER_INPUT, as over HTTP (they were INTERNAL_SERVER_ERROR)', async () => {
    const cases: [string, Record<string, unknown>][] = [
      ['query($f: Int) { transactions(first: $f) { edges { cursor } } }', { f: 'x' }],
      ['subscription($v: String) { balanceChanged(afterVersion: $v) { version } }', { v: 5 }],
      ['query($d: DateTime) { transactions(filter: { from: $d }) { edges { cursor } } }', { d: 'nope' }],
    ];
    for (const [query, variables] of cases) {
      const answer = await subscribeOnce(query, variables);
      expect({ query, codes: answer.errors?.map((e) => e.extensions?.code) }).toEqual({ query, codes: ['BAD_USER_INPUT'] });
      // The same over HTTP (a subscription is refused there before its variables are read).
      if (query.startsWith('query')) expect((await post(query, variables, admin.token)).status).toBe(400);
    }
  });

  it('an afterVersion out of range (negative, past the bigint range) is BAD_USER_INPUT stating the range (it was a generic "a decimal string", or accepted)', async () => {
    const query = 'subscription($v: String) { balanceChanged(afterVersion: $v) { version } }';
    const range = 'a whole number from 0 to 9223372036854775807, as a decimal string';
    const refused: [string, string][] = [
      ['-1', `afterVersion -1 is out of range: a wallet version is ${range}`],
      ['9223372036854775808', `afterVersion 9223372036854775808 is out of range: a wallet version is ${range}`],
      ['99999999999999999999', `afterVersion 99999999999999999999 is out of range: a wallet version is ${range}`],
      ['v12', `afterVersion must be a wallet version: ${range}`],
    ];
    for (const [v, message] of refused) {
      const errors = (await subscribeOnce(query, { v })).errors as { message: string; extensions?: { code?: string } }[] | undefined;
      expect({ v, code: errors?.[0]?.extensions?.code, message: errors?.[0]?.message }).toEqual({ v, code: 'BAD_USER_INPUT', message });
    }
    for (const v of ['0', '9223372036854775807']) expect({ v, errors: (await subscribeOnce(query, { v })).errors }).toEqual({ v, errors: undefined });
  });

  it('a quantity of 1e400 (Infinity once parsed) is BAD_USER_INPUT saying it is out of range, in a literal and in variables (it read "must be a non-negative number")', async () => {
    const u = await t.signUp();
    const before = (await t.ok(WalletOnlyDocument, {}, u.token)).me.wallet;
    const literal = [
      'mutation { chargeUsage(input: { feature: "talking_head", quantity: 1e400, idempotencyKey: "inf-1" }) { transaction { id } } }',
      'query { quote(input: { feature: "talking_head", quantity: 1e400 }) { amount } }',
      'mutation { reserveCredits(input: { feature: "talking_head", quantity: 1e400, idempotencyKey: "inf-2" }) { id } }',
    ];
    for (const query of literal) {
      const r = await post(query, {}, u.token);
      expect({ query, code: r.body.errors?.[0]?.extensions?.code, message: r.body.errors?.[0]?.message }).toEqual({
        query,
        code: 'BAD_USER_INPUT',
        message: expect.stringMatching(/^quantity is out of range \(not a finite number\): it must be from 0 to \d+ seconds for "talking_head"$/),
      });
    }
    // In variables the JSON parser makes it Infinity before graphql-js coerces it (JSON.stringify would send null: the body is written by hand).
    const body = '{"query":"query($q: Float) { quote(input: { feature: \\"talking_head\\", quantity: $q }) { amount } }","variables":{"q":1e400}}';
    const res = await fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${u.token}` }, body });
    const answer = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect([res.status, answer.errors[0].extensions.code, answer.errors[0].message]).toEqual([400, 'BAD_USER_INPUT', expect.stringMatching(/Infinity: the number is out of range \(not finite\)$/)]);
    expect((await t.ok(WalletOnlyDocument, {}, u.token)).me.wallet).toEqual(before);
  });

  it('an empty synfluencerId is NOT_FOUND for chargeUsage, reserveCredits and chargeUsageBatch alike, and writes nothing (the first two passed it on to the write: INTERNAL_SERVER_ERROR)', async () => {
    const u = await t.signUp();
    const before = (await t.ok(WalletOnlyDocument, {}, u.token)).me.wallet;
    const usage = 'feature: "talking_head", quantity: 1, synfluencerId: ""';
    const calls = [
      `mutation { chargeUsage(input: { ${usage}, idempotencyKey: "empty-syn-1" }) { transaction { id } } }`,
      `mutation { reserveCredits(input: { ${usage}, idempotencyKey: "empty-syn-2" }) { id } }`,
    ];
    for (const query of calls) {
      const r = await post(query, {}, u.token);
      expect({ query, clientFault: r.status < 500, code: r.body.errors?.[0]?.extensions?.code }).toEqual({ query, clientFault: true, code: 'NOT_FOUND' });
    }
    const batch = await post(`mutation { chargeUsageBatch(inputs: [{ ${usage}, idempotencyKey: "empty-syn-3" }]) { charge { transaction { id } } error { code } } }`, {}, u.token);
    expect(batch.body as unknown).toEqual({ data: { chargeUsageBatch: [{ charge: null, error: { code: 'NOT_FOUND' } }] } });
    expect((await t.ok(WalletOnlyDocument, {}, u.token)).me.wallet).toEqual(before);
  });

  it('ledgerCheck of an id that is not an account is NOT_FOUND (a non-UUID was INTERNAL_SERVER_ERROR, an unknown UUID "ok")', async () => {
    for (const accountId of ['zz', randomUUID()]) {
      const r = await post('query($a: ID) { ledgerCheck(accountId: $a) { ok } }', { a: accountId });
      expect({ accountId, code: r.body.errors?.[0]?.extensions?.code }).toEqual({ accountId, code: 'NOT_FOUND' });
    }
    expect((await post('query($a: ID) { ledgerCheck(accountId: $a) { ok walletsChecked } }', { a: user.accountId })).body).toEqual({ data: { ledgerCheck: { ok: true, walletsChecked: 1 } } });
  });

  it('the CSV export refuses a NUL in a text filter with 400 (it began a 200 and cut the transfer)', async () => {
    const url = t.url.replace(/\/graphql$/, '/exports/usage.csv');
    for (const query of ['platform=%00', 'feature=a%00b', 'automationId=%00']) {
      const res = await fetch(`${url}?${query}`, { headers: { authorization: `Bearer ${user.token}` } });
      expect({ query, status: res.status, code: ((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code }).toEqual({ query, status: 400, code: 'BAD_USER_INPUT' });
    }
  });

  it('transactions and the CSV export refuse from at or after to with BAD_USER_INPUT saying so (they answered an empty history)', async () => {
    const csv = t.url.replace(/\/graphql$/, '/exports/usage.csv');
    const query = 'query($f: DateTime, $t: DateTime) { transactions(filter: { from: $f, to: $t }) { edges { cursor } } }';
    const ranges = [
      ['2026-02-01T00:00:00Z', '2026-01-01T00:00:00Z'],
      ['2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'],
      ['2026-01-01T02:00:00+02:00', '2026-01-01T00:00:00Z'], // the same instant
    ];
    for (const [from, to] of ranges) {
      const r = await post(query, { f: from, t: to }, user.token);
      expect({ from, to, status: r.status, code: r.body.errors?.[0]?.extensions?.code, message: r.body.errors?.[0]?.message }).toEqual({
        from,
        to,
        status: 200,
        code: 'BAD_USER_INPUT',
        message: expect.stringMatching(/^from \(.+\) must be before to \(.+\): from is inclusive and to exclusive/),
      });
      const res = await fetch(`${csv}?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, { headers: { authorization: `Bearer ${user.token}` } });
      const body = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
      expect({ from, to, status: res.status, code: body.errors[0].extensions.code, message: body.errors[0].message }).toEqual({ from, to, status: 400, code: 'BAD_USER_INPUT', message: r.body.errors![0].message });
    }
    // The control: a range one millisecond long is fine.
    expect((await post(query, { f: '2026-01-01T00:00:00.000Z', t: '2026-01-01T00:00:00.001Z' }, user.token)).body.errors).toBeUndefined();
    expect((await fetch(`${csv}?from=2026-01-01T00:00:00.000Z&to=2026-01-01T00:00:00.001Z`, { headers: { authorization: `Bearer ${user.token}` } })).status).toBe(200);
  });

  it('the CSV export says to encode "+" as %2B when an offset arrives with a space in its place (the query string decodes "+" to a space)', async () => {
    const csv = t.url.replace(/\/graphql$/, '/exports/usage.csv');
    const get = (query: string) => fetch(`${csv}?${query}`, { headers: { authorization: `Bearer ${user.token}` } });
    const cases: [string, string][] = [
      ['from=2026-01-01T00:00:00+02:00', 'from has a space where its offset\'s "+" should be: a "+" in a query string reads as a space, so encode it as %2B (from=2026-01-01T00:00:00%2B02:00)'],
      ['to=2026-01-01T00:00:00.500+0530', 'to has a space where its offset\'s "+" should be: a "+" in a query string reads as a space, so encode it as %2B (to=2026-01-01T00:00:00.500%2B0530)'],
      ['from=2026-01-01T00:00:00+02:00&to=2026-02-01T00:00:00%2B02:00', 'from has a space where its offset\'s "+" should be: a "+" in a query string reads as a space, so encode it as %2B (from=2026-01-01T00:00:00%2B02:00)'],
    ];
    for (const [query, message] of cases) {
      const res = await get(query);
      const body = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
      expect({ query, status: res.status, code: body.errors[0].extensions.code, message: body.errors[0].message }).toEqual({ query, status: 400, code: 'BAD_USER_INPUT', message });
    }
    // Other malformed dates keep the general message; encoded, the offset is read.
    expect(((await (await get('from=2026-01-01')).json()) as { errors: { message: string }[] }).errors[0].message).toBe('from must be a date-time with its offset, like 2026-12-31T00:00:00Z');
    expect((await get('from=2026-01-01T00:00:00%2B02:00&to=2026-02-01T00:00:00%2B02:00')).status).toBe(200);
  });

  it('usageSummary outside 1970 to 9000 is BAD_USER_INPUT naming the bound (local buckets fell in year 0 or sorted year 10000 first)', async () => {
    const u = await t.signUp({ timezone: 'America/New_York' });
    const r = await post('query($f: DateTime, $t: DateTime) { usageSummary(period: DAY, from: $f, to: $t) { total } }', { f: '0001-01-01T00:00:00Z', t: '0001-01-20T00:00:00Z' }, u.token);
    expect([r.body.errors?.[0]?.extensions?.code, r.body.errors?.[0]?.message]).toEqual(['BAD_USER_INPUT', 'from must lie between 1970-01-01T00:00:00.000Z and 9000-01-01T00:00:00.000Z']);
    const late = await post('query($f: DateTime, $t: DateTime) { usageSummary(period: DAY, from: $f, to: $t) { total } }', { f: '9999-12-01T00:00:00Z', t: '9999-12-31T23:59:59Z' }, u.token);
    expect(late.body.errors?.[0]?.message).toBe('from must lie between 1970-01-01T00:00:00.000Z and 9000-01-01T00:00:00.000Z');
  });

  it('a cursor past the bigint range is "not a valid cursor", like any other bad cursor (it got a message about credits)', async () => {
    const cursor = Buffer.from('9223372036854775808').toString('base64url');
    for (const query of ['query($c: String) { transactions(after: $c) { edges { cursor } } }', 'query($c: String) { messages(after: $c) { edges { cursor } } }']) {
      const r = await post(query, { c: cursor }, user.token);
      expect({ query, message: r.body.errors?.[0]?.message }).toEqual({ query, message: 'after is not a valid cursor' });
    }
    const largest = Buffer.from('9223372036854775807').toString('base64url');
    expect((await post('query($c: String) { transactions(after: $c) { edges { cursor } } }', { c: largest }, user.token)).body.errors).toBeUndefined();
  });

  it('sign-up refuses every invisible format character (the soft hyphen too) and empty domain labels; an account that has one can still log in', async () => {
    for (const email of ['soft\u00adhyphen@test.dev', 'word\u2063joiner@test.dev', 'x@x..com', 'x@.test.dev', 'x@test.dev.']) {
      const r = await t.gql(SignUpDocument, { input: { email, password: PASSWORD } });
      expect({ email, code: errorCode(r) }).toEqual({ email, code: 'BAD_USER_INPUT' });
    }
    // An account from before the rule: logging in is not refused by it.
    const legacy = await t.signUp();
    const legacyEmail = `legacy\u00ad${legacy.accountId.slice(0, 8)}@test.dev`;
    await withSql(t.dbUrl, (c) => c.query('update account set email = $2 where id = $1', [legacy.accountId, legacyEmail]));
    expect((await t.gql(LogInDocument, { email: legacyEmail, password: PASSWORD })).errors).toBeUndefined();
  });
});

describe('metadata JSON limits (class 3)', () => {
  const charge = (metadata: unknown) => t.charge(user, { feature: 'talking_head', metadata: metadata as never });

  it('deeply nested arrays are BAD_USER_INPUT (they overflowed the stack: INTERNAL_SERVER_ERROR)', async () => {
    const before = await writes();
    // Written as text, not sent with t.charge: the test never builds (or stringifies) an object 50,000 levels deep.
    const raw = `{"query":${JSON.stringify('mutation($m: JSON) { chargeUsage(input: { feature: "talking_head", quantity: 1, idempotencyKey: "deep", metadata: $m }) { wallet { version } } }')},"variables":{"m":{"a":${'['.repeat(50_000)}1${']'.repeat(50_000)}}}}`;
    const res = await fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${user.token}` }, body: raw });
    expect(res.status).toBeLessThan(500);
    const body = await res.json();
    expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(body.errors[0].message).toMatch(/levels of nesting/);
    expect(await writes()).toEqual(before);
  });

  it('accepts metadata exactly at the limits and refuses one step beyond each', async () => {
    const { maxDepth, maxKeys, maxBytes } = JSON_LIMITS;
    expect((await charge(nested(maxDepth, 'leaf', false))).errors).toBeUndefined();
    expect(errorCode(await charge(nested(maxDepth + 1, 'leaf', false)))).toBe('BAD_USER_INPUT');
    expect(errorCode(await charge({ a: nested(maxDepth, 'leaf', true) }))).toBe('BAD_USER_INPUT');
    const keys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 1]));
    expect((await charge(keys(maxKeys))).errors).toBeUndefined();
    expect(errorCode(await charge(keys(maxKeys + 1)))).toBe('BAD_USER_INPUT');
    const sized = (bytes: number) => ({ s: 'x'.repeat(bytes - '{"s":""}'.length) });
    expect(JSON.stringify(sized(maxBytes)).length).toBe(maxBytes);
    expect((await charge(sized(maxBytes))).errors).toBeUndefined();
    expect(errorCode(await charge(sized(maxBytes + 1)))).toBe('BAD_USER_INPUT');
  });
});

describe('Credits are strict (class 4)', () => {
  const grant = (amount: string, key = randomUUID()) => t.gql(GrantCreditsDocument, { accountId: user.accountId, amount, reason: 'test', idempotencyKey: key }, admin.token);

  it('refuses surrounding whitespace, -0 and values beyond 10^12 credits; accepts the maximum', async () => {
    for (const amount of [' 5', '5 ', '\t5', '-0', '-0.000', '1000000000000.000001', '1e3', '5.0000001']) {
      const r = await grant(amount);
      expect({ amount, status: r.status, code: errorCode(r) }).toEqual({ amount, status: 400, code: 'BAD_USER_INPUT' });
    }
    expect((await grant('1000000000000')).errors).toBeUndefined();
  });

  it('a grant that would pass the bigint range of the wallet is BAD_USER_INPUT and writes nothing (it was INTERNAL_SERVER_ERROR)', async () => {
    const rich = await t.signUp();
    let refused: Awaited<ReturnType<typeof grant>> | undefined;
    for (let i = 0; i < 12 && !refused; i++) {
      const r = await t.gql(GrantCreditsDocument, { accountId: rich.accountId, amount: '1000000000000', reason: 'big', idempotencyKey: `big-${i}` }, admin.token);
      if (r.errors) refused = r;
    }
    expect(refused).toBeDefined();
    expect(errorCode(refused!)).toBe('BAD_USER_INPUT');
    expect(refused!.errors![0].message).toMatch(/representable range/);
    const wallet = (await t.ok(WalletOnlyDocument, {}, rich.token)).me.wallet;
    expect(BigInt(wallet.balance.split('.')[0])).toBeLessThanOrEqual(9_223_372_036_854n);
    expect(wallet.version).toBe('10'); // sign-up bonus + 9 grants; the refused one wrote nothing
  });
});
