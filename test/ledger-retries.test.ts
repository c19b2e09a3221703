import { startTestApp, errorCode, type TestApp, type TestUser } from './helpers/app';
import { withSql } from './helpers/db';
import { directInvariantCheck } from './helpers/ledger';
import {
  CaptureHoldDocument,
  ChargeUsageDocument,
  HoldDocument,
  QuoteDocument,
  ReleaseHoldDocument,
  ReserveCreditsDocument,
  WalletOnlyDocument,
} from './generated/graphql';

/** The synfluencer preset: talking_head costs 0.10 credits per second, content_generation is the provider's cost. */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ SIGNUP_BONUS: '10' });
});
afterAll(() => t.stop());

const walletOf = async (u: TestUser) => (await t.ok(WalletOnlyDocument, {}, u.token)).me.wallet;
const rowsOf = (u: TestUser, kind?: string) =>
  withSql(t.dbUrl, async (c) => (await c.query(`select count(*)::int as n from ledger_transaction where account_id = $1 and ($2::text is null or kind = $2)`, [u.accountId, kind ?? null])).rows[0].n as number);
const reserve = async (u: TestUser, key: string, seconds = 60) =>
  (await t.ok(ReserveCreditsDocument, { input: { feature: 'talking_head', quantity: seconds, idempotencyKey: key } }, u.token)).reserveCredits;

