import { startTestApp, errorCode, stopApps, type TestApp, type TestUser } from './helpers/app';
import { sharedJwtEnv } from './helpers/subscriptions';
import { withSql } from './helpers/db';
import { directInvariantCheck, micros } from './helpers/ledger';
import { CreditSource } from '../src/modules/ledger/credit-bucket.entity';
import {
  CaptureHoldDocument,
  ChargeUsageBatchDocument,
  ChargeUsageDocument,
  GrantCreditsDocument,
  HoldDocument,
  LedgerCheckDocument,
  MeDocument,
  PriceBookDocument,
  QuoteDocument,
  ReleaseHoldDocument,
  ReserveCreditsDocument,
  TransactionsDocument,
  UpdateSettingsDocument,
  WalletOnlyDocument,
  CreateSynfluencerDocument,
  type ChargeUsageInput,
} from './generated/graphql';

/** influgen prices are whole credits (caption = 1), which makes balance arithmetic easy to read. */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ PRICE_BOOK: 'influgen', SIGNUP_BONUS: '100' });
});
afterAll(() => t.stop());

/**
 * One caption charged under `key`, unless `extra` says otherwise, for t.charge / t.chargeOk (or
 * `{ input: caption(...) }` for t.gql). Quantity is not sent unless `extra` gives one:
 * `quantity: undefined` overrides the helper's default of 1, so these requests leave it to the service.
 */
const caption = (key: string, extra: Partial<ChargeUsageInput> = {}): ChargeUsageInput => ({ feature: 'caption', idempotencyKey: key, quantity: undefined, ...extra });
const balanceOf = async (u: TestUser) => (await t.ok(WalletOnlyDocument, {}, u.token)).me.wallet;

