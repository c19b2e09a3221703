import { MessageKind } from '../src/modules/alerts/message.entity';
import { errorCode, startTestApp, type TestApp, type TestUser } from './helpers/app';
import {
  MessagesPageDocument,
  TransactionsPageDocument,
  type MessagesPageQueryVariables,
  type TransactionsPageQueryVariables,
} from './generated/graphql';

/**
 * Relay Cursor Connections, both directions, on every connection of the schema
 * (transactions and messages): first/after pages towards older rows, last/before towards newer
 * ones, PageInfo { hasNextPage hasPreviousPage startCursor endCursor } as the spec defines it.
 */
let t: TestApp;
let user: TestUser;
beforeAll(async () => {
  t = await startTestApp({ PRICE_BOOK: 'synfluencer', SIGNUP_BONUS: '100' });
  user = await t.signUp();
  // Newest first, the history reads: c9, c8, ..., c1, the sign-up bonus.
  for (let i = 1; i <= 9; i++) {
    await t.chargeOk(user, { feature: 'talking_head', quantity: 1, idempotencyKey: `c${i}` });
  }
});
afterAll(() => t.stop());

type Page = { keys: string[]; cursors: string[]; info: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor?: string | null; endCursor?: string | null } };

async function transactions(vars: TransactionsPageQueryVariables): Promise<Page> {
  const { transactions: page } = await t.ok(TransactionsPageDocument, vars, user.token);
  return {
    keys: page.edges.map((e) => e.node.idempotencyKey ?? e.node.kind),
    cursors: page.edges.map((e) => e.cursor),
    info: page.pageInfo,
  };
}

const ALL = ['c9', 'c8', 'c7', 'c6', 'c5', 'c4', 'c3', 'c2', 'c1', 'SIGNUP_BONUS'];

describe('transactions connection', () => {
  it('pages forward with first/after: hasPreviousPage once past the head, hasNextPage until the tail', async () => {
    const p1 = await transactions({ first: 4 });
    expect(p1.keys).toEqual(['c9', 'c8', 'c7', 'c6']);
    expect(p1.info).toEqual({ hasNextPage: true, hasPreviousPage: false, startCursor: p1.cursors[0], endCursor: p1.cursors[3] });
    const p2 = await transactions({ first: 4, after: p1.info.endCursor });
    expect(p2.keys).toEqual(['c5', 'c4', 'c3', 'c2']);
    expect(p2.info).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    const p3 = await transactions({ first: 4, after: p2.info.endCursor });
    expect(p3.keys).toEqual(['c1', 'SIGNUP_BONUS']);
    expect(p3.info).toMatchObject({ hasNextPage: false, hasPreviousPage: true, endCursor: p3.cursors[1] });
  });

  it('pages backward with last/before from the tail to the head, seeing the same list', async () => {
    const p1 = await transactions({ last: 4 });
    expect(p1.keys).toEqual(['c3', 'c2', 'c1', 'SIGNUP_BONUS']); // the last four, still in list order
    expect(p1.info).toEqual({ hasNextPage: false, hasPreviousPage: true, startCursor: p1.cursors[0], endCursor: p1.cursors[3] });
    const p2 = await transactions({ last: 4, before: p1.info.startCursor });
    expect(p2.keys).toEqual(['c7', 'c6', 'c5', 'c4']);
    expect(p2.info).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    const p3 = await transactions({ last: 4, before: p2.info.startCursor });
    expect(p3.keys).toEqual(['c9', 'c8']);
    expect(p3.info).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    expect([...p3.keys, ...p2.keys, ...p1.keys]).toEqual(ALL);
  });

  it('takes a window between two cursors, and the cursors of both directions are the same', async () => {
    const all = await transactions({ first: 100 });
    expect(all.keys).toEqual(ALL);
    const cursorOf = (key: string) => all.cursors[all.keys.indexOf(key)];
    const window = await transactions({ after: cursorOf('c9'), before: cursorOf('c4'), first: 10 });
    expect(window.keys).toEqual(['c8', 'c7', 'c6', 'c5']);
    expect(window.cursors).toEqual(['c8', 'c7', 'c6', 'c5'].map(cursorOf));
    const fromEnd = await transactions({ after: cursorOf('c9'), before: cursorOf('c4'), last: 2 });
    expect(fromEnd.keys).toEqual(['c6', 'c5']);
    expect(fromEnd.info).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
  });

  it('keeps pages stable while new transactions arrive at the head; paging back reaches them', async () => {
    const p1 = await transactions({ first: 3 });
    await t.chargeOk(user, { feature: 'talking_head', quantity: 1, idempotencyKey: 'c10' });
    const p2 = await transactions({ first: 3, after: p1.info.endCursor });
    expect(p2.keys).toEqual(['c6', 'c5', 'c4']);
    const back = await transactions({ last: 3, before: p1.info.startCursor });
    expect(back.keys).toEqual(['c10']);
    expect(back.info).toMatchObject({ hasPreviousPage: false, hasNextPage: true });
  });

  it('pages backward within a filter', async () => {
    const usage = await transactions({ last: 2, filter: { kinds: ['USAGE'] } });
    expect(usage.keys).toEqual(['c2', 'c1']);
    const before = await transactions({ last: 2, before: usage.info.startCursor, filter: { kinds: ['USAGE'] } });
    expect(before.keys).toEqual(['c4', 'c3']);
  });

  it('refuses first with last, negative sizes and foreign cursors with BAD_USER_INPUT naming the argument', async () => {
    const bad = async (vars: TransactionsPageQueryVariables) => t.gql(TransactionsPageDocument, vars, user.token);
    const both = await bad({ first: 2, last: 2 });
    expect(errorCode(both)).toBe('BAD_USER_INPUT');
    expect(both.errors![0].message).toMatch(/first or last/);
    expect(errorCode(await bad({ last: -1 }))).toBe('BAD_USER_INPUT');
    const cursor = await bad({ last: 2, before: 'not-a-cursor' });
    expect(errorCode(cursor)).toBe('BAD_USER_INPUT');
    expect(cursor.errors![0].message).toMatch(/before/);
    expect(cursor.status).toBeLessThan(500);
  });
});

