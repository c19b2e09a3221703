import { randomUUID } from 'node:crypto';
import { startTwoInstances, stopApps, errorCode, type TestApp, type TestUser } from './helpers/app';
import { withSql } from './helpers/db';
import { Recorder, pool, sharedJwtEnv, sleep } from './helpers/subscriptions';
import { TestSmtp } from './helpers/smtp';
import { monthKey } from '../src/shared/time';
import { MessageKind } from '../src/modules/alerts/message.entity';
import {
  GrantCreditsDocument,
  LowCreditAlertDocument,
  MeDocument,
  MarkAllMessagesReadDocument,
  MarkMessagesReadDocument,
  MessagesDocument,
  UnreadMessageCountDocument,
  UpdateSettingsDocument,
  type LowCreditAlertSubscription,
} from './generated/graphql';
import { until } from './helpers/until';

// Two instances on one database, both running the email outbox worker against one local
// SMTP server: every alert email must arrive exactly once.
const smtp = new TestSmtp();
let a: TestApp;
let b: TestApp;
const clients: { dispose(): unknown }[] = [];

beforeAll(async () => {
  await smtp.start();
  const env = {
    PRICE_BOOK: 'influgen', // caption = 1 credit
    SIGNUP_BONUS: '100',
    SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
    EMAIL_POLL_MS: '100',
    EMAIL_RETRY_BASE_MS: '100',
    EMAIL_RETRY_MAX_MS: '400',
    ...sharedJwtEnv(),
  };
  [a, b] = await startTwoInstances(env);
});
afterAll(async () => {
  for (const c of clients) await c.dispose();
  await stopApps(a, b);
  await smtp.stop();
});

async function messagesOf(u: TestUser) {
  const data = await a.ok(MessagesDocument, { first: 100 }, u.token);
  return data.messages.edges.map((e) => e.node);
}
const lowCredits = async (u: TestUser) =>
  (await messagesOf(u)).filter((m) => m.kind === 'LOW_CREDITS').map((m) => m.data as { threshold: number; balance: string; reference: string });
const mailsTo = (u: TestUser) => smtp.mails.filter((m) => m.to.includes(u.email));