describe('chargeUsage under concurrency', () => {
  it('1,000 concurrent 1-credit charges against 100 credits: exactly 100 succeed, the rest INSUFFICIENT_CREDITS, balance 0', async () => {
    const u = await t.signUp();
    const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => t.charge(u, caption(`burst-${i}`))));
    const ok = results.filter((r) => r.data?.chargeUsage);
    const insufficient = results.filter((r) => errorCode(r) === 'INSUFFICIENT_CREDITS');
    expect(ok).toHaveLength(100);
    expect(insufficient).toHaveLength(900);
    const w = await balanceOf(u);
    expect(w.balance).toBe('0');
    expect(w.status).toBe('PAUSED');
    expect(w.version).toBe('101');
    // Every success saw a distinct version and a distinct running balance.
    expect(new Set(ok.map((r) => r.data!.chargeUsage.transaction.walletVersion)).size).toBe(100);
    expect(new Set(ok.map((r) => r.data!.chargeUsage.transaction.balanceAfter)).size).toBe(100);
    const n = await withSql(t.dbUrl, (c) => c.query(`select count(*)::int as n from ledger_transaction where account_id = $1 and kind = 'USAGE'`, [u.accountId]));
    expect(n.rows[0].n).toBe(100);
    expect(await directInvariantCheck(t)).toEqual([]);
  });

  it('group commit spans wallets: concurrent charges on 40 wallets share database transactions, each checked alone', async () => {
    // One transaction at a time: whatever arrives meanwhile, on any wallet, must share the next one.
    const g = await startTestApp({ PRICE_BOOK: 'influgen', SIGNUP_BONUS: '100', LEDGER_MAX_CONCURRENT_BATCHES: '1' });
    try {
      await groupCommitAcrossWallets(g);
    } finally {
      await g.stop();
    }
  });

  async function groupCommitAcrossWallets(t: TestApp) {
    const balanceOf = async (u: TestUser) => (await t.ok(WalletOnlyDocument, {}, u.token)).me.wallet;
    const users = await Promise.all(Array.from({ length: 40 }, () => t.signUp()));
    // Each wallet gets 3 charges at once; the third of every 10th wallet asks too much and fails alone.
    const results = await Promise.all(
      users.flatMap((u, i) => [
        t.charge(u, caption(`gc-${i}-a`, { quantity: 30 })),
        t.charge(u, caption(`gc-${i}-b`, { quantity: 30 })),
        t.charge(u, caption(`gc-${i}-c`, { quantity: i % 10 === 0 ? 50 : 40 })),
      ]),
    );
    expect(results.filter((r) => errorCode(r) === 'INSUFFICIENT_CREDITS')).toHaveLength(4);
    expect(results.filter((r) => r.data)).toHaveLength(116);
    // Rows written by one transaction share its xmin: some transactions carried several wallets.
    const tx = await withSql(t.dbUrl, (c) =>
      c.query(`select xmin::text, count(distinct wallet_id)::int as wallets from ledger_transaction where idempotency_key like 'gc-%' group by 1 order by 2 desc`),
    );
    expect(tx.rows.reduce((n, r) => n + r.wallets, 0)).toBeGreaterThanOrEqual(40);
    expect(tx.rows[0].wallets).toBeGreaterThan(1);
    // Whichever order a wallet's charges were applied in, its balance is 100 minus what succeeded.
    for (const [i, u] of users.entries()) {
      const mine = results.slice(i * 3, i * 3 + 3).filter((r) => r.data).map((r) => -Number(r.data!.chargeUsage.transaction.amount));
      expect((await balanceOf(u)).balance).toBe(String(100 - mine.reduce((a, b) => a + b, 0)));
      if (i % 10 !== 0) expect(mine).toHaveLength(3);
    }
    expect(await directInvariantCheck(t)).toEqual([]);
  }

  it('a wallet locked elsewhere never holds up other wallets; its own charges wait and then apply', async () => {
    // One shared transaction slot, so a group stuck on a lock would hold up every other wallet.
    const t = await startTestApp({ PRICE_BOOK: 'influgen', SIGNUP_BONUS: '100', LEDGER_MAX_CONCURRENT_BATCHES: '1' });
    const balanceOf = async (u: TestUser) => (await t.ok(WalletOnlyDocument, {}, u.token)).me.wallet;
    try {
      await lockedWalletDoesNotBlock(t, balanceOf);
    } finally {
      await t.stop();
    }
  });

  async function lockedWalletDoesNotBlock(t: TestApp, balanceOf: (u: TestUser) => Promise<{ balance: string }>) {
    const [locked, free] = await Promise.all([t.signUp(), t.signUp()]);
    await withSql(t.dbUrl, async (c) => {
      await c.query('begin');
      await c.query('select 1 from wallet where account_id = $1 for update', [locked.accountId]);
      const waiting = t.charge(locked, caption('lk-1'));
      const started = Date.now();
      // Submitted together, so they may be grouped: the free wallet must still answer at once.
      const quick = await Promise.all(Array.from({ length: 5 }, (_, i) => t.charge(free, caption(`fr-${i}`))));
      expect(quick.every((r) => r.data)).toBe(true);
      expect(Date.now() - started).toBeLessThan(1000);
      await new Promise((r) => setTimeout(r, 300));
      await c.query('commit');
      expect((await waiting).data?.chargeUsage.wallet.balance).toBe('99');
    });
    expect((await balanceOf(free)).balance).toBe('95');
  }

  it('the same idempotency key sent 5 times at once: one debit, five identical answers', async () => {
    const u = await t.signUp();
    const results = await Promise.all(Array.from({ length: 5 }, () => t.chargeOk(u, caption('same-key', { quantity: 3 }))));
    const txIds = new Set(results.map((r) => r.chargeUsage.transaction.id));
    expect(txIds.size).toBe(1);
    for (const r of results) expect(r.chargeUsage).toEqual(results[0].chargeUsage);
    expect(results[0].chargeUsage.transaction.amount).toBe('-3');
    expect((await balanceOf(u)).balance).toBe('97');
    // A later retry still returns the original, and a different input with that key conflicts.
    const again = await t.chargeOk(u, caption('same-key', { quantity: 3 }));
    expect(again.chargeUsage.transaction.id).toBe(results[0].chargeUsage.transaction.id);
    expect(errorCode(await t.charge(u, caption('same-key', { quantity: 4 })))).toBe('IDEMPOTENCY_CONFLICT');
    expect((await balanceOf(u)).balance).toBe('97');
  });

  it('records metadata, platform, automation and synfluencer on the USAGE row', async () => {
    const u = await t.signUp();
    const syn = (await t.ok(CreateSynfluencerDocument, { input: { name: 'Ava', handle: 'ava' } }, u.token)).createSynfluencer;
    const r = await t.chargeOk(u, caption('meta-1', { metadata: { jobId: 'j-1', tokens: 812 }, platform: 'tiktok', automationId: 'daily-post', synfluencerId: syn.id }));
    expect(r.chargeUsage.transaction).toMatchObject({ kind: 'USAGE', amount: '-1', feature: 'caption', platform: 'tiktok', automationId: 'daily-post', unit: 'caption', quantity: 1, synfluencer: { id: syn.id } });
    const row = await withSql(t.dbUrl, (c) => c.query(`select metadata from ledger_transaction where id = $1`, [r.chargeUsage.transaction.id]));
    expect(row.rows[0].metadata).toEqual({ jobId: 'j-1', tokens: 812 });
  });

  it('idempotency keys are per account: two accounts may use the same key', async () => {
    const a = await t.signUp();
    const b = await t.signUp();
    await t.chargeOk(a, caption('shared'));
    await t.chargeOk(b, caption('shared'));
    expect((await balanceOf(a)).balance).toBe('99');
    expect((await balanceOf(b)).balance).toBe('99');
  });

  it('a random concurrent mix of charges, holds, captures, releases and grants from 32 clients keeps every invariant', async () => {
    const admin = await t.admin();
    const users = await Promise.all([0, 1, 2].map(() => t.signUp()));
    await t.ok(UpdateSettingsDocument, { input: { monthlyBudgetCap: '150' } }, users[2].token);
    const acknowledged: { user: TestUser; key: string; txId: string }[] = [];
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const features = ['caption', 'sample_image', 'face_generation', 'video'];
    const client = async (c: number) => {
      for (let i = 0; i < 25; i++) {
        const user = users[rnd(users.length)];
        const key = `mix-${c}-${i}`;
        const action = rnd(10);
        if (action < 5) {
          const r = await t.charge(user, caption(key, { feature: features[rnd(4)] }));
          if (r.data) acknowledged.push({ user, key, txId: r.data.chargeUsage.transaction.id });
          else expect(['INSUFFICIENT_CREDITS', 'BUDGET_CAP_EXCEEDED']).toContain(errorCode(r));
        } else if (action < 8) {
          const r = await t.gql(ReserveCreditsDocument, { input: { feature: features[rnd(4)], idempotencyKey: key } }, user.token);
          if (!r.data) {
            expect(['INSUFFICIENT_CREDITS', 'BUDGET_CAP_EXCEEDED']).toContain(errorCode(r));
            continue;
          }
          const hold = r.data.reserveCredits;
          if (rnd(2) === 0) {
            const cap = await t.gql(CaptureHoldDocument, { id: hold.id, quantity: 1 + rnd(2) }, user.token);
            if (!cap.data) expect(['INSUFFICIENT_CREDITS', 'BUDGET_CAP_EXCEEDED']).toContain(errorCode(cap));
          } else {
            await t.ok(ReleaseHoldDocument, { id: hold.id }, user.token);
          }
        } else {
          await t.ok(GrantCreditsDocument, { accountId: user.accountId, amount: `${1 + rnd(5)}.5`, reason: 'mix', idempotencyKey: key }, admin.token);
        }
      }
    };
    await Promise.all(Array.from({ length: 32 }, (_, c) => client(c)));
    expect(await directInvariantCheck(t)).toEqual([]);
    const check = (await t.ok(LedgerCheckDocument, {}, admin.token)).ledgerCheck;
    expect(check.violations).toEqual([]);
    expect(check.ok).toBe(true);
    // Every acknowledged charge is in the ledger exactly once.
    const rows = await withSql(t.dbUrl, (c) =>
      c.query(`select id, idempotency_key from ledger_transaction where kind = 'USAGE' and idempotency_key like 'mix-%'`),
    );
    const byKey = new Map(rows.rows.map((r) => [r.idempotency_key, r.id]));
    expect(rows.rows.length).toBe(acknowledged.length);
    for (const a of acknowledged) expect(byKey.get(a.key)).toBe(a.txId);
  });
});

