import { startTestApp, type TestApp, type TestUser } from './helpers/app';
import { directInvariantCheck, micros } from './helpers/ledger';
import { sleep } from './helpers/subscriptions';
import { CreditSource } from '../src/modules/ledger/credit-bucket.entity';
import { MeDocument, ReleaseHoldDocument, ReserveCreditsDocument, TransactionsDocument, WalletOnlyDocument } from './generated/graphql';

/*
 * Expired credits and holds through the real stack (docs/invariants.md #8): credits that expire
 * while a hold needs them are kept for that hold only, never spent by a charge, and expire as
 * soon as the hold is settled. influgen: a caption is 1 credit, a video 8, a face 5.
 */

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ PRICE_BOOK: 'influgen', SIGNUP_BONUS: '100', SWEEP_INTERVAL_MS: '3600000' });
});
afterAll(() => t.stop());

const walletOf = async (u: TestUser) => (await t.ok(WalletOnlyDocument, {}, u.token)).me.wallet;
const expiries = async (u: TestUser) => (await t.ok(TransactionsDocument, { filter: { kinds: ['PLAN_EXPIRY'] } }, u.token)).transactions.edges.map((e) => e.node.amount);
const bucketsOf = async (u: TestUser) => (await t.ok(MeDocument, {}, u.token)).me.wallet.buckets.map((b) => ({ source: b.source, remaining: b.remaining }));

/** What a charge of 8 captions records, for operations submitted to the engine directly. */
const usage = { feature: 'caption', synfluencerId: null, platform: null, automationId: null, provider: null, quantity: 8, unit: 'caption', metadata: null };

/** An account with its 100-credit bonus and 8 plan credits that expire in 1.5 s, all 8 held by a video job. */
async function planCreditsHeld(): Promise<{ u: TestUser; holdId: string }> {
  const u = await t.signUp();
  await t.app.services.ledger.grant(u.accountId, { source: CreditSource.PLAN_ALLOCATION, amount: micros('8'), description: 'plan', expiresAt: new Date(Date.now() + 1500) });
  const hold = (await t.ok(ReserveCreditsDocument, { input: { feature: 'video', quantity: 1, idempotencyKey: `video-${u.accountId}` } }, u.token)).reserveCredits;
  return { u, holdId: hold.id };
}

afterEach(async () => {
  expect(await directInvariantCheck(t)).toEqual([]);
});

it('plan credits that expired while held are not spent by a charge, and expire when the hold is released', async () => {
  const { u, holdId } = await planCreditsHeld();
  await sleep(2000); // the plan credits are past their expiry
  expect(await walletOf(u)).toMatchObject({ balance: '100', held: '8' });
  await t.chargeOk(u, { feature: 'caption', quantity: 100, idempotencyKey: 'all-of-it' });
  await t.ok(ReleaseHoldDocument, { id: holdId }, u.token);
  expect(await walletOf(u)).toMatchObject({ balance: '0', held: '0' });
  expect(await expiries(u)).toEqual(['-8']);
});

it('a hold made after the plan credits expired does not keep them alive', async () => {
  const { u, holdId } = await planCreditsHeld();
  await sleep(2000);
  await t.ok(ReserveCreditsDocument, { input: { feature: 'face_generation', quantity: 10, idempotencyKey: 'faces' } }, u.token); // 50 of the bonus
  await t.ok(ReleaseHoldDocument, { id: holdId }, u.token);
  expect(await walletOf(u)).toMatchObject({ balance: '50', held: '50' });
  expect(await expiries(u)).toEqual(['-8']);
});

it('a hold released in the same batch as a charge does not lend the charge its expired credits', async () => {
  const u = await t.signUp();
  const ledger = t.app.services.ledger;
  await t.chargeOk(u, { feature: 'caption', quantity: 100, idempotencyKey: 'bonus-gone' });
  await ledger.grant(u.accountId, { source: CreditSource.PLAN_ALLOCATION, amount: micros('8'), description: 'plan', expiresAt: new Date(Date.now() + 1500) });
  const hold = (await t.ok(ReserveCreditsDocument, { input: { feature: 'video', quantity: 1, idempotencyKey: 'video' } }, u.token)).reserveCredits;
  await sleep(2000); // only the 8 held plan credits are left, and they are past their expiry
  const walletId = await ledger.walletIdOf(u.accountId);
  const [released, charged] = await ledger.engine.submitAll([
    { walletId, operation: { type: 'release', holdId: hold.id, expired: false } },
    { walletId, operation: { type: 'charge', amount: micros('8'), idempotencyKey: 'after-release', requestHash: 'h', usage, description: 'charge' } },
  ]);
  expect(released.ok).toBe(true);
  expect(charged.ok).toBe(false);
  expect(await walletOf(u)).toMatchObject({ balance: '0', held: '0' });
  expect(await expiries(u)).toEqual(['-8']);
});