describe('messages connection', () => {
  let reader: TestUser;
  beforeAll(async () => {
    reader = await t.signUp();
    for (let i = 1; i <= 7; i++) await t.app.services.messages.notify(reader.accountId, MessageKind.PLAN_RENEWED, `m${i}`, 'body');
  });

  async function messages(vars: MessagesPageQueryVariables): Promise<Page> {
    const { messages: page } = await t.ok(MessagesPageDocument, vars, reader.token);
    return { keys: page.edges.map((e) => e.node.title), cursors: page.edges.map((e) => e.cursor), info: page.pageInfo };
  }

  it('pages forward and backward over the same list', async () => {
    const f1 = await messages({ first: 3 });
    expect(f1.keys).toEqual(['m7', 'm6', 'm5']);
    expect(f1.info).toEqual({ hasNextPage: true, hasPreviousPage: false, startCursor: f1.cursors[0], endCursor: f1.cursors[2] });
    const f2 = await messages({ first: 3, after: f1.info.endCursor });
    expect(f2.keys).toEqual(['m4', 'm3', 'm2']);
    const b1 = await messages({ last: 3 });
    expect(b1.keys).toEqual(['m3', 'm2', 'm1']);
    expect(b1.info).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    const b2 = await messages({ last: 3, before: b1.info.startCursor });
    expect(b2.keys).toEqual(['m6', 'm5', 'm4']);
    const b3 = await messages({ last: 3, before: b2.info.startCursor });
    expect(b3.keys).toEqual(['m7']);
    expect(b3.info).toMatchObject({ hasPreviousPage: false, hasNextPage: true });
  });

  it('pages backward among unread messages only', async () => {
    const page = await messages({ unreadOnly: true, last: 2 });
    expect(page.keys).toEqual(['m2', 'm1']);
    expect(page.info.hasPreviousPage).toBe(true);
  });

  it('refuses a malformed cursor with BAD_USER_INPUT', async () => {
    const r = await t.gql(MessagesPageDocument, { last: 2, before: '%%%' }, reader.token);
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
  });
});