describe('errors change nothing', () => {
  it('rejects malformed Credits and bad usage input with BAD_USER_INPUT', async () => {
    const u = await t.signUp();
    const before = await balanceOf(u);
    const bad = [
      { feature: 'caption', quantity: -1 },
      { feature: 'caption', quantity: 1.5 },
      { feature: 'caption', quantity: 1e9 },
      { feature: 'no_such_feature' },
      { feature: 'caption', providerCost: '1' },
      { feature: 'caption', metadata: 'not an object' },
      { feature: 'caption', metadata: [1, 2] },
      { feature: 'caption', metadata: { text: 'lone \ud800 surrogate' } },
      { feature: 'caption', platform: 'x'.repeat(201) },
    ];
    for (const input of bad) {
      const r = await t.gql(ChargeUsageDocument, { input: { ...input, idempotencyKey: `bad-${JSON.stringify(input)}` } }, u.token);
      expect({ input, code: errorCode(r) }).toEqual({ input, code: 'BAD_USER_INPUT' });
    }
    for (const amount of ['1.0000001', '1e3', 'abc', '', '--1', '1.', '.5', '0x10']) {
      const r = await t.gql(UpdateSettingsDocument, { input: { monthlyBudgetCap: amount } }, u.token);
      expect({ amount, code: errorCode(r) }).toEqual({ amount, code: 'BAD_USER_INPUT' });
    }
    const numeric = await t.gql('mutation($v: Credits) { updateSettings(input: { monthlyBudgetCap: $v }) { id } }', { v: 5 } as never, u.token);
    expect(errorCode(numeric)).toBe('BAD_USER_INPUT');
    const literal = await t.gql('mutation { updateSettings(input: { monthlyBudgetCap: "1.1234567" }) { id } }', {}, u.token);
    expect(errorCode(literal)).toBe('BAD_USER_INPUT');
    expect(errorCode(await t.gql(ChargeUsageDocument, { input: caption('') }, u.token))).toBe('BAD_USER_INPUT');
    // Keys the service uses for its own movements are reserved; NUL bytes and huge amounts are bad input.
    expect(errorCode(await t.gql(ChargeUsageDocument, { input: caption('stripe:checkout:cs_123') }, u.token))).toBe('BAD_USER_INPUT');
    expect(errorCode(await t.gql(ReserveCreditsDocument, { input: { feature: 'caption', idempotencyKey: 'refund:abc' } }, u.token))).toBe('BAD_USER_INPUT');
    expect(errorCode(await t.gql(ChargeUsageDocument, { input: caption('nul\u0000key') }, u.token))).toBe('BAD_USER_INPUT');
    expect(errorCode(await t.gql(ChargeUsageDocument, { input: caption('nul-platform', { platform: 'tik\u0000tok' }) }, u.token))).toBe('BAD_USER_INPUT');
    expect(errorCode(await t.gql(ChargeUsageDocument, { input: caption('nul-meta', { metadata: { note: 'a\u0000b' } }) }, u.token))).toBe('BAD_USER_INPUT');
    expect(errorCode(await t.gql(UpdateSettingsDocument, { input: { monthlyBudgetCap: '999999999999999' } }, u.token))).toBe('BAD_USER_INPUT');
    expect(errorCode(await t.gql(ReserveCreditsDocument, { input: { feature: 'caption', idempotencyKey: 'exp', expiresInSeconds: 86401 } }, u.token))).toBe('BAD_USER_INPUT');
    const after = await balanceOf(u);
    expect(after).toEqual(before);
  });

  it('an unauthenticated charge is UNAUTHENTICATED and a non-admin naming another account is FORBIDDEN', async () => {
    const a = await t.signUp();
    const b = await t.signUp();
    expect(errorCode(await t.gql(ChargeUsageDocument, { input: caption('anon') }))).toBe('UNAUTHENTICATED');
    expect(errorCode(await t.charge(a, caption('x', { accountId: b.accountId })))).toBe('FORBIDDEN');
    expect((await balanceOf(b)).balance).toBe('100');
  });

  it('ledger rows can never be updated or deleted (invariant 3)', async () => {
    const u = await t.signUp();
    await withSql(t.dbUrl, async (c) => {
      await expect(c.query(`update ledger_transaction set amount = 0 where account_id = $1`, [u.accountId])).rejects.toThrow(/immutable/);
      await expect(c.query(`delete from ledger_transaction where account_id = $1`, [u.accountId])).rejects.toThrow(/immutable/);
    });
  });
});

describe('admin charges and grants', () => {
  it('an admin may charge a named account; grants are idempotent and need admin', async () => {
    const admin = await t.admin();
    const u = await t.signUp();
    const first = await t.chargeOk(admin, caption('admin-charge', { accountId: u.accountId }));
    expect((await balanceOf(u)).balance).toBe('99');
    // The same request whether the account is named or not: the account's own retry replays it.
    const retried = await t.chargeOk(u, caption('admin-charge'));
    const named = await t.chargeOk(u, caption('admin-charge', { accountId: u.accountId }));
    expect([retried.chargeUsage.transaction.id, named.chargeUsage.transaction.id]).toEqual([first.chargeUsage.transaction.id, first.chargeUsage.transaction.id]);
    expect((await balanceOf(u)).balance).toBe('99');
    const g1 = await t.ok(GrantCreditsDocument, { accountId: u.accountId, amount: '10.25', reason: 'goodwill', idempotencyKey: 'g-1' }, admin.token);
    const g2 = await t.ok(GrantCreditsDocument, { accountId: u.accountId, amount: '10.25', reason: 'goodwill', idempotencyKey: 'g-1' }, admin.token);
    expect(g2.grantCredits.id).toBe(g1.grantCredits.id);
    expect(g1.grantCredits.kind).toBe('ADMIN_GRANT');
    expect((await balanceOf(u)).balance).toBe('109.25');
    expect(errorCode(await t.gql(GrantCreditsDocument, { accountId: u.accountId, amount: '11', reason: 'goodwill', idempotencyKey: 'g-1' }, admin.token))).toBe('IDEMPOTENCY_CONFLICT');
    expect(errorCode(await t.gql(GrantCreditsDocument, { accountId: u.accountId, amount: '1', reason: 'me', idempotencyKey: 'g-2' }, u.token))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(GrantCreditsDocument, { accountId: u.accountId, amount: '-1', reason: 'neg', idempotencyKey: 'g-3' }, admin.token))).toBe('BAD_USER_INPUT');
    expect(errorCode(await t.gql(GrantCreditsDocument, { accountId: '00000000-0000-4000-8000-000000000000', amount: '1', reason: 'ghost', idempotencyKey: 'g-4' }, admin.token))).toBe('NOT_FOUND');
    expect((await balanceOf(u)).balance).toBe('109.25');
  });
});

