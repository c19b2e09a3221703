import { startTestApp, errorCode, type TestApp, type TestUser } from './helpers/app';
import { withSql } from './helpers/db';
import { directInvariantCheck } from './helpers/ledger';
import { ChargeUsageBatchDocument, CreateApiKeyDocument, CreateSynfluencerDocument, GrantCreditsDocument, WalletOnlyDocument, type ChargeUsageInput } from './generated/graphql';

/** influgen prices are whole credits (caption = 1 per operation), so balances read easily. */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ PRICE_BOOK: 'influgen', SIGNUP_BONUS: '100' });
});
afterAll(() => t.stop());

const caption = (key: string, quantity = 1, extra: Partial<ChargeUsageInput> = {}): ChargeUsageInput => ({ feature: 'caption', quantity, idempotencyKey: key, ...extra });
const batch = (inputs: ChargeUsageInput[], token: string) => t.gql(ChargeUsageBatchDocument, { inputs }, token);
const okBatch = async (inputs: ChargeUsageInput[], token: string) => (await t.ok(ChargeUsageBatchDocument, { inputs }, token)).chargeUsageBatch;
const walletOf = async (u: TestUser) => (await t.ok(WalletOnlyDocument, {}, u.token)).me.wallet;
const usageRows = (u: TestUser) =>
  withSql(t.dbUrl, async (c) => (await c.query(`select count(*)::int as n from ledger_transaction where account_id = $1 and kind = 'USAGE'`, [u.accountId])).rows[0].n as number);
/** What each result is: the charged amount, or the error code. */
const outcomes = (results: { charge?: { transaction: { amount: string } } | null; error?: { code: string } | null }[]) =>
  results.map((r) => r.charge?.transaction.amount ?? r.error!.code);

