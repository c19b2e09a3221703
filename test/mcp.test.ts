import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { PASSWORD, startTestApp, type TestApp, type TestUser } from './helpers/app';
import { compiledServerEnv, freePort, postGraphql, startCompiledServer, waitReady } from './helpers/compiled-server';
import { createTestDatabase, withSql } from './helpers/db';
import { CreateApiKeyDocument, RevokeApiKeyDocument, SignUpDocument, TransactionsDocument, WalletOnlyDocument, type ApiKeyScope } from './generated/graphql';

/** The synfluencer preset: talking_head costs 0.10 credits per second. */
let t: TestApp;
let user: TestUser;
let fullKey: string;
const clients: Client[] = [];
const TOOLS = ['get_balance', 'price_book', 'quote', 'charge_usage', 'reserve_credits', 'capture_hold', 'release_hold', 'usage_summary'];

beforeAll(async () => {
  t = await startTestApp({ SIGNUP_BONUS: '10' });
  user = await t.signUp();
  fullKey = await apiKey(user, ['USAGE_WRITE', 'WALLET_READ']);
});
afterAll(async () => {
  for (const client of clients) await client.close().catch(() => undefined);
  await t.stop();
});

async function apiKey(owner: TestUser, scopes: ApiKeyScope[]): Promise<string> {
  return (await t.ok(CreateApiKeyDocument, { name: `agent ${scopes.join('+')}`, scopes }, owner.token)).createApiKey.secret;
}

const mcpUrl = () => new URL(t.url.replace(/\/graphql$/, '/mcp'));

async function httpClient(authorization: string | null): Promise<Client> {
  const client = new Client({ name: 'credits-test', version: '1.0.0' });
  const headers: Record<string, string> = authorization ? { authorization } : {};
  await client.connect(new StreamableHTTPClientTransport(mcpUrl(), { requestInit: { headers } }));
  clients.push(client);
  return client;
}