it('a plan allocation replacing one a hold uses rolls nothing over once the hold is released', async () => {
  const u = await t.signUp();
  const ledger = t.app.services.ledger;
  await t.chargeOk(u, { feature: 'caption', quantity: 100, idempotencyKey: 'bonus-spent' });
  const periodEnd = new Date(Date.now() + 86_400_000);
  await ledger.allocatePlanCredits(u.accountId, { credits: micros('50'), description: 'plan 1', expiresAt: periodEnd, idempotencyKey: 'internal:plan-1', metadata: {} });
  const hold = (await t.ok(ReserveCreditsDocument, { input: { feature: 'face_generation', quantity: 10, idempotencyKey: 'render' } }, u.token)).reserveCredits;
  // An upgrade mid-period: the new allocation runs to the same period end.
  await ledger.allocatePlanCredits(u.accountId, { credits: micros('200'), description: 'plan 2', expiresAt: periodEnd, idempotencyKey: 'internal:plan-2', metadata: {} });
  expect(await walletOf(u)).toMatchObject({ balance: '200', held: '50' });
  await t.ok(ReleaseHoldDocument, { id: hold.id }, u.token);
  await ledger.sweep();
  expect(await walletOf(u)).toMatchObject({ balance: '200', held: '0' });
  expect((await bucketsOf(u)).filter((b) => b.remaining !== '0')).toEqual([{ source: 'PLAN_ALLOCATION', remaining: '200' }]);
});

it('a charge and a renewal in one batch: the charge drew the old allocation while it was live, and ledger:verify agrees', async () => {
  const u = await t.signUp();
  const ledger = t.app.services.ledger;
  await t.chargeOk(u, { feature: 'caption', quantity: 100, idempotencyKey: 'bonus-used' });
  const periodEnd = new Date(Date.now() + 86_400_000);
  await ledger.allocatePlanCredits(u.accountId, { credits: micros('50'), description: 'plan 1', expiresAt: periodEnd, idempotencyKey: 'internal:first', metadata: {} });
  const walletId = await ledger.walletIdOf(u.accountId);
  const [charged, renewed] = await ledger.engine.submitAll([
    { walletId, operation: { type: 'charge', amount: micros('8'), idempotencyKey: 'just-before', requestHash: 'h', usage, description: 'charge' } },
    {
      walletId,
      operation: { type: 'grant', source: CreditSource.PLAN_ALLOCATION, amount: micros('200'), expiresAt: periodEnd, replaceSource: CreditSource.PLAN_ALLOCATION, idempotencyKey: 'internal:second', requestHash: null, description: 'plan 2' },
    },
  ]);
  expect(charged.ok && renewed.ok).toBe(true);
  expect(await walletOf(u)).toMatchObject({ balance: '200', held: '0' });
  expect((await ledger.verifyAll(u.accountId)).violations).toEqual([]);
});

it('the expiry sweep passes over a wallet whose expired credits are all held, for one that has credits to expire', async () => {
  const ledger = t.app.services.ledger;
  // Eight wallets whose 8 plan credits are all held by a video job, and one with 5 plan credits to expire.
  const held = await Promise.all(Array.from({ length: 8 }, () => planCreditsHeld()));
  const idle = await t.signUp();
  await ledger.grant(idle.accountId, { source: CreditSource.PLAN_ALLOCATION, amount: micros('5'), description: 'plan', expiresAt: new Date(Date.now() + 1500) });
  await sleep(2000); // all nine have a due bucket
  expect((await ledger.sweep(1)).wallets).toBe(1); // room for one wallet: it must be the idle one
  expect(await expiries(idle)).toEqual(['-5']);
  for (const { u } of held) expect(await walletOf(u)).toMatchObject({ balance: '100', held: '8' });
});