describe('buckets', () => {
  it('draws from the bucket that expires first, plan allocation before promotional before purchased, oldest first', async () => {
    const u = await t.signUp(); // 100 SIGNUP_BONUS, never expires
    const ledger = t.app.services.ledger;
    const inAWeek = new Date(Date.now() + 7 * 86400_000);
    const purchase = await ledger.grant(u.accountId, { source: CreditSource.PURCHASE, amount: micros('10'), description: 'pack' });
    const plan = await ledger.grant(u.accountId, { source: CreditSource.PLAN_ALLOCATION, amount: micros('5'), description: 'plan', expiresAt: inAWeek });
    const promo = await ledger.grant(u.accountId, { source: CreditSource.ADMIN_GRANT, amount: micros('3'), description: 'promo', expiresAt: inAWeek });
    const bonusId = (await t.ok(MeDocument, {}, u.token)).me.wallet.buckets.find((b) => b.source === 'SIGNUP_BONUS')!.id;

    // 7 credits: the 5-credit plan allocation (same expiry as the promo, plan first), then 2 of the promo.
    const c1 = await t.chargeOk(u, caption('order-1', { quantity: 7 }));
    expect(c1.chargeUsage.transaction.draws).toEqual([
      { bucketId: plan.bucketId, amount: '5' },
      { bucketId: promo.bucketId, amount: '2' },
    ]);
    // 102 credits: last promo credit, then the never-expiring buckets: bonus (promotional) before purchase.
    const c2 = await t.chargeOk(u, caption('order-2', { quantity: 102 }));
    expect(c2.chargeUsage.transaction.draws).toEqual([
      { bucketId: promo.bucketId, amount: '1' },
      { bucketId: bonusId, amount: '100' },
      { bucketId: purchase.bucketId, amount: '1' },
    ]);
    const buckets = (await t.ok(MeDocument, {}, u.token)).me.wallet.buckets;
    expect(Object.fromEntries(buckets.map((b) => [b.source, b.remaining]))).toEqual({ SIGNUP_BONUS: '0', PURCHASE: '9', PLAN_ALLOCATION: '0', ADMIN_GRANT: '0' });
    expect(await directInvariantCheck(t)).toEqual([]);
  });

  it('sweeps expired buckets into PLAN_EXPIRY, never expiring credits that back a pending hold', async () => {
    const u = await t.signUp(); // 100 never-expiring
    const ledger = t.app.services.ledger;
    await ledger.grant(u.accountId, { source: CreditSource.PLAN_ALLOCATION, amount: micros('50'), description: 'plan', expiresAt: new Date(Date.now() + 1500) });
    // Hold 112 (14 videos). Holds consume the earliest-expiring credits first, so all 50 plan credits back them.
    const holds = await Promise.all(Array.from({ length: 14 }, (_, i) => t.ok(ReserveCreditsDocument, { input: { feature: 'video', quantity: 1, idempotencyKey: `hx-${i}` } }, u.token)));
    expect(await balanceOf(u)).toMatchObject({ balance: '38', held: '112' });
    await new Promise((r) => setTimeout(r, 2200));
    expect(await balanceOf(u)).toMatchObject({ balance: '38', held: '112' });
    const expiries = async () => (await t.ok(TransactionsDocument, { filter: { kinds: ['PLAN_EXPIRY'] } }, u.token)).transactions.edges.map((e) => e.node.amount);
    expect(await expiries()).toEqual([]);
    // Releasing 8 holds (64) leaves 48 held: 2 plan credits are no longer backing anything and expire.
    for (const h of holds.slice(0, 8)) await t.ok(ReleaseHoldDocument, { id: h.reserveCredits.id }, u.token);
    await new Promise((r) => setTimeout(r, 800));
    expect(await balanceOf(u)).toMatchObject({ balance: '100', held: '48' });
    expect(await expiries()).toEqual(['-2']);
    // Capturing the rest spends the expired-but-held plan credits first; nothing more expires.
    for (const h of holds.slice(8)) await t.ok(CaptureHoldDocument, { id: h.reserveCredits.id }, u.token);
    await new Promise((r) => setTimeout(r, 500));
    expect(await balanceOf(u)).toMatchObject({ balance: '100', held: '0' });
    expect(await expiries()).toEqual(['-2']);
    const buckets = (await t.ok(MeDocument, {}, u.token)).me.wallet.buckets;
    expect(Object.fromEntries(buckets.map((b) => [b.source, b.remaining]))).toEqual({ SIGNUP_BONUS: '100', PLAN_ALLOCATION: '0' });
    expect(await directInvariantCheck(t)).toEqual([]);
  });

  it('a plan renewal does not expire the old allocation while it backs a pending hold', async () => {
    const u = await t.signUp();
    const ledger = t.app.services.ledger;
    // Spend the sign-up bonus so only plan and purchased credits remain.
    await t.chargeOk(u, caption('drain', { quantity: 100 }));
    await ledger.grant(u.accountId, { source: CreditSource.PLAN_ALLOCATION, amount: micros('50'), description: 'plan 1', expiresAt: new Date(Date.now() + 86400_000) });
    await ledger.grant(u.accountId, { source: CreditSource.PURCHASE, amount: micros('100'), description: 'pack' });
    const h = (await t.ok(ReserveCreditsDocument, { input: { feature: 'face_generation', quantity: 10, idempotencyKey: 'render' } }, u.token)).reserveCredits;
    expect(h.amount).toBe('50');
    await ledger.allocatePlanCredits(u.accountId, {
      credits: micros('200'),
      description: 'plan 2',
      expiresAt: new Date(Date.now() + 2 * 86400_000),
      idempotencyKey: 'internal:plan-2',
      metadata: {},
    });
    expect(await balanceOf(u)).toMatchObject({ balance: '300', held: '50' });
    const cap = (await t.ok(CaptureHoldDocument, { id: h.id }, u.token)).captureHold;
    expect(cap.wallet).toMatchObject({ balance: '300', held: '0' });
    const buckets = (await t.ok(MeDocument, {}, u.token)).me.wallet.buckets;
    expect(buckets.filter((b) => b.source !== 'SIGNUP_BONUS').map((b) => [b.source, b.granted, b.remaining])).toEqual([
      ['PLAN_ALLOCATION', '50', '0'],
      ['PURCHASE', '100', '100'],
      ['PLAN_ALLOCATION', '200', '200'],
    ]);
    expect(await directInvariantCheck(t)).toEqual([]);
  });

  it('a bucket granted and drawn in the same batch is stored with what is left of it', async () => {
    const u = await t.signUp(); // 100
    const ledger = t.app.services.ledger;
    const walletId = await ledger.walletIdOf(u.accountId);
    const usage = { feature: 'caption', synfluencerId: null, platform: null, automationId: null, provider: null, quantity: 1, unit: 'caption', metadata: null };
    // Submitted in one tick, these three form one batch: the charge of 150 drains the bonus, then the new bucket.
    const [grant, charge] = await Promise.all([
      ledger.engine.submit(walletId, { type: 'grant', source: CreditSource.PURCHASE, amount: micros('100'), expiresAt: null, idempotencyKey: null, requestHash: null, description: 'pack' }),
      ledger.engine.submit(walletId, { type: 'charge', amount: micros('150'), idempotencyKey: 'same-batch', requestHash: 'h', usage, description: 'big' }),
      ledger.engine.submit(walletId, { type: 'charge', amount: micros('10'), idempotencyKey: 'same-batch-2', requestHash: 'h2', usage, description: 'small' }),
    ]);
    expect(charge.entries[0].draws).toEqual([
      { bucketId: expect.any(String), amount: micros('100').toString() },
      { bucketId: grant.bucketId, amount: micros('50').toString() },
    ]);
    const rows = await withSql(t.dbUrl, (c) => c.query(`select granted::text, remaining::text from credit_bucket where id = $1`, [grant.bucketId]));
    expect(rows.rows[0]).toEqual({ granted: micros('100').toString(), remaining: micros('40').toString() });
    expect(await balanceOf(u)).toMatchObject({ balance: '40' });
    expect(await directInvariantCheck(t)).toEqual([]);
  });
});