describe('chargeUsageBatch', () => {
  it('answers in input order; one wallet applies its items in input order, in one database transaction', async () => {
    const u = await t.signUp();
    const inputs = [5, 1, 7, 2, 3, 9, 4, 6, 8, 10].map((quantity, i) => caption(`order-${i}`, quantity));
    const results = await okBatch(inputs, u.token);
    expect(outcomes(results)).toEqual(['-5', '-1', '-7', '-2', '-3', '-9', '-4', '-6', '-8', '-10']);
    expect(results.map((r) => r.charge!.transaction.idempotencyKey)).toEqual(inputs.map((i) => i.idempotencyKey));
    // Each item saw the balance the items before it left, with the next version.
    expect(results.map((r) => r.charge!.transaction.balanceAfter)).toEqual(['95', '94', '87', '85', '82', '73', '69', '63', '55', '45']);
    expect(results.map((r) => r.charge!.transaction.walletVersion)).toEqual(['2', '3', '4', '5', '6', '7', '8', '9', '10', '11']);
    expect(results.map((r) => r.charge!.wallet.balance)).toEqual(['95', '94', '87', '85', '82', '73', '69', '63', '55', '45']);
    // Rows written by one database transaction share its xmin.
    const xmins = await withSql(t.dbUrl, (c) => c.query(`select distinct xmin::text from ledger_transaction where account_id = $1 and kind = 'USAGE'`, [u.accountId]));
    expect(xmins.rows).toHaveLength(1);
  });

  it('partial success is normal: an item that cannot be paid for, or is invalid, fails alone and changes nothing', async () => {
    const u = await t.signUp();
    const syn = (await t.ok(CreateSynfluencerDocument, { input: { name: 'Nova', handle: 'nova', platforms: ['tiktok'] } }, u.token)).createSynfluencer;
    const stranger = await t.signUp();
    const strangers = (await t.ok(CreateSynfluencerDocument, { input: { name: 'Other', handle: 'other', platforms: [] } }, stranger.token)).createSynfluencer;
    const r = await batch(
      [
        caption('p-0', 60, { synfluencerId: syn.id, platform: 'tiktok' }),
        caption('p-1', 50), // 40 left: INSUFFICIENT_CREDITS
        { feature: 'no_such_feature', idempotencyKey: 'p-2' },
        caption('p-3', 1, { synfluencerId: strangers.id }),
        caption('stripe:p-4'),
        caption('p-5', 1, { accountId: stranger.accountId }), // only admins name an account
        { feature: 'face_generation', quantity: 1.5, idempotencyKey: 'p-6' },
        caption('p-7', 40),
        caption('p-8', 1),
      ],
      u.token,
    );
    expect(r.status).toBe(200);
    expect(r.errors).toBeUndefined();
    const results = r.data!.chargeUsageBatch;
    expect(outcomes(results)).toEqual(['-60', 'INSUFFICIENT_CREDITS', 'BAD_USER_INPUT', 'NOT_FOUND', 'BAD_USER_INPUT', 'FORBIDDEN', 'BAD_USER_INPUT', '-40', 'INSUFFICIENT_CREDITS']);
    expect(results.every((item) => (item.charge === null) !== (item.error === null))).toBe(true);
    expect(results[1].error!.message).toMatch(/Insufficient credits: 50 needed, 40 available/);
    expect(results[0].charge!.transaction).toMatchObject({ synfluencer: { id: syn.id }, platform: 'tiktok' });
    expect(await walletOf(u)).toMatchObject({ balance: '0', status: 'PAUSED', version: '3' });
    expect((await walletOf(stranger)).version).toBe('1');
    expect(await usageRows(u)).toBe(2);
    expect(await directInvariantCheck(t)).toEqual([]);
  });

  it('duplicates inside a batch: the same key and input replays the first item, other input conflicts', async () => {
    const u = await t.signUp();
    const results = await okBatch([caption('dup', 3), caption('dup', 3), caption('dup', 4), caption('other', 1), caption('dup', 3)], u.token);
    expect(outcomes(results)).toEqual(['-3', '-3', 'IDEMPOTENCY_CONFLICT', '-1', '-3']);
    const ids = [0, 1, 4].map((i) => results[i].charge!.transaction.id);
    expect(new Set(ids).size).toBe(1);
    expect(await walletOf(u)).toMatchObject({ balance: '96', version: '3' });
    expect(await usageRows(u)).toBe(2);
  });

  it('replaying a whole batch returns the original charges and charges nothing again', async () => {
    const u = await t.signUp();
    const inputs = [caption('r-0', 30), caption('r-1', 80), caption('r-2', 20), caption('r-3', 10)];
    const first = await okBatch(inputs, u.token);
    expect(outcomes(first)).toEqual(['-30', 'INSUFFICIENT_CREDITS', '-20', '-10']);
    const again = await okBatch(inputs, u.token);
    expect(outcomes(again)).toEqual(outcomes(first));
    expect(again.map((r) => r.charge?.transaction.id)).toEqual(first.map((r) => r.charge?.transaction.id));
    expect(again.map((r) => r.charge?.transaction.walletVersion)).toEqual(first.map((r) => r.charge?.transaction.walletVersion));
    expect(await walletOf(u)).toMatchObject({ balance: '40', version: '4' });
    expect(await usageRows(u)).toBe(3);
  });

  it('shares idempotency keys with chargeUsage, both ways: the same input replays the same charge, other input conflicts', async () => {
    const u = await t.signUp();
    const single = (await t.chargeOk(u, caption('shared-0', 3))).chargeUsage;
    const results = await okBatch([caption('shared-0', 3), caption('shared-0', 4), caption('shared-1', 2)], u.token);
    expect(outcomes(results)).toEqual(['-3', 'IDEMPOTENCY_CONFLICT', '-2']);
    expect(results[0].charge!.transaction.id).toBe(single.transaction.id);
    expect(results[0].charge!.transaction.walletVersion).toBe(single.transaction.walletVersion);
    // The key a batch item recorded replays through chargeUsage too, and conflicts there on other input.
    const replayed = (await t.chargeOk(u, caption('shared-1', 2))).chargeUsage;
    expect(replayed.transaction.id).toBe(results[2].charge!.transaction.id);
    expect(errorCode(await t.charge(u, caption('shared-1', 5)))).toBe('IDEMPOTENCY_CONFLICT');
    expect(await walletOf(u)).toMatchObject({ balance: '95', version: '3' });
    expect(await usageRows(u)).toBe(2);
  });

  it('items of several wallets interleaved in one admin batch: each wallet applies its own items in input order', async () => {
    const admin = await t.admin();
    const [a, b] = [await t.signUp(), await t.signUp()];
    const plan = [
      [a, 5],
      [b, 1],
      [a, 2],
      [b, 7],
      [b, 3],
      [a, 9],
    ] as const;
    const results = await okBatch(
      plan.map(([owner, quantity], i) => caption(`mix-${i}`, quantity, { accountId: owner.accountId })),
      admin.token,
    );
    expect(outcomes(results)).toEqual(['-5', '-1', '-2', '-7', '-3', '-9']);
    // Per wallet, balances and versions follow that wallet's items in input order.
    expect([0, 2, 5].map((i) => results[i].charge!.transaction.balanceAfter)).toEqual(['95', '93', '84']);
    expect([0, 2, 5].map((i) => results[i].charge!.transaction.walletVersion)).toEqual(['2', '3', '4']);
    expect([1, 3, 4].map((i) => results[i].charge!.transaction.balanceAfter)).toEqual(['99', '92', '89']);
    expect([1, 3, 4].map((i) => results[i].charge!.transaction.walletVersion)).toEqual(['2', '3', '4']);
    expect(await walletOf(a)).toMatchObject({ balance: '84', version: '4' });
    expect(await walletOf(b)).toMatchObject({ balance: '89', version: '4' });
  });

  it('takes up to 1,000 items; 1,001 is BAD_USER_INPUT for the whole call and writes nothing', async () => {
    const admin = await t.admin();
    const u = await t.signUp();
    await t.ok(GrantCreditsDocument, { accountId: u.accountId, amount: '900', reason: 'batch test', idempotencyKey: 'grant-900' }, admin.token);
    const tooMany = await batch(Array.from({ length: 1001 }, (_, i) => caption(`cap-${i}`)), u.token);
    expect(errorCode(tooMany)).toBe('BAD_USER_INPUT');
    expect(tooMany.status).toBe(200);
    expect(tooMany.data).toBeNull();
    expect(await usageRows(u)).toBe(0);
    const results = await okBatch(Array.from({ length: 1000 }, (_, i) => caption(`cap-${i}`)), u.token);
    expect(results.every((r) => r.charge)).toBe(true);
    // More than LEDGER_MAX_BATCH items: several database transactions, still in input order.
    expect(results.map((r) => r.charge!.transaction.balanceAfter)).toEqual(Array.from({ length: 1000 }, (_, i) => String(999 - i)));
    expect(await walletOf(u)).toMatchObject({ balance: '0', version: '1002' });
  });

  it('two concurrent batches on one wallet: exactly the credits there are get charged, each batch in its own order', async () => {
    const u = await t.signUp();
    const [a, b] = await Promise.all(['a', 'b'].map((name) => okBatch(Array.from({ length: 60 }, (_, i) => caption(`${name}-${i}`)), u.token)));
    const charged = [...a, ...b].filter((r) => r.charge);
    expect(charged).toHaveLength(100);
    expect([...a, ...b].filter((r) => r.error?.code === 'INSUFFICIENT_CREDITS')).toHaveLength(20);
    // Every item costs the same and the balance only falls, so each batch's successes are a prefix of it.
    for (const results of [a, b]) {
      const firstFailure = results.findIndex((r) => r.error);
      expect(results.slice(firstFailure === -1 ? results.length : firstFailure).every((r) => r.error)).toBe(true);
      const versions = results.filter((r) => r.charge).map((r) => Number(r.charge!.transaction.walletVersion));
      expect(versions).toEqual([...versions].sort((x, y) => x - y));
    }
    expect(new Set(charged.map((r) => r.charge!.transaction.walletVersion)).size).toBe(100);
    expect(await walletOf(u)).toMatchObject({ balance: '0', version: '101' });
    expect(await directInvariantCheck(t)).toEqual([]);
  });

  it('an API key with USAGE_WRITE charges its own account; admins name an account per item', async () => {
    const u = await t.signUp();
    const writer = (await t.ok(CreateApiKeyDocument, { name: 'pipeline', scopes: ['USAGE_WRITE'] }, u.token)).createApiKey.secret;
    const reader = (await t.ok(CreateApiKeyDocument, { name: 'dashboard', scopes: ['WALLET_READ'] }, u.token)).createApiKey.secret;
    expect(outcomes(await okBatch([caption('k-0', 2), caption('k-1', 3)], writer))).toEqual(['-2', '-3']);
    expect(errorCode(await batch([caption('k-2')], reader))).toBe('FORBIDDEN');
    expect(errorCode(await batch([caption('k-3')], ''))).toBe('UNAUTHENTICATED');
    const admin = await t.admin();
    const other = await t.signUp();
    const unknownAccount = { accountId: '00000000-0000-4000-8000-000000000000' };
    const results = await okBatch([caption('adm-0', 4, { accountId: u.accountId }), caption('adm-0', 6, { accountId: other.accountId }), caption('adm-1', 1, { accountId: 'not-an-id' }), caption('adm-2', 1, unknownAccount)], admin.token);
    expect(outcomes(results)).toEqual(['-4', '-6', 'NOT_FOUND', 'NOT_FOUND']);
    expect(results[3].error?.message).toBe('Account not found'); // the admin named an account, not a wallet
    expect((await walletOf(u)).balance).toBe('91');
    expect((await walletOf(other)).balance).toBe('94');
  });
});