describe('low-credit alerts', () => {
  it('fires 25 %, 10 % and 0 % exactly once each under 32 concurrent charges on two instances, and re-arms after a grant', async () => {
    const u = await a.signUp();
    const client = a.ws(u.token);
    clients.push(client);
    const alerts = Recorder.start(client, LowCreditAlertDocument);
    await sleep(300); // the subscription has no catch-up argument: let it register first

    // 110 one-credit charges for 100 credits, 32 at a time, half on each instance.
    const results = await pool(110, 32, (i) => (i % 2 ? a : b).charge(u));
    expect(results.filter((r) => !r.errors)).toHaveLength(100);
    expect(results.filter((r) => r.errors).map(errorCode)).toEqual(Array(10).fill('INSUFFICIENT_CREDITS'));

    const low = await lowCredits(u);
    expect(low.map((d) => d.threshold).sort((x, y) => x - y)).toEqual([0, 10, 25]);
    // One-credit steps: each alert fired at exactly its threshold, relative to the 100 after the last credit.
    for (const d of low) expect(d).toEqual({ threshold: d.threshold, balance: String(d.threshold), reference: '100' });
    const all = await messagesOf(u);
    expect(all.filter((m) => m.kind === 'CREDITS_DEPLETED')).toHaveLength(1);
    const w = await withSql(a.dbUrl, (db) => db.query('select low_credit_fired, low_credit_reference::text as r from wallet where account_id = $1', [u.accountId]));
    expect(w.rows[0]).toEqual({ low_credit_fired: 7, r: '100000000' });

    await alerts.waitFor((d) => d.lowCreditAlert.threshold === 0, 3000);
    const seen = (e: { data: LowCreditAlertSubscription }) => [e.data.lowCreditAlert.threshold, e.data.lowCreditAlert.balance, e.data.lowCreditAlert.reference];
    expect(alerts.events.map(seen)).toEqual([
      [25, '25', '100'],
      [10, '10', '100'],
      [0, '0', '100'],
    ]);

    // One email per threshold, although two outbox workers compete for them.
    await until(() => mailsTo(u), (m) => m.length >= 3, 5000);
    await sleep(500);
    expect(mailsTo(u).map((m) => m.subject).sort()).toEqual(['Credits running low: 10 % left', 'Credits running low: 25 % left', 'You are out of credits']);

    // A grant starts a new cycle with the new balance as the reference.
    const admin = await a.admin();
    await b.ok(GrantCreditsDocument, { accountId: u.accountId, amount: '40', reason: 'goodwill', idempotencyKey: randomUUID() }, admin.token);
    expect((await b.charge(u, { quantity: 30 })).errors).toBeUndefined(); // 10 left = 25 % of 40
    expect((await a.charge(u, { quantity: 6 })).errors).toBeUndefined(); // 4 left = 10 % of 40
    const again = await lowCredits(u);
    expect(again).toHaveLength(5);
    expect(again.filter((d) => d.reference === '40')).toEqual([
      { threshold: 10, balance: '4', reference: '40' },
      { threshold: 25, balance: '10', reference: '40' },
    ]);
    await alerts.waitFor((d) => d.lowCreditAlert.reference === '40' && d.lowCreditAlert.threshold === 10, 3000);
    expect(alerts.events.map(seen).slice(3)).toEqual([
      [25, '10', '40'],
      [10, '4', '40'],
    ]);
  });

  it('fires every threshold one charge crosses, in order, and nothing for a rolled-back charge', async () => {
    const u = await a.signUp();
    expect(errorCode(await b.charge(u, { quantity: 101 }))).toBe('INSUFFICIENT_CREDITS');
    expect(await messagesOf(u)).toHaveLength(0);
    expect((await b.charge(u, { quantity: 95 })).errors).toBeUndefined(); // 5 left: past 25 % and 10 %
    expect((await lowCredits(u)).map((d) => [d.threshold, d.balance])).toEqual([
      [10, '5'],
      [25, '5'],
    ]);
    expect((await a.charge(u, { quantity: 5 })).errors).toBeUndefined();
    const kinds = (await messagesOf(u)).map((m) => [m.kind, (m.data as { threshold?: number }).threshold ?? null]);
    expect(kinds).toEqual([
      ['CREDITS_DEPLETED', null],
      ['LOW_CREDITS', 0],
      ['LOW_CREDITS', 10],
      ['LOW_CREDITS', 25],
    ]);
  });

  it('sends no email when the account turned low-credit emails off (the message is still created)', async () => {
    const u = await a.signUp();
    await a.ok(UpdateSettingsDocument, { input: { lowCreditEmails: false } }, u.token);
    expect((await b.charge(u, { quantity: 80 })).errors).toBeUndefined();
    expect((await lowCredits(u)).map((d) => d.threshold)).toEqual([25]);
    await sleep(400);
    const rows = await withSql(a.dbUrl, (db) => db.query('select count(*)::int as n from email_outbox where account_id = $1', [u.accountId]));
    expect(rows.rows[0].n).toBe(0);
    expect(mailsTo(u)).toHaveLength(0);
  });
});