describe('holds', () => {
  it('reserve moves credits to held; capture less returns the rest; capture more draws the difference', async () => {
    const u = await t.signUp();
    const h = (await t.ok(ReserveCreditsDocument, { input: { feature: 'sample_image', quantity: 3, idempotencyKey: 'r1' } }, u.token)).reserveCredits;
    expect(h).toMatchObject({ status: 'PENDING', amount: '9' });
    expect(await balanceOf(u)).toMatchObject({ balance: '91', held: '9' });
    const replay = (await t.ok(ReserveCreditsDocument, { input: { feature: 'sample_image', quantity: 3, idempotencyKey: 'r1' } }, u.token)).reserveCredits;
    expect(replay.id).toBe(h.id);
    expect(await balanceOf(u)).toMatchObject({ balance: '91', held: '9' });

    const cap = (await t.ok(CaptureHoldDocument, { id: h.id, quantity: 2 }, u.token)).captureHold;
    expect(cap.transaction).toMatchObject({ kind: 'CAPTURE', amount: '-6', holdId: h.id, quantity: 2, unit: 'image' }); // the unit, as a charge records it
    expect(cap.wallet).toMatchObject({ balance: '94', held: '0', spentThisMonth: '6', lifetimeSpend: '6' });
    expect((await t.ok(HoldDocument, { id: h.id }, u.token)).hold).toMatchObject({ status: 'CAPTURED', captured: '6' });
    expect(errorCode(await t.gql(CaptureHoldDocument, { id: h.id }, u.token))).toBe('HOLD_NOT_PENDING');
    expect(errorCode(await t.gql(ReleaseHoldDocument, { id: h.id }, u.token))).toBe('HOLD_NOT_PENDING');

    const h2 = (await t.ok(ReserveCreditsDocument, { input: { feature: 'sample_image', quantity: 1, idempotencyKey: 'r2' } }, u.token)).reserveCredits;
    const more = (await t.ok(CaptureHoldDocument, { id: h2.id, quantity: 5 }, u.token)).captureHold;
    expect(more.transaction.amount).toBe('-15');
    expect(more.wallet).toMatchObject({ balance: '79', held: '0' });

    // More than held and more than the balance: INSUFFICIENT_CREDITS, the hold stays pending and nothing moves.
    const h3 = (await t.ok(ReserveCreditsDocument, { input: { feature: 'sample_image', quantity: 1, idempotencyKey: 'r3' } }, u.token)).reserveCredits;
    expect(errorCode(await t.gql(CaptureHoldDocument, { id: h3.id, quantity: 500 }, u.token))).toBe('INSUFFICIENT_CREDITS');
    expect((await t.ok(HoldDocument, { id: h3.id }, u.token)).hold.status).toBe('PENDING');
    expect(await balanceOf(u)).toMatchObject({ balance: '76', held: '3' });
    const rel = (await t.ok(ReleaseHoldDocument, { id: h3.id }, u.token)).releaseHold;
    expect(rel.status).toBe('RELEASED');
    expect(await balanceOf(u)).toMatchObject({ balance: '79', held: '0' });
    expect(await directInvariantCheck(t)).toEqual([]);
  });

  it('a hold not settled by expiresAt expires on its own and returns its credits; capture then is HOLD_NOT_PENDING', async () => {
    const u = await t.signUp();
    const h = (await t.ok(ReserveCreditsDocument, { input: { feature: 'video', idempotencyKey: 'e1', expiresInSeconds: 1 } }, u.token)).reserveCredits;
    expect(await balanceOf(u)).toMatchObject({ balance: '92', held: '8' });
    await new Promise((r) => setTimeout(r, 1700));
    expect((await t.ok(HoldDocument, { id: h.id }, u.token)).hold.status).toBe('EXPIRED');
    expect(await balanceOf(u)).toMatchObject({ balance: '100', held: '0' });
    expect(errorCode(await t.gql(CaptureHoldDocument, { id: h.id }, u.token))).toBe('HOLD_NOT_PENDING');
  });

  it('a hold whose feature the price book no longer has (PRICE_BOOK changed) is captured for the credits held; reported usage is refused and changes nothing', async () => {
    const jwt = sharedJwtEnv();
    const before = await startTestApp({ PRICE_BOOK: 'synfluencer', ...jwt });
    const after = await startTestApp({ PRICE_BOOK: 'influgen', ...jwt }, { dbUrl: before.dbUrl });
    try {
      const u = await before.signUp(); // 5 credits
      const h = (await before.ok(ReserveCreditsDocument, { input: { feature: 'talking_head', quantity: 12, idempotencyKey: 'th-1' } }, u.token)).reserveCredits;
      expect(h.amount).toBe('1.2');
      // influgen has no talking_head: usage of it cannot be priced any more.
      const priced = await after.gql(CaptureHoldDocument, { id: h.id, quantity: 10 }, u.token);
      expect(errorCode(priced)).toBe('BAD_USER_INPUT');
      expect(priced.errors![0].message).toContain('"talking_head" is not in the current price book');
      expect(errorCode(await after.gql(CaptureHoldDocument, { id: h.id, providerCost: '1' }, u.token))).toBe('BAD_USER_INPUT');
      expect((await after.ok(HoldDocument, { id: h.id }, u.token)).hold.status).toBe('PENDING');
      // Captured at the price held when it was reserved, with the reserve's quantity and unit.
      const cap = (await after.ok(CaptureHoldDocument, { id: h.id, idempotencyKey: 'cap-th-1' }, u.token)).captureHold;
      expect(cap.transaction).toMatchObject({ kind: 'CAPTURE', amount: '-1.2', holdId: h.id, feature: 'talking_head', quantity: 12, unit: 'second' });
      expect(cap.wallet).toMatchObject({ balance: '3.8', held: '0' });
      // A retry under the key replays it, on either price book.
      for (const app of [after, before]) {
        const again = (await app.ok(CaptureHoldDocument, { id: h.id, idempotencyKey: 'cap-th-1' }, u.token)).captureHold;
        expect(again.transaction.id).toBe(cap.transaction.id);
      }
      expect(await directInvariantCheck(before)).toEqual([]);
    } finally {
      await stopApps(before, after);
    }
  });

  it('the retry of a charge, batch item or reserve an earlier price book priced replays it; a changed request or a new key is refused and changes nothing', async () => {
    const jwt = sharedJwtEnv();
    const before = await startTestApp({ PRICE_BOOK: 'synfluencer', ...jwt });
    const after = await startTestApp({ PRICE_BOOK: 'influgen', ...jwt }, { dbUrl: before.dbUrl });
    try {
      const u = await before.signUp(); // 5 credits
      const talkingHead = (key: string, quantity: number): ChargeUsageInput => ({ feature: 'talking_head', quantity, idempotencyKey: key });
      const charged = (await before.ok(ChargeUsageDocument, { input: talkingHead('th-charge', 10) }, u.token)).chargeUsage.transaction;
      const [item] = (await before.ok(ChargeUsageBatchDocument, { inputs: [talkingHead('th-item', 5)] }, u.token)).chargeUsageBatch;
      const hold = (await before.ok(ReserveCreditsDocument, { input: talkingHead('th-hold', 3) }, u.token)).reserveCredits;
      expect((await before.ok(WalletOnlyDocument, {}, u.token)).me.wallet).toMatchObject({ balance: '3.2', held: '0.3' });

      // influgen has no talking_head, yet each retry answers what committed under synfluencer.
      const again = (await after.ok(ChargeUsageDocument, { input: talkingHead('th-charge', 10) }, u.token)).chargeUsage;
      expect(again.transaction).toMatchObject({ id: charged.id, amount: '-1', feature: 'talking_head' });
      expect(again.wallet).toMatchObject({ balance: '3.2', held: '0.3' });
      expect((await after.ok(ReserveCreditsDocument, { input: talkingHead('th-hold', 3) }, u.token)).reserveCredits).toMatchObject({ id: hold.id, status: 'PENDING' });
      const results = (
        await after.ok(
          ChargeUsageBatchDocument,
          { inputs: [talkingHead('th-item', 5), talkingHead('th-item-new', 5), { feature: 'caption', idempotencyKey: 'cap-after' }, talkingHead('th-charge', 11)] },
          u.token,
        )
      ).chargeUsageBatch;
      expect(results[0].charge!.transaction.id).toBe(item.charge!.transaction.id);
      expect(results[1].error).toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(results[1].error!.message).toContain('Unknown feature "talking_head"');
      expect(results[2].charge!.transaction).toMatchObject({ feature: 'caption', amount: '-1' });
      expect(results[3].error).toMatchObject({ code: 'IDEMPOTENCY_CONFLICT' });

      // A changed request under a used key conflicts; a new key gets the price book's refusal.
      expect(errorCode(await after.gql(ChargeUsageDocument, { input: talkingHead('th-charge', 11) }, u.token))).toBe('IDEMPOTENCY_CONFLICT');
      expect(errorCode(await after.gql(ChargeUsageDocument, { input: talkingHead('th-hold', 3) }, u.token))).toBe('IDEMPOTENCY_CONFLICT');
      expect(errorCode(await after.gql(ReserveCreditsDocument, { input: talkingHead('th-hold', 4) }, u.token))).toBe('IDEMPOTENCY_CONFLICT');
      const fresh = await after.gql(ChargeUsageDocument, { input: talkingHead('th-new', 10) }, u.token);
      expect(errorCode(fresh)).toBe('BAD_USER_INPUT');
      expect(fresh.errors![0].message).toContain('Unknown feature "talking_head"');
      expect(errorCode(await after.gql(ReserveCreditsDocument, { input: talkingHead('th-hold-new', 3) }, u.token))).toBe('BAD_USER_INPUT');
      // Only the caption moved credits.
      expect((await after.ok(WalletOnlyDocument, {}, u.token)).me.wallet).toMatchObject({ balance: '2.2', held: '0.3' });
      expect(await directInvariantCheck(before)).toEqual([]);
    } finally {
      await stopApps(before, after);
    }
  });

  it('a hold id sent in capitals names the same hold: read, captured and released', async () => {
    const u = await t.signUp();
    const reserve = async (key: string) => (await t.ok(ReserveCreditsDocument, { input: { feature: 'caption', idempotencyKey: key } }, u.token)).reserveCredits.id.toUpperCase();
    const [captured, released] = [await reserve('upper-1'), await reserve('upper-2')];
    expect((await t.ok(HoldDocument, { id: captured }, u.token)).hold.status).toBe('PENDING');
    expect((await t.ok(CaptureHoldDocument, { id: captured, idempotencyKey: 'upper-cap' }, u.token)).captureHold.transaction).toMatchObject({ kind: 'CAPTURE', amount: '-1' });
    expect((await t.ok(CaptureHoldDocument, { id: captured, idempotencyKey: 'upper-cap' }, u.token)).captureHold.transaction.kind).toBe('CAPTURE'); // replayed
    expect((await t.ok(ReleaseHoldDocument, { id: released }, u.token)).releaseHold.status).toBe('RELEASED');
    expect(await balanceOf(u)).toMatchObject({ balance: '99', held: '0' });
  });

  it("another account's hold is NOT_FOUND", async () => {
    const a = await t.signUp();
    const b = await t.signUp();
    const h = (await t.ok(ReserveCreditsDocument, { input: { feature: 'caption', idempotencyKey: 'x' } }, a.token)).reserveCredits;
    expect(errorCode(await t.gql(CaptureHoldDocument, { id: h.id }, b.token))).toBe('NOT_FOUND');
    expect(errorCode(await t.gql(ReleaseHoldDocument, { id: h.id }, b.token))).toBe('NOT_FOUND');
    expect(errorCode(await t.gql(HoldDocument, { id: h.id }, b.token))).toBe('NOT_FOUND');
    expect(errorCode(await t.gql(HoldDocument, { id: 'not-a-uuid' }, b.token))).toBe('NOT_FOUND');
    expect((await t.ok(HoldDocument, { id: h.id }, a.token)).hold.status).toBe('PENDING');
  });
});