/** A tool's answer: its JSON, read loosely (the assertions check its shape). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of any shape
type Json = Record<string, any>;
interface ToolAnswer {
  isError: boolean;
  value: Json;
}
async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<ToolAnswer> {
  const result = await client.callTool({ name, arguments: args });
  const text = (result.content as { type: string; text: string }[])[0].text;
  // The text and the structured content carry the same JSON.
  expect(JSON.parse(text)).toEqual(result.structuredContent);
  return { isError: Boolean(result.isError), value: result.structuredContent as Json };
}
const codeOf = (answer: ToolAnswer) => (answer.isError ? (answer.value.error.code as string) : 'ok');
const balanceOf = async (u: TestUser) => (await t.ok(WalletOnlyDocument, {}, u.token)).me.wallet.balance;

describe('MCP over streamable HTTP (POST /mcp)', () => {
  it('lists the eight tools, each with a description and a described input schema', async () => {
    const client = await httpClient(`Bearer ${fullKey}`);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([...TOOLS].sort());
    for (const tool of tools) {
      expect(tool.description!.length).toBeGreaterThan(20);
      expect(tool.inputSchema.type).toBe('object');
      for (const [name, property] of Object.entries(tool.inputSchema.properties ?? {})) {
        expect({ tool: tool.name, name, described: typeof (property as { description?: string }).description === 'string' }).toEqual({ tool: tool.name, name, described: true });
      }
    }
    const charge = tools.find((tool) => tool.name === 'charge_usage')!;
    expect(charge.inputSchema.required).toEqual(expect.arrayContaining(['feature', 'idempotencyKey']));
    expect(charge.annotations).toMatchObject({ readOnlyHint: false, idempotentHint: true });
  });

  it('reads, quotes and charges through the same services as GraphQL; a retry replays; errors carry the contract code', async () => {
    const u = await t.signUp();
    const client = await httpClient(`Bearer ${await apiKey(u, ['USAGE_WRITE', 'WALLET_READ'])}`);
    expect((await call(client, 'get_balance')).value).toMatchObject({ balance: '10', held: '0', status: 'ACTIVE', version: '1' });
    const book = (await call(client, 'price_book')).value;
    expect(book.features).toEqual(expect.arrayContaining([expect.objectContaining({ feature: 'talking_head', model: 'PER_SECOND', rate: '0.1', provider: 'heygen' })]));
    expect((await call(client, 'quote', { feature: 'talking_head', quantity: 30 })).value).toMatchObject({ amount: '3', unit: 'second' });

    const first = await call(client, 'charge_usage', { feature: 'talking_head', quantity: 12.5, idempotencyKey: 'render-1', platform: 'tiktok' });
    expect(first.value.transaction).toMatchObject({ kind: 'USAGE', amount: '-1.25', balanceAfter: '8.75', idempotencyKey: 'render-1', platform: 'tiktok' });
    expect(first.value.wallet).toMatchObject({ balance: '8.75', version: '2' });
    const again = await call(client, 'charge_usage', { feature: 'talking_head', quantity: 12.5, idempotencyKey: 'render-1', platform: 'tiktok' });
    expect(again.value.transaction).toEqual(first.value.transaction);
    // The same key through GraphQL replays the same charge: one ledger, one set of rules.
    const viaGraphql = await t.chargeOk(u, { feature: 'talking_head', quantity: 12.5, idempotencyKey: 'render-1', platform: 'tiktok' });
    expect(viaGraphql.chargeUsage.transaction.id).toBe(first.value.transaction.id);
    expect(await balanceOf(u)).toBe('8.75');

    const refusals = [
      await call(client, 'charge_usage', { feature: 'talking_head', quantity: 12.5, idempotencyKey: 'render-1' }), // same key, other input
      await call(client, 'charge_usage', { feature: 'talking_head', quantity: 1000, idempotencyKey: 'render-2' }),
      await call(client, 'charge_usage', { feature: 'talking_head', quantity: 1 }), // the key is required
      await call(client, 'charge_usage', { feature: 'talking_head', quantity: 'ten', idempotencyKey: 'render-3' }),
      await call(client, 'charge_usage', { feature: 'talking_head', quantity: 1, idempotencyKey: 'render-4', idempotency_key: 'x' }),
      await call(client, 'quote', { feature: 'talking_head', quantity: 1e-7 }),
      await call(client, 'quote', { feature: 'content_generation', providerCost: '1e3' }),
      await call(client, 'quote', { feature: 'no_such_feature' }),
    ];
    expect(refusals.map(codeOf)).toEqual(['IDEMPOTENCY_CONFLICT', 'INSUFFICIENT_CREDITS', 'BAD_USER_INPUT', 'BAD_USER_INPUT', 'BAD_USER_INPUT', 'BAD_USER_INPUT', 'BAD_USER_INPUT', 'BAD_USER_INPUT']);
    expect(refusals[1].value.error).toMatchObject({ message: expect.stringMatching(/Insufficient credits/), details: { required: '100', available: '8.75' } });
    expect(refusals[2].value.error.message).toMatch(/idempotencyKey/);
    expect(await balanceOf(u)).toBe('8.75');
  });

  it('reserves, captures (retry-safe with a key) and releases holds; usage_summary counts the spend', async () => {
    const u = await t.signUp();
    const client = await httpClient(`Bearer ${await apiKey(u, ['USAGE_WRITE', 'WALLET_READ'])}`);
    const hold = (await call(client, 'reserve_credits', { feature: 'talking_head', quantity: 60, idempotencyKey: 'video-1', expiresInSeconds: 600 })).value;
    expect(hold).toMatchObject({ status: 'PENDING', amount: '6', feature: 'talking_head' });
    expect((await call(client, 'get_balance')).value).toMatchObject({ balance: '4', held: '6' });
    const capture = await call(client, 'capture_hold', { holdId: hold.id, quantity: 42, idempotencyKey: 'video-1-done' });
    expect(capture.value).toMatchObject({ transaction: { kind: 'CAPTURE', amount: '-4.2' }, wallet: { balance: '5.8', held: '0' }, hold: { id: hold.id, status: 'CAPTURED', captured: '4.2' } });
    expect((await call(client, 'capture_hold', { holdId: hold.id, quantity: 42, idempotencyKey: 'video-1-done' })).value.transaction).toEqual(capture.value.transaction);
    expect(codeOf(await call(client, 'capture_hold', { holdId: hold.id, quantity: 42 }))).toBe('HOLD_NOT_PENDING');

    const second = (await call(client, 'reserve_credits', { feature: 'talking_head', quantity: 10, idempotencyKey: 'video-2' })).value;
    expect((await call(client, 'release_hold', { holdId: second.id })).value).toMatchObject({ id: second.id, status: 'RELEASED', amount: '1' });
    expect(codeOf(await call(client, 'release_hold', { holdId: '00000000-0000-4000-8000-000000000000' }))).toBe('NOT_FOUND');

    const summary = (await call(client, 'usage_summary', { period: 'DAY' })).value;
    expect(summary).toMatchObject({ total: '4.2', count: 1, byFeature: [{ key: 'talking_head', total: '4.2', count: 1 }] });
    expect(summary.buckets).toHaveLength(30);
    expect(codeOf(await call(client, 'usage_summary', { period: 'YEAR' }))).toBe('BAD_USER_INPUT');
    // A range whose local buckets would fall in year 0 (it was INTERNAL_SERVER_ERROR: "Invalid time value").
    const ancient = await call(client, 'usage_summary', { period: 'DAY', from: '0001-01-01T00:00:00Z', to: '0001-01-03T00:00:00Z' });
    expect([codeOf(ancient), ancient.value.error.message]).toEqual(['BAD_USER_INPUT', 'from must lie between 1970-01-01T00:00:00.000Z and 9000-01-01T00:00:00.000Z']);
  });

  it('capture_hold and release_hold take the hold as id, as GraphQL captureHold(id) and releaseHold(id); holdId is still accepted', async () => {
    const u = await t.signUp();
    const client = await httpClient(`Bearer ${await apiKey(u, ['USAGE_WRITE', 'WALLET_READ'])}`);
    const { tools } = await client.listTools();
    for (const name of ['capture_hold', 'release_hold']) {
      const properties = tools.find((tool) => tool.name === name)!.inputSchema.properties as Record<string, { description: string }>;
      expect({ name, id: properties.id?.description }).toEqual({ name, id: expect.stringMatching(/reserve_credits/) });
      expect({ name, holdId: properties.holdId?.description }).toEqual({ name, holdId: expect.stringMatching(/[Aa]lias of id/) });
    }
    const reserve = async (key: string) => (await call(client, 'reserve_credits', { feature: 'talking_head', quantity: 10, idempotencyKey: key })).value.id as string;

    const first = await reserve('id-1');
    const captured = await call(client, 'capture_hold', { id: first, quantity: 5 });
    expect(captured.value).toMatchObject({ transaction: { kind: 'CAPTURE', amount: '-0.5' }, hold: { id: first, status: 'CAPTURED' } });
    const second = await reserve('id-2');
    expect((await call(client, 'release_hold', { id: second, idempotencyKey: 'id-2-release' })).value).toMatchObject({ id: second, status: 'RELEASED' });
    // The old name, and both names for the same hold.
    const third = await reserve('id-3');
    expect((await call(client, 'release_hold', { holdId: third })).value).toMatchObject({ id: third, status: 'RELEASED' });
    const fourth = await reserve('id-4');
    expect((await call(client, 'capture_hold', { id: fourth, holdId: fourth })).value.hold).toMatchObject({ id: fourth, status: 'CAPTURED' });

    const fifth = await reserve('id-5');
    const missing = await call(client, 'release_hold', {});
    expect([codeOf(missing), missing.value.error.message]).toEqual(['BAD_USER_INPUT', expect.stringMatching(/^Invalid arguments for release_hold: id: required/)]);
    const two = await call(client, 'capture_hold', { id: fifth, holdId: first });
    expect([codeOf(two), two.value.error.message]).toEqual(['BAD_USER_INPUT', expect.stringMatching(/holdId: names another hold than id/)]);
    expect((await call(client, 'get_balance')).value).toMatchObject({ balance: '7.5', held: '1' });
  });

  it('a body that is not UTF-8 is 415 and charges nothing (it was decoded with U+FFFD in place of the bad bytes)', async () => {
    const u = await t.signUp();
    const key = await apiKey(u, ['USAGE_WRITE', 'WALLET_READ']);
    const call = (bytes: Buffer) =>
      fetch(mcpUrl(), { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: new Uint8Array(bytes) });
    const json = (text: string) =>
      JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'charge_usage', arguments: { feature: 'talking_head', quantity: 1, idempotencyKey: text } } });
    const [head, tail] = json('@@').split('@@');
    const refused = await call(Buffer.concat([Buffer.from(head), Buffer.from([0x6b, 0xff, 0xfe]), Buffer.from(tail)]));
    expect(refused.status).toBe(415);
    expect(await refused.json()).toMatchObject({ jsonrpc: '2.0', error: { message: 'The request body is not valid UTF-8' } });
    // Another declared charset, or a content encoding it does not take: a JSON-RPC refusal too, not GraphQL's error shape.
    const refusedHeaders: Record<string, string>[] = [{ 'content-type': 'application/json; charset=latin1' }, { 'content-type': 'application/json', 'content-encoding': 'x-unknown' }];
    for (const headers of refusedHeaders) {
      const other = await fetch(mcpUrl(), { method: 'POST', headers: { authorization: `Bearer ${key}`, accept: 'application/json, text/event-stream', ...headers }, body: json('fine') });
      expect(other.status).toBe(415);
      expect(await other.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32600 } });
    }
    expect(await balanceOf(u)).toBe('10');
  });

  it('params that do not fit their method are -32602 Invalid params saying what is wrong, never -32603; arguments: null is no arguments', async () => {
    const u = await t.signUp();
    const key = await apiKey(u, ['USAGE_WRITE', 'WALLET_READ']);
    const post = (body: unknown, headers: Record<string, string> = {}) =>
      fetch(mcpUrl(), { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers }, body: JSON.stringify(body) });
    const malformed = [
      { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'charge_usage', arguments: [1] } },
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { arguments: { feature: 'talking_head' } } },
      { jsonrpc: '2.0', id: 3, method: 'initialize', params: {} },
      [{ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 7 } }],
    ];
    for (const body of malformed) {
      const res = await post(body);
      const answer = await res.json();
      expect([res.status, answer.error.code, answer.error.data]).toEqual([400, -32602, { code: 'BAD_USER_INPUT' }]);
      expect(answer.error.message).toMatch(/^Invalid params for (tools\/call|initialize): params\./);
      expect(answer.id).toBe(Array.isArray(body) ? body[0].id : body.id);
    }
    const noArguments = await post({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'get_balance', arguments: null } });
    expect(noArguments.status).toBe(200);
    expect((await noArguments.json()).result.structuredContent.balance).toBe('10');

    // An unknown tool: its message said "MCP error -32602: MCP error -32602: ..." in the SDK's client.
    const client = await httpClient(`Bearer ${key}`);
    await expect(client.callTool({ name: 'no_such_tool', arguments: {} })).rejects.toThrow(/^MCP error -32602: Unknown tool "no_such_tool"/);

    // A compressed body is refused (415) like on /graphql, not decompressed.
    const gzipped = await fetch(mcpUrl(), {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-encoding': 'gzip', accept: 'application/json, text/event-stream' },
      body: new Uint8Array(gzipSync(JSON.stringify({ jsonrpc: '2.0', id: 6, method: 'tools/call', params: { name: 'charge_usage', arguments: { feature: 'talking_head', quantity: 1, idempotencyKey: 'gz' } } }))),
    });
    expect([gzipped.status, (await gzipped.json()).error.code]).toEqual([415, -32600]);
    expect(await balanceOf(u)).toBe('10');
  });

  it('metadata nested far deeper than allowed is BAD_USER_INPUT, not a stack overflow (the depth is checked before the request is hashed)', async () => {
    const u = await t.signUp();
    const key = await apiKey(u, ['USAGE_WRITE', 'WALLET_READ']);
    const depth = 20_000; // written by hand: JSON.stringify itself would overflow building it
    const metadata = `{"a":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    const body = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"charge_usage","arguments":{"feature":"talking_head","quantity":1,"idempotencyKey":"deep","metadata":${metadata}}}}`;
    const res = await fetch(mcpUrl(), { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body });
    expect(res.status).toBe(200);
    const text = await res.text();
    const message = JSON.parse(text.startsWith('{') ? text : text.split('\n').find((line) => line.startsWith('data: '))!.slice(6)) as { result: Json };
    expect(message.result.isError).toBe(true);
    expect(message.result.structuredContent.error.code).toBe('BAD_USER_INPUT');
    expect(await balanceOf(u)).toBe('10');
  });

  it('a quantity of 1e400 (Infinity once parsed) is a BAD_USER_INPUT tool error saying it is out of range', async () => {
    const u = await t.signUp();
    const key = await apiKey(u, ['USAGE_WRITE', 'WALLET_READ']);
    // Written by hand: JSON.stringify would send null.
    const body = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"charge_usage","arguments":{"feature":"talking_head","quantity":1e400,"idempotencyKey":"inf"}}}';
    const res = await fetch(mcpUrl(), { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body });
    expect(res.status).toBe(200);
    const { result } = (await res.json()) as { result: Json };
    expect([result.isError, result.structuredContent.error]).toEqual([true, { code: 'BAD_USER_INPUT', message: 'Invalid arguments for charge_usage: quantity: out of range: not a finite number' }]);
    expect(await balanceOf(u)).toBe('10');
  });

  it('each tool needs its scope: WALLET_READ reads, USAGE_WRITE charges and sees its balance (as GraphQL me { wallet })', async () => {
    const u = await t.signUp();
    const reader = await httpClient(`Bearer ${await apiKey(u, ['WALLET_READ'])}`);
    const writerKey = await apiKey(u, ['USAGE_WRITE']);
    const writer = await httpClient(`Bearer ${writerKey}`);
    expect(codeOf(await call(reader, 'get_balance'))).toBe('ok');
    expect(codeOf(await call(reader, 'charge_usage', { feature: 'talking_head', quantity: 1, idempotencyKey: 'r-1' }))).toBe('FORBIDDEN');
    expect(codeOf(await call(reader, 'reserve_credits', { feature: 'talking_head', quantity: 1, idempotencyKey: 'r-2' }))).toBe('FORBIDDEN');
    expect(codeOf(await call(writer, 'get_balance'))).toBe('ok');
    expect((await t.gql(WalletOnlyDocument, {}, writerKey)).data?.me.wallet.balance).toBe('10');
    expect(codeOf(await call(writer, 'usage_summary', { period: 'WEEK' }))).toBe('FORBIDDEN');
    expect(codeOf(await call(writer, 'charge_usage', { feature: 'talking_head', quantity: 1, idempotencyKey: 'w-1' }))).toBe('ok');
    for (const client of [reader, writer]) {
      expect(codeOf(await call(client, 'price_book'))).toBe('ok');
      expect(codeOf(await call(client, 'quote', { feature: 'talking_head', quantity: 1 }))).toBe('ok');
    }
    expect(await balanceOf(u)).toBe('9.9');
  });

  it('holds arguments to the same text and JSON rules as GraphQL: refused as BAD_USER_INPUT, nothing charged', async () => {
    const u = await t.signUp();
    const client = await httpClient(`Bearer ${await apiKey(u, ['USAGE_WRITE', 'WALLET_READ'])}`);
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 30; i++) deep = { deeper: deep };
    const refused = [
      { idempotencyKey: 'job-\ud800' }, // a lone surrogate: stored as U+FFFD, a retry would not find its own key
      { idempotencyKey: 'job-\udfff' },
      { idempotencyKey: 'bad-platform', platform: 'tik\ud83dtok' },
      { idempotencyKey: 'bad-automation', automationId: 'loop\u0000' },
      { idempotencyKey: 'too-deep', metadata: deep },
    ];
    for (const args of refused) {
      const answer = await call(client, 'charge_usage', { feature: 'talking_head', quantity: 1, ...args });
      expect({ args: args.idempotencyKey, code: codeOf(answer) }).toEqual({ args: args.idempotencyKey, code: 'BAD_USER_INPUT' });
    }
    expect(codeOf(await call(client, 'reserve_credits', { feature: 'talking_head', quantity: 1, idempotencyKey: 'hold-\ud800' }))).toBe('BAD_USER_INPUT');
    expect(await balanceOf(u)).toBe('10');
    // A well-formed pair is fine, and its retry replays.
    const first = await call(client, 'charge_usage', { feature: 'talking_head', quantity: 1, idempotencyKey: 'job-\ud83d\ude00' });
    const retry = await call(client, 'charge_usage', { feature: 'talking_head', quantity: 1, idempotencyKey: 'job-\ud83d\ude00' });
    expect(retry.value.transaction.id).toBe(first.value.transaction.id);
    expect(await balanceOf(u)).toBe('9.9');
  });

  it('an idempotencyKey with a NUL character is a BAD_USER_INPUT tool error saying so, for every tool that takes one; nothing charged or held', async () => {
    const u = await t.signUp();
    const client = await httpClient(`Bearer ${await apiKey(u, ['USAGE_WRITE', 'WALLET_READ'])}`);
    const hold = (await call(client, 'reserve_credits', { feature: 'talking_head', quantity: 10, idempotencyKey: 'nul-hold' })).value;
    const calls: [string, Record<string, unknown>][] = [
      ['charge_usage', { feature: 'talking_head', quantity: 1, idempotencyKey: 'job\u0000' }],
      ['charge_usage', { feature: 'talking_head', quantity: 1, idempotencyKey: '\u0000' }],
      ['reserve_credits', { feature: 'talking_head', quantity: 1, idempotencyKey: 'hold-\u0000-1' }],
      ['capture_hold', { id: hold.id, idempotencyKey: 'done\u0000' }],
      ['release_hold', { id: hold.id, idempotencyKey: 'done\u0000' }],
    ];
    for (const [name, args] of calls) {
      const answer = await call(client, name, args);
      expect({ name, code: codeOf(answer), message: answer.value.error?.message }).toEqual({ name, code: 'BAD_USER_INPUT', message: 'idempotencyKey must not contain NUL characters (U+0000)' });
    }
    expect((await call(client, 'get_balance')).value).toMatchObject({ balance: '9', held: '1', version: '2' });
  });

  it('needs an API key: none, an access token, an unknown or a revoked key are 401', async () => {
    const post = (authorization: string | null) =>
      fetch(mcpUrl(), {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...(authorization ? { authorization } : {}) },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      });
    const u = await t.signUp();
    const key = await apiKey(u, ['WALLET_READ']);
    const revoked = await apiKey(u, ['WALLET_READ']);
    const keys = (await t.ok(`query { apiKeys { id name prefix } }`, {}, u.token)) as { apiKeys: { id: string; prefix: string }[] };
    await t.ok(RevokeApiKeyDocument, { id: keys.apiKeys.find((k) => revoked.startsWith(k.prefix))!.id }, u.token);
    // The message says what to fix: a key instead of a token, or another key.
    const askForKey = /^UNAUTHENTICATED: send Authorization: Bearer sfk_\.\.\. with an API key/;
    const badKey = /^UNAUTHENTICATED: this API key is not valid: revoked, or never issued$/;
    for (const [authorization, message] of [[null, askForKey], [`Bearer ${u.token}`, askForKey], ['Bearer sfk_not-a-key', badKey], [`Bearer ${revoked}`, badKey]] as const) {
      const res = await post(authorization);
      expect({ authorization, status: res.status }).toEqual({ authorization, status: 401 });
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(message);
    }
    expect((await post(`Bearer ${key}`)).status).toBe(200);
    await expect(httpClient(null)).rejects.toThrow();
    expect((await fetch(mcpUrl(), { headers: { authorization: `Bearer ${key}` } })).status).toBe(405);
    const malformed = await fetch(mcpUrl(), { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: '{"jsonrpc":' });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { code: number } }).error.code).toBe(-32700);
    // Without a key the body is never read: malformed or oversized, the answer is 401.
    for (const body of ['{"jsonrpc":', 'x'.repeat(300 * 1024)]) {
      const anonymous = await fetch(mcpUrl(), { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect({ size: body.length, status: anonymous.status }).toEqual({ size: body.length, status: 401 });
    }
  });
});

describe('MCP over stdio (npm run mcp)', () => {
  const entry = path.join(__dirname, '..', 'dist', 'src', 'mcp.js');

  async function stdioClient(key: string, dbUrl = t.dbUrl, env: Record<string, string> = {}): Promise<Client> {
    const client = new Client({ name: 'credits-test-stdio', version: '1.0.0' });
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [entry],
      env: { NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: dbUrl, DB_POOL_SIZE: '4', SIGNUP_BONUS: '10', MCP_API_KEY: key, ...env },
      stderr: 'pipe',
    });
    await client.connect(transport);
    clients.push(client);
    return client;
  }

  it('spawns the entry point against the same database: same wallet, same ledger, revocation ends it', async () => {
    const u = await t.signUp();
    const key = await apiKey(u, ['USAGE_WRITE', 'WALLET_READ']);
    const client = await stdioClient(key);
    expect((await client.listTools()).tools.map((tool) => tool.name).sort()).toEqual([...TOOLS].sort());
    expect((await call(client, 'get_balance')).value).toMatchObject({ balance: '10', version: '1' });
    const charge = await call(client, 'charge_usage', { feature: 'talking_head', quantity: 30, idempotencyKey: 'stdio-1', automationId: 'agent-loop' });
    expect(charge.value.transaction).toMatchObject({ amount: '-3', automationId: 'agent-loop' });
    // The HTTP server sees the charge the stdio process made: one database, one ledger.
    expect(await balanceOf(u)).toBe('7');
    const history = await t.ok(TransactionsDocument, { first: 1 }, u.token);
    expect(history.transactions.edges[0].node.id).toBe(charge.value.transaction.id);
    expect(codeOf(await call(client, 'capture_hold', { holdId: 'not-a-hold' }))).toBe('NOT_FOUND');

    const keys = (await t.ok(`query { apiKeys { id prefix } }`, {}, u.token)) as { apiKeys: { id: string; prefix: string }[] };
    await t.ok(RevokeApiKeyDocument, { id: keys.apiKeys.find((k) => key.startsWith(k.prefix))!.id }, u.token);
    // Another process: it stops accepting the key once it learns of the revocation (within seconds).
    const deadline = Date.now() + 15_000;
    let answer = await call(client, 'get_balance');
    while (!answer.isError && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      answer = await call(client, 'get_balance');
    }
    expect(codeOf(answer)).toBe('UNAUTHENTICATED');
  });

  it('leaves queued work to the servers but releases expired holds: with no server running, a due email stays queued, a hold past its time returns its credits', async () => {
    const db = await createTestDatabase();
    try {
      const server = await startTestApp({ SIGNUP_BONUS: '10' }, { dbUrl: db.url });
      const owner = await server.signUp();
      const key = (await server.ok(CreateApiKeyDocument, { name: 'agent', scopes: ['USAGE_WRITE', 'WALLET_READ'] }, owner.token)).createApiKey.secret;
      await server.stop(); // the database stays; nothing works its queues now
      const emailId = randomUUID();
      await withSql(db.url, (c) =>
        c.query(`insert into email_outbox (id, account_id, to_address, subject, body, created_at, next_attempt_at) values ($1, $2, 'owner@test.dev', 'Low credits', 'body', now(), now())`, [emailId, owner.accountId]),
      );
      // A stdio process polling its (absent) outbox worker every 20 ms would have claimed it at once.
      const client = await stdioClient(key, db.url, { EMAIL_POLL_MS: '20', WEBHOOK_POLL_MS: '20', AUTO_TOP_UP_POLL_MS: '20', SWEEP_INTERVAL_MS: '50' });
      expect((await call(client, 'charge_usage', { feature: 'talking_head', quantity: 30, idempotencyKey: 'queued-1' })).value.wallet).toMatchObject({ balance: '7' });
      expect((await call(client, 'reserve_credits', { feature: 'talking_head', quantity: 10, idempotencyKey: 'hold-1', expiresInSeconds: 1 })).value).toMatchObject({ status: 'PENDING', amount: '1' });
      expect((await call(client, 'get_balance')).value).toMatchObject({ balance: '6', held: '1' });
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const email = await withSql(db.url, async (c) => (await c.query('select attempts, sent_at from email_outbox where id = $1', [emailId])).rows[0]);
      expect(email).toEqual({ attempts: 0, sent_at: null });
      // The expiry sweep does run here: the agent gets its held credits back with no server running.
      const deadline = Date.now() + 10_000;
      let wallet = (await call(client, 'get_balance')).value;
      while (wallet.held !== '0' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        wallet = (await call(client, 'get_balance')).value;
      }
      expect(wallet).toMatchObject({ balance: '7', held: '0' });
      await client.close();
    } finally {
      await db.drop();
    }
  });

  it('never owns the embedded PostgreSQL: without a server running it exits 2 with one sentence; beside one, it finds its port and leaving does not stop it', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'credits-shared-pg-'));
    fs.chmodSync(dataDir, 0o755); // as root, PostgreSQL runs as the postgres user, which must enter it
    const shared = { DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(await freePort()), NODE_ENV: 'development', SIGNUP_BONUS: '10' };
    const { spawnSync } = await import('node:child_process');
    const alone = spawnSync(process.execPath, [entry], { env: { PATH: process.env.PATH, LOG_LEVEL: 'silent', MCP_API_KEY: 'sfk_any', ...shared }, input: '', timeout: 60_000 });
    expect([alone.status, alone.stderr.toString().trim()]).toEqual([2, expect.stringMatching(/^No embedded PostgreSQL is running in .*: start the server first \(npm start\), or set DATABASE_URL\.$/)]);
    expect(fs.existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false); // it started none

    const { env, base } = await compiledServerEnv('', shared);
    delete env.DATABASE_URL; // the embedded database: the server starts and owns it
    const server = startCompiledServer(env);
    const exited = new Promise((resolve) => server.once('exit', resolve));
    try {
      await waitReady(base, 120_000);
      const signUp = await postGraphql(base, SignUpDocument, { input: { email: 'shared@test.dev', password: PASSWORD, timezone: 'UTC' } });
      const token = signUp.data!.signUp.accessToken;
      const key = (await postGraphql(base, CreateApiKeyDocument, { name: 'agent', scopes: ['USAGE_WRITE', 'WALLET_READ'] }, token)).data!.createApiKey.secret;
      const client = new Client({ name: 'credits-test-stdio', version: '1.0.0' });
      // The agent's configuration names no port, or another one: it finds the server's database by
      // DATA_DIR, at the port the running server's postmaster.pid records.
      const agentEnv = { PATH: process.env.PATH!, LOG_LEVEL: 'silent', MCP_API_KEY: key, ...shared, EMBEDDED_PG_PORT: String(await freePort()) };
      await client.connect(new StdioClientTransport({ command: process.execPath, args: [entry], env: agentEnv, stderr: 'pipe' }));
      expect((await call(client, 'charge_usage', { feature: 'talking_head', quantity: 30, idempotencyKey: 'beside-server' })).value.wallet).toMatchObject({ balance: '7' });
      await client.close(); // the agent is done: its process exits, the server's database stays
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      expect((await postGraphql(base, WalletOnlyDocument, {}, token)).data).toMatchObject({ me: { wallet: { balance: '7' } } });
    } finally {
      server.kill('SIGTERM');
      await exited;
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 180_000);

  it('refuses to start without a valid key, with a message on stderr and exit code 2', async () => {
    const { spawnSync } = await import('node:child_process');
    const run = (key: string | null) =>
      spawnSync(process.execPath, [entry], { env: { PATH: process.env.PATH, NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: t.dbUrl, DB_POOL_SIZE: '2', ...(key ? { MCP_API_KEY: key } : {}) }, input: '', timeout: 60_000 });
    const missing = run(null);
    expect([missing.status, missing.stderr.toString()]).toEqual([2, expect.stringMatching(/MCP_API_KEY is required/)]);
    const unknown = run('sfk_not-a-real-key');
    expect([unknown.status, unknown.stderr.toString()]).toEqual([2, expect.stringMatching(/not a valid API key/)]);
    expect(unknown.stdout.toString()).toBe('');
    // A database nobody listens on: one sentence, no stack trace.
    const closedPort = await freePort();
    const unreachable = spawnSync(process.execPath, [entry], {
      env: { PATH: process.env.PATH, NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: `postgresql://postgres:postgres@127.0.0.1:${closedPort}/credits`, MCP_API_KEY: 'sfk_any' },
      input: '',
      timeout: 60_000,
    });
    expect([unreachable.status, unreachable.stderr.toString().trim()]).toEqual([2, expect.stringMatching(/^The database is unreachable \(.*\): start the server first \(npm start\), or check DATABASE_URL\.$/)]);
  });
});