describe('burn alert and budget cap', () => {
  it('fires the burn alert once a month when month-to-date spend reaches the threshold', async () => {
    const u = await a.signUp();
    await a.ok(UpdateSettingsDocument, { input: { burnAlertThreshold: '5' } }, u.token);
    const results = await pool(8, 8, (i) => (i % 2 ? a : b).charge(u));
    expect(results.filter((r) => r.errors)).toHaveLength(0);
    let burns = (await messagesOf(u)).filter((m) => m.kind === 'BURN_ALERT');
    expect(burns).toHaveLength(1);
    expect(burns[0].data).toEqual({ month: monthKey(new Date(), 'UTC'), spentThisMonth: '5', threshold: '5' });

    // Make everything so far belong to last month: spend restarts at 0 and the alert is re-armed.
    await withSql(a.dbUrl, (db) => db.query(`update wallet set spent_month = '2000-01', burn_alert_month = '2000-01' where account_id = $1`, [u.accountId]));
    expect((await b.charge(u, { quantity: 4 })).errors).toBeUndefined();
    expect((await messagesOf(u)).filter((m) => m.kind === 'BURN_ALERT')).toHaveLength(1);
    expect((await a.charge(u, { quantity: 1 })).errors).toBeUndefined();
    burns = (await messagesOf(u)).filter((m) => m.kind === 'BURN_ALERT');
    expect(burns).toHaveLength(2);
    expect(burns[0].data).toMatchObject({ spentThisMonth: '5' });
  });

  it('creates BUDGET_CAP_REACHED once when the cap is reached', async () => {
    const u = await a.signUp();
    await a.ok(UpdateSettingsDocument, { input: { monthlyBudgetCap: '3' } }, u.token);
    const results = await pool(6, 6, (i) => (i % 2 ? a : b).charge(u));
    expect(results.filter((r) => !r.errors)).toHaveLength(3);
    expect(results.filter((r) => r.errors).map(errorCode)).toEqual(['BUDGET_CAP_EXCEEDED', 'BUDGET_CAP_EXCEEDED', 'BUDGET_CAP_EXCEEDED']);
    const caps = (await messagesOf(u)).filter((m) => m.kind === 'BUDGET_CAP_REACHED');
    expect(caps).toHaveLength(1);
    expect(caps[0].data).toMatchObject({ spentThisMonth: '3', cap: '3' });
  });

  it('a cap lowered below this month\'s spend raises BUDGET_CAP_REACHED once, from the settings change (concurrently on two instances, amid charges); the cap takes one version', async () => {
    const u = await a.signUp();
    await a.chargeOk(u, { quantity: 5 });
    const version = (await a.ok(MeDocument, {}, u.token)).me.wallet.version;
    // Both instances lower the cap to 3 while charges arrive: whichever order they commit in, the
    // wallet is capped once the first settings change commits, and the alert is raised once.
    const [first, second, ...charges] = await Promise.all([
      a.gql(UpdateSettingsDocument, { input: { monthlyBudgetCap: '3' } }, u.token),
      b.gql(UpdateSettingsDocument, { input: { monthlyBudgetCap: '3' } }, u.token),
      ...Array.from({ length: 4 }, (_, i) => (i % 2 ? a : b).charge(u)),
    ]);
    expect([first.errors, second.errors]).toEqual([undefined, undefined]);
    const charged = charges.filter((r) => !r.errors).length;
    expect(charges.filter((r) => r.errors).map(errorCode)).toEqual(Array(4 - charged).fill('BUDGET_CAP_EXCEEDED'));
    let caps = (await messagesOf(u)).filter((m) => m.kind === 'BUDGET_CAP_REACHED');
    expect(caps).toHaveLength(1);
    expect(caps[0].data).toEqual({ month: monthKey(new Date(), 'UTC'), spentThisMonth: String(5 + charged), held: '0', cap: '3' });
    const wallet = (await b.ok(MeDocument, {}, u.token)).me.wallet;
    // A version per charge, and one for the cap: whichever instance commits second finds the cap at 3 already, so its change moves nothing.
    expect(wallet).toMatchObject({ status: 'CAPPED', version: String(BigInt(version) + BigInt(charged) + 1n) });

    // Lowering it further, or another refused charge, raises nothing more this month.
    await b.ok(UpdateSettingsDocument, { input: { monthlyBudgetCap: '2' } }, u.token);
    expect(errorCode(await a.charge(u))).toBe('BUDGET_CAP_EXCEEDED');
    caps = (await messagesOf(u)).filter((m) => m.kind === 'BUDGET_CAP_REACHED');
    expect(caps).toHaveLength(1);
  });

  it('a burn threshold lowered to this month\'s spend raises BURN_ALERT once; a threshold above it raises nothing', async () => {
    const u = await a.signUp();
    await a.chargeOk(u, { quantity: 4 });
    await a.ok(UpdateSettingsDocument, { input: { burnAlertThreshold: '5' } }, u.token);
    expect((await messagesOf(u)).filter((m) => m.kind === 'BURN_ALERT')).toHaveLength(0);
    await b.ok(UpdateSettingsDocument, { input: { burnAlertThreshold: '4' } }, u.token);
    const burns = (await messagesOf(u)).filter((m) => m.kind === 'BURN_ALERT');
    expect(burns.map((m) => m.data)).toEqual([{ month: monthKey(new Date(), 'UTC'), spentThisMonth: '4', threshold: '4' }]);
    await a.ok(UpdateSettingsDocument, { input: { burnAlertThreshold: '3' } }, u.token);
    expect((await messagesOf(u)).filter((m) => m.kind === 'BURN_ALERT')).toHaveLength(1);
  });
});