describe('monthly budget cap (invariant 6)', () => {
  it('allows spend up to the cap exactly, refuses one micro-credit more, and counts held credits', async () => {
    const u = await t.signUp({ timezone: 'America/Los_Angeles' });
    await t.ok(UpdateSettingsDocument, { input: { monthlyBudgetCap: '10' } }, u.token);
    await t.chargeOk(u, caption('cap-1', { quantity: 6 }));
    await t.ok(ReserveCreditsDocument, { input: { feature: 'caption', quantity: 3, idempotencyKey: 'cap-h' } }, u.token);
    // 6 spent + 3 held: 2 more would pass 10.
    const r = await t.charge(u, caption('cap-2', { quantity: 2 }));
    expect(errorCode(r)).toBe('BUDGET_CAP_EXCEEDED');
    const exact = await t.chargeOk(u, caption('cap-3', { quantity: 1 }));
    expect(exact.chargeUsage.wallet).toMatchObject({ spentThisMonth: '7', held: '3', status: 'CAPPED', balance: '90' });
    expect(errorCode(await t.charge(u, caption('cap-4')))).toBe('BUDGET_CAP_EXCEEDED');
    expect((await balanceOf(u)).balance).toBe('90');
    // Raising the cap by a micro-credit is not enough for a whole credit; turning it off is.
    await t.ok(UpdateSettingsDocument, { input: { monthlyBudgetCap: '10.000001' } }, u.token);
    expect(errorCode(await t.charge(u, caption('cap-5')))).toBe('BUDGET_CAP_EXCEEDED');
    await t.ok(UpdateSettingsDocument, { input: { monthlyBudgetCap: null } }, u.token);
    await t.chargeOk(u, caption('cap-6'));
    expect(await directInvariantCheck(t)).toEqual([]);
  });

  it('a cap lowered while a charge waits for the wallet lock applies to that charge', async () => {
    const u = await t.signUp();
    await t.ok(UpdateSettingsDocument, { input: { monthlyBudgetCap: '10' } }, u.token);
    await withSql(t.dbUrl, async (c) => {
      // Hold the wallet lock and lower the cap in the same transaction, as updateSettings does.
      await c.query('begin');
      await c.query('select 1 from wallet where account_id = $1 for update', [u.accountId]);
      await c.query('update account set monthly_budget_cap = 2000000 where id = $1', [u.accountId]);
      const pending = t.charge(u, caption('racing-cap', { quantity: 5 }));
      await new Promise((r) => setTimeout(r, 300));
      await c.query('commit');
      expect(errorCode(await pending)).toBe('BUDGET_CAP_EXCEEDED');
    });
    expect((await balanceOf(u)).balance).toBe('100');
  });

  it("starts a new month at the account's local midnight: last month's spend no longer counts", async () => {
    // Its own database: faking the month leaves a ledger that docs/invariants.md #6 (rightly) flags.
    const m = await startTestApp({ PRICE_BOOK: 'influgen', SIGNUP_BONUS: '100' });
    try {
      const u = await m.signUp({ timezone: 'Asia/Kolkata' });
      await m.ok(UpdateSettingsDocument, { input: { monthlyBudgetCap: '5' } }, u.token);
      await m.chargeOk(u, caption('m-1', { quantity: 5 }));
      expect(errorCode(await m.charge(u, caption('m-2')))).toBe('BUDGET_CAP_EXCEEDED');
      // Make the spend belong to an earlier month, as if the clock had passed local midnight of the 1st.
      await withSql(m.dbUrl, (c) => c.query(`update wallet set spent_month = '2000-01' where account_id = $1`, [u.accountId]));
      expect((await m.ok(WalletOnlyDocument, {}, u.token)).me.wallet.spentThisMonth).toBe('0');
      const r = await m.chargeOk(u, caption('m-3', { quantity: 5 }));
      expect(r.chargeUsage.wallet.spentThisMonth).toBe('5');
    } finally {
      await m.stop();
    }
  });

  it('a timezone change recomputes the month-to-date spend from the ledger', async () => {
    const u = await t.signUp({ timezone: 'UTC' });
    await t.chargeOk(u, caption('tz-1', { quantity: 4 }));
    // A 1-credit USAGE one minute after the UTC month began: this month in UTC, but still last
    // month in Los Angeles (whose month starts 7 or 8 hours later). A balancing ADJUSTMENT keeps
    // docs/invariants.md #1 intact for the rest of this file.
    const nowUtcDay = new Date().getUTCDate();
    await withSql(t.dbUrl, async (c) => {
      const w = await c.query(`select id from wallet where account_id = $1`, [u.accountId]);
      const at = `date_trunc('month', now() at time zone 'UTC') at time zone 'UTC' + interval '1 minute'`;
      await c.query(
        `insert into ledger_transaction (id, wallet_id, account_id, kind, amount, balance_after, wallet_version, description, created_at)
         values (gen_random_uuid(), $1, $2, 'USAGE', -1000000, 0, 0, 'synthetic', ${at}),
                (gen_random_uuid(), $1, $2, 'ADJUSTMENT', 1000000, 0, 0, 'synthetic', ${at})`,
        [w.rows[0].id, u.accountId],
      );
    });
    if (nowUtcDay === 1) return; // on the 1st (UTC) Los Angeles may still be in the previous month
    await t.ok(UpdateSettingsDocument, { input: { timezone: 'America/Los_Angeles' } }, u.token);
    expect((await balanceOf(u)).spentThisMonth).toBe('4');
    await t.ok(UpdateSettingsDocument, { input: { timezone: 'UTC' } }, u.token);
    expect((await balanceOf(u)).spentThisMonth).toBe('5');
  });
});