describe('usage that prices to 0 credits (docs/decisions.md, "Zero-priced usage")', () => {
  it('is BAD_USER_INPUT for quote, chargeUsage and reserveCredits, and writes nothing, even on a PAUSED wallet', async () => {
    const u = await t.signUp();
    // Drain the wallet: 100 s of talking head is 10 credits.
    await t.ok(ChargeUsageDocument, { input: { feature: 'talking_head', quantity: 100, idempotencyKey: 'drain' } }, u.token);
    const before = await walletOf(u);
    expect(before).toMatchObject({ balance: '0', status: 'PAUSED' });
    const tiny = { feature: 'talking_head', quantity: 1e-7 }; // 0.00000001 credits: rounds to 0
    const refusals = [
      await t.gql(QuoteDocument, { input: tiny }, u.token),
      await t.gql(ChargeUsageDocument, { input: { ...tiny, idempotencyKey: 'tiny' } }, u.token),
      await t.gql(ReserveCreditsDocument, { input: { ...tiny, idempotencyKey: 'tiny-hold' } }, u.token),
      await t.gql(ChargeUsageDocument, { input: { feature: 'content_generation', providerCost: '0', idempotencyKey: 'free' } }, u.token),
    ];
    expect(refusals.map(errorCode)).toEqual(['BAD_USER_INPUT', 'BAD_USER_INPUT', 'BAD_USER_INPUT', 'BAD_USER_INPUT']);
    expect(refusals.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(refusals[1].errors![0].message).toMatch(/prices to 0 credits/);
    expect(await walletOf(u)).toEqual(before);
    expect(await rowsOf(u)).toBe(2); // the sign-up bonus and the drain
    // The smallest chargeable usage is one micro-credit: 0.000005 s rounds half up to 0.000001.
    const funded = await t.signUp();
    const smallest = await t.ok(ChargeUsageDocument, { input: { feature: 'talking_head', quantity: 0.000005, idempotencyKey: 'smallest' } }, funded.token);
    expect(smallest.chargeUsage.transaction.amount).toBe('-0.000001');
  });

  it('a capture that prices to 0 is allowed: it returns the whole hold and records a CAPTURE of 0', async () => {
    const u = await t.signUp();
    const hold = await reserve(u, 'zero-cap', 30);
    expect((await walletOf(u)).held).toBe('3');
    const capture = (await t.ok(CaptureHoldDocument, { id: hold.id, quantity: 1e-7 }, u.token)).captureHold;
    expect(capture.transaction).toMatchObject({ kind: 'CAPTURE', amount: '0', holdId: hold.id });
    expect(capture.hold).toMatchObject({ status: 'CAPTURED', captured: '0' });
    expect(capture.wallet).toMatchObject({ balance: '10', held: '0', spentThisMonth: '0' });
    expect(await directInvariantCheck(t)).toEqual([]);
  });
});

describe('captureHold and releaseHold with an idempotency key (docs/invariants.md #4)', () => {
  it('a retried capture returns the original Charge instead of HOLD_NOT_PENDING; other input with the key conflicts', async () => {
    const u = await t.signUp();
    const hold = await reserve(u, 'job-1');
    const first = (await t.ok(CaptureHoldDocument, { id: hold.id, quantity: 42.5, idempotencyKey: 'capture-job-1' }, u.token)).captureHold;
    expect(first.transaction).toMatchObject({ kind: 'CAPTURE', amount: '-4.25', idempotencyKey: 'capture-job-1' });
    expect(first.wallet).toMatchObject({ balance: '5.75', held: '0' });
    const again = (await t.ok(CaptureHoldDocument, { id: hold.id, quantity: 42.5, idempotencyKey: 'capture-job-1' }, u.token)).captureHold;
    expect(again.transaction).toEqual(first.transaction);
    expect(again.hold).toMatchObject({ id: hold.id, status: 'CAPTURED', captured: '4.25' });
    expect(again.wallet).toMatchObject({ balance: '5.75', version: first.wallet.version });
    expect(errorCode(await t.gql(CaptureHoldDocument, { id: hold.id, quantity: 40, idempotencyKey: 'capture-job-1' }, u.token))).toBe('IDEMPOTENCY_CONFLICT');
    // Without a key a settled hold is still HOLD_NOT_PENDING.
    expect(errorCode(await t.gql(CaptureHoldDocument, { id: hold.id, quantity: 42.5 }, u.token))).toBe('HOLD_NOT_PENDING');
    expect(await rowsOf(u, 'CAPTURE')).toBe(1);
  });

  it('five concurrent retries of one capture: one debit, five identical answers', async () => {
    const u = await t.signUp();
    const hold = await reserve(u, 'job-2');
    const answers = await Promise.all(Array.from({ length: 5 }, () => t.gql(CaptureHoldDocument, { id: hold.id, quantity: 10, idempotencyKey: 'capture-job-2' }, u.token)));
    expect(answers.map((a) => a.errors)).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(new Set(answers.map((a) => a.data!.captureHold.transaction.id)).size).toBe(1);
    expect(answers[0].data!.captureHold.transaction.amount).toBe('-1');
    expect(await walletOf(u)).toMatchObject({ balance: '9', held: '0', spentThisMonth: '1' });
    expect(await rowsOf(u, 'CAPTURE')).toBe(1);
    expect(await directInvariantCheck(t)).toEqual([]);
  });

  it('a retried release returns the hold again; concurrent retries release once', async () => {
    const u = await t.signUp();
    const hold = await reserve(u, 'job-3');
    const answers = await Promise.all(Array.from({ length: 5 }, () => t.gql(ReleaseHoldDocument, { id: hold.id, idempotencyKey: 'release-job-3' }, u.token)));
    expect(answers.map((a) => a.data?.releaseHold)).toEqual(Array.from({ length: 5 }, () => ({ id: hold.id, status: 'RELEASED', amount: '6' })));
    expect(await rowsOf(u, 'RELEASE')).toBe(1);
    expect(await walletOf(u)).toMatchObject({ balance: '10', held: '0' });
    expect(errorCode(await t.gql(ReleaseHoldDocument, { id: hold.id }, u.token))).toBe('HOLD_NOT_PENDING');
    expect((await t.ok(HoldDocument, { id: hold.id }, u.token)).hold.status).toBe('RELEASED');
  });

  it('a key applies once per account across verbs; reserved prefixes and other accounts are refused', async () => {
    const u = await t.signUp();
    const [first, second] = [await reserve(u, 'job-4'), await reserve(u, 'job-5', 10)];
    await t.ok(ReleaseHoldDocument, { id: first.id, idempotencyKey: 'settle-4' }, u.token);
    // The release's key cannot capture another hold, nor be a charge's key.
    expect(errorCode(await t.gql(CaptureHoldDocument, { id: second.id, idempotencyKey: 'settle-4' }, u.token))).toBe('IDEMPOTENCY_CONFLICT');
    expect(errorCode(await t.gql(ChargeUsageDocument, { input: { feature: 'talking_head', quantity: 1, idempotencyKey: 'settle-4' } }, u.token))).toBe('IDEMPOTENCY_CONFLICT');
    expect(errorCode(await t.gql(ReleaseHoldDocument, { id: second.id, idempotencyKey: 'job-4' }, u.token))).toBe('IDEMPOTENCY_CONFLICT'); // the reserve's key
    expect(errorCode(await t.gql(ReleaseHoldDocument, { id: second.id, idempotencyKey: 'stripe:evt_1' }, u.token))).toBe('BAD_USER_INPUT');
    const other = await t.signUp();
    expect(errorCode(await t.gql(ReleaseHoldDocument, { id: second.id, idempotencyKey: 'mine' }, other.token))).toBe('NOT_FOUND');
    expect((await t.ok(HoldDocument, { id: second.id }, u.token)).hold.status).toBe('PENDING');
    expect(await directInvariantCheck(t)).toEqual([]);
  });
});