describe('Messages page', () => {
  it('lists newest first with paging, counts unread, and marks only own messages read', async () => {
    const [u, other] = [await a.signUp(), await a.signUp()];
    const ids: string[] = [];
    for (const title of ['one', 'two', 'three']) ids.push((await b.app.services.messages.notify(u.accountId, MessageKind.PLAN_RENEWED, title, `body ${title}`)).id);
    const foreign = (await a.app.services.messages.notify(other.accountId, MessageKind.REFUND_COMPLETED, 'x', 'y')).id;

    const page1 = (await a.ok(MessagesDocument, { first: 2 }, u.token)).messages;
    expect(page1.edges.map((e) => e.node.title)).toEqual(['three', 'two']);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const page2 = (await a.ok(MessagesDocument, { first: 2, after: page1.pageInfo.endCursor }, u.token)).messages;
    expect(page2.edges.map((e) => e.node.title)).toEqual(['one']);
    expect(page2.pageInfo.hasNextPage).toBe(false);

    expect((await a.ok(UnreadMessageCountDocument, {}, u.token)).unreadMessageCount).toBe(3);
    expect((await a.ok(MarkMessagesReadDocument, { ids: [ids[0], ids[1], foreign, 'not-a-uuid'] }, u.token)).markMessagesRead).toBe(2);
    expect((await a.ok(MarkMessagesReadDocument, { ids: [ids[0]] }, u.token)).markMessagesRead).toBe(0);
    expect((await a.ok(UnreadMessageCountDocument, {}, u.token)).unreadMessageCount).toBe(1);
    const unread = (await a.ok(MessagesDocument, { unreadOnly: true }, u.token)).messages.edges.map((e) => e.node);
    expect(unread.map((m) => [m.title, m.read])).toEqual([['three', false]]);
    expect((await a.ok(UnreadMessageCountDocument, {}, other.token)).unreadMessageCount).toBe(1);
  });
  it('marks all read up to the newest message the reader saw: later ones, and other accounts\' messages, stay unread', async () => {
    const [u, other] = [await a.signUp(), await a.signUp()];
    const ids: string[] = [];
    for (const title of ['one', 'two', 'three', 'four']) ids.push((await a.app.services.messages.notify(u.accountId, MessageKind.PLAN_RENEWED, title, `body ${title}`)).id);
    const foreign = (await a.app.services.messages.notify(other.accountId, MessageKind.REFUND_COMPLETED, 'x', 'y')).id;
    await a.ok(MarkMessagesReadDocument, { ids: [ids[1]] }, u.token); // already read: not counted again

    // The reader's page showed up to "three"; "four" arrived after it.
    expect((await a.ok(MarkAllMessagesReadDocument, { upTo: ids[2] }, u.token)).markAllMessagesRead).toBe(2);
    const unread = (await a.ok(MessagesDocument, { unreadOnly: true }, u.token)).messages.edges.map((e) => e.node.title);
    expect(unread).toEqual(['four']);
    expect((await a.ok(UnreadMessageCountDocument, {}, other.token)).unreadMessageCount).toBe(1);

    for (const upTo of [foreign, 'not-a-uuid', randomUUID()]) expect(errorCode(await a.gql(MarkAllMessagesReadDocument, { upTo }, u.token))).toBe('NOT_FOUND');
    expect((await a.ok(UnreadMessageCountDocument, {}, u.token)).unreadMessageCount).toBe(1); // refused: nothing changed
    expect((await a.ok(UnreadMessageCountDocument, {}, other.token)).unreadMessageCount).toBe(1);

    expect((await a.ok(MarkAllMessagesReadDocument, {}, u.token)).markAllMessagesRead).toBe(1); // without upTo: all of them
    expect((await a.ok(MarkAllMessagesReadDocument, {}, u.token)).markAllMessagesRead).toBe(0); // safe to repeat
    expect((await a.ok(UnreadMessageCountDocument, {}, u.token)).unreadMessageCount).toBe(0);
    expect((await a.ok(UnreadMessageCountDocument, {}, other.token)).unreadMessageCount).toBe(1);
  });
});

describe('email outage', () => {
  it('delays the email while SMTP is down but never the charge; the email arrives when SMTP is back', async () => {
    const port = smtp.port;
    await smtp.stop();
    const u = await a.signUp();
    const t0 = Date.now();
    const r = await b.charge(u, { quantity: 76 }); // 24 left: below 25 %
    expect(r.errors).toBeUndefined();
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(r.data!.chargeUsage.wallet.balance).toBe('24');

    // The send was attempted and failed, and will be retried.
    const row = await until(
      () => withSql(a.dbUrl, async (db) => (await db.query('select attempts, sent_at, last_error from email_outbox where account_id = $1', [u.accountId])).rows[0]),
      (x) => x !== undefined && x.attempts >= 2,
      5000,
    );
    expect(row.sent_at).toBeNull();
    expect(row.last_error).toBeTruthy();
    expect(mailsTo(u)).toHaveLength(0);

    await smtp.start(port);
    const mails = await until(() => mailsTo(u), (m) => m.length === 1, 5000);
    expect(mails[0].subject).toBe('Credits running low: 25 % left');
    const sent = await withSql(a.dbUrl, (db) => db.query('select sent_at from email_outbox where account_id = $1', [u.accountId]));
    expect(sent.rows[0].sent_at).not.toBeNull();
  });
});