describe('pricing and rounding', () => {
  it('quotes per the influgen preset', async () => {
    const u = await t.signUp();
    const book = (await t.ok(PriceBookDocument, {})).priceBook;
    expect(book.name).toBe('influgen');
    expect(book.features.map((f) => [f.feature, f.model, f.rate])).toEqual([
      ['face_generation', 'FIXED', '5'],
      ['sample_image', 'FIXED', '3'],
      ['video', 'FIXED', '8'],
      ['caption', 'FIXED', '1'],
    ]);
    expect((await t.ok(QuoteDocument, { input: { feature: 'caption' } }, u.token)).quote.amount).toBe('1');
    expect((await t.ok(QuoteDocument, { input: { feature: 'face_generation', quantity: 3 } }, u.token)).quote.amount).toBe('15');
  });

  it('rounds per-second and pass-through prices half up to the micro-credit (synfluencer preset, markup 1.5)', async () => {
    const s = await startTestApp({ PASS_THROUGH_MARKUP: '1.5' });
    try {
      const u = await s.signUp();
      const q = async (input: Record<string, unknown>) => (await s.ok(QuoteDocument, { input: input as never }, u.token)).quote.amount;
      expect(await q({ feature: 'talking_head', quantity: 30 })).toBe('3');
      expect(await q({ feature: 'ai_video', quantity: 30 })).toBe('3.9');
      expect(await q({ feature: 'motion_video', quantity: 0.1 })).toBe('0.015');
      // 0.10 × 0.000005 s = 0.5 micro-credit: half rounds up.
      expect(await q({ feature: 'talking_head', quantity: 0.000005 })).toBe('0.000001');
      // 0.13 × 0.0000115 s = 1.495 micro → 1; 0.13 × 0.0000116 s = 1.508 micro → 2.
      expect(await q({ feature: 'ai_video', quantity: 0.0000115 })).toBe('0.000001');
      expect(await q({ feature: 'ai_video', quantity: 0.0000116 })).toBe('0.000002');
      // 30.1 s is exactly 30.1 (no float error): 0.13 × 30.1 = 3.913.
      expect(await q({ feature: 'ai_video', quantity: 30.1 })).toBe('3.913');
      // pass-through: 0.000001 × 1.5 = 1.5 micro → 2; 0.000003 × 1.5 = 4.5 → 5; 2.5 × 1.5 = 3.75
      expect(await q({ feature: 'content_generation', providerCost: '0.000001' })).toBe('0.000002');
      expect(await q({ feature: 'content_generation', providerCost: '0.000003' })).toBe('0.000005');
      expect(await q({ feature: 'trend_discovery', providerCost: '2.5' })).toBe('3.75');
      expect(errorCode(await s.gql(QuoteDocument, { input: { feature: 'qc_audit' } }, u.token))).toBe('BAD_USER_INPUT');
      expect(errorCode(await s.gql(QuoteDocument, { input: { feature: 'talking_head' } }, u.token))).toBe('BAD_USER_INPUT');
      expect(errorCode(await s.gql(QuoteDocument, { input: { feature: 'talking_head', quantity: 0 } }, u.token))).toBe('BAD_USER_INPUT');
      expect(errorCode(await s.gql(QuoteDocument, { input: { feature: 'talking_head', quantity: 1e7 } }, u.token))).toBe('BAD_USER_INPUT');
      expect(errorCode(await s.gql(QuoteDocument, { input: { feature: 'qc_audit', providerCost: '-1' } }, u.token))).toBe('BAD_USER_INPUT');
      // The charge uses exactly the quoted amount.
      const c = await s.chargeOk(u, { feature: 'ai_video', quantity: 30.1, idempotencyKey: 'r' });
      expect(c.chargeUsage.transaction).toMatchObject({ amount: '-3.913', quantity: 30.1, unit: 'second', provider: 'veo' });
      expect(c.chargeUsage.wallet.balance).toBe('1.087');
    } finally {
      await s.stop();
    }
  });
});

describe('history', () => {
  it('pages newest first with stable cursors while new transactions arrive, and filters', async () => {
    const u = await t.signUp();
    const syn = (await t.ok(CreateSynfluencerDocument, { input: { name: 'Nova', handle: 'nova', platforms: ['tiktok'] } }, u.token)).createSynfluencer;
    for (let i = 0; i < 6; i++) {
      await t.chargeOk(u, caption(`h-${i}`, i % 2 ? { synfluencerId: syn.id, platform: 'tiktok', automationId: 'auto-1' } : { platform: 'instagram' }));
    }
    const p1 = (await t.ok(TransactionsDocument, { first: 3 }, u.token)).transactions;
    expect(p1.edges.map((e) => e.node.idempotencyKey)).toEqual(['h-5', 'h-4', 'h-3']);
    expect(p1.pageInfo.hasNextPage).toBe(true);
    // New rows at the head do not shift the next page.
    await Promise.all([0, 1, 2].map((i) => t.chargeOk(u, caption(`late-${i}`))));
    const p2 = (await t.ok(TransactionsDocument, { first: 3, after: p1.pageInfo.endCursor }, u.token)).transactions;
    expect(p2.edges.map((e) => e.node.idempotencyKey)).toEqual(['h-2', 'h-1', 'h-0']);
    const p3 = (await t.ok(TransactionsDocument, { first: 3, after: p2.pageInfo.endCursor }, u.token)).transactions;
    expect(p3.edges.map((e) => e.node.kind)).toEqual(['SIGNUP_BONUS']);
    expect(p3.pageInfo.hasNextPage).toBe(false);

    const bySyn = (await t.ok(TransactionsDocument, { filter: { synfluencerId: syn.id } }, u.token)).transactions.edges;
    expect(bySyn.map((e) => e.node.idempotencyKey)).toEqual(['h-5', 'h-3', 'h-1']);
    expect(bySyn[0].node.synfluencer?.id).toBe(syn.id);
    expect((await t.ok(TransactionsDocument, { filter: { platform: 'instagram' } }, u.token)).transactions.edges).toHaveLength(3);
    expect((await t.ok(TransactionsDocument, { filter: { automationId: 'auto-1', kinds: ['USAGE'] } }, u.token)).transactions.edges).toHaveLength(3);
    expect((await t.ok(TransactionsDocument, { filter: { kinds: ['SIGNUP_BONUS'] } }, u.token)).transactions.edges).toHaveLength(1);
    expect((await t.ok(TransactionsDocument, { filter: { from: new Date(Date.now() + 60_000).toISOString() } }, u.token)).transactions.edges).toHaveLength(0);
    expect((await t.ok(TransactionsDocument, { first: 1000 }, u.token)).transactions.edges).toHaveLength(10);
    expect(errorCode(await t.gql(TransactionsDocument, { after: 'bm90LWEtY3Vyc29y' }, u.token))).toBe('BAD_USER_INPUT');
    const other = await t.signUp();
    expect(errorCode(await t.gql(TransactionsDocument, { filter: { synfluencerId: syn.id } }, other.token))).toBe('NOT_FOUND');
    expect(errorCode(await t.charge(other, caption('steal', { synfluencerId: syn.id })))).toBe('NOT_FOUND');
  });
});

describe('invariant check', () => {
  it('npm run ledger:verify exits 0 on a consistent ledger and 1 with the violation printed', async () => {
    const { execFile } = await import('node:child_process');
    const path = await import('node:path');
    const run = () =>
      new Promise<{ code: number; out: string }>((resolve) =>
        execFile(process.execPath, [path.join(__dirname, '..', 'dist', 'src', 'scripts', 'ledger-verify.js')], { env: { PATH: process.env.PATH, DATABASE_URL: t.dbUrl, LOG_LEVEL: 'silent' } }, (err, stdout) =>
          resolve({ code: err ? (err as { code?: number }).code ?? 1 : 0, out: stdout }),
        ),
      );
    const u = await t.signUp();
    const ok = await run();
    expect(ok.out).toMatch(/wallets checked, 0 violations/);
    expect(ok.code).toBe(0);
    await withSql(t.dbUrl, (c) => c.query(`update credit_bucket set remaining = remaining - 1 where wallet_id = (select id from wallet where account_id = $1)`, [u.accountId]));
    const bad = await run();
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(new RegExp(`account ${u.accountId}\\) invariant 1: balance .* != sum\\(bucket.remaining\\)`));
    await withSql(t.dbUrl, (c) => c.query(`update credit_bucket set remaining = remaining + 1 where wallet_id = (select id from wallet where account_id = $1)`, [u.accountId]));
  });

  it('ledgerCheck is admin-only and reports a corrupted wallet', async () => {
    const admin = await t.admin();
    const u = await t.signUp();
    expect(errorCode(await t.gql(LedgerCheckDocument, {}, u.token))).toBe('FORBIDDEN');
    expect((await t.ok(LedgerCheckDocument, { accountId: u.accountId }, admin.token)).ledgerCheck).toMatchObject({ ok: true, walletsChecked: 1 });
    await withSql(t.dbUrl, (c) => c.query(`update wallet set balance = balance + 1 where account_id = $1`, [u.accountId]));
    const check = (await t.ok(LedgerCheckDocument, { accountId: u.accountId }, admin.token)).ledgerCheck;
    expect(check.ok).toBe(false);
    expect(check.violations.map((v) => v.invariant)).toEqual([1, 1]);
    await withSql(t.dbUrl, (c) => c.query(`update wallet set balance = balance - 1 where account_id = $1`, [u.accountId]));
  });
});
