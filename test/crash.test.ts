import { createTestDatabase, withSql } from './helpers/db';
import { compiledServerEnv, postGraphql, startCompiledServer, waitReady } from './helpers/compiled-server';
import { until } from './helpers/until';
import { ChargeUsageDocument, CreateApiKeyDocument, SignUpDocument } from './generated/graphql';

/**
 * The compiled server (`node dist/src/index.js`, as `npm start` runs it) is killed with
 * SIGKILL while 32 clients charge one wallet, then restarted. Clients retry what was not
 * acknowledged with the same idempotency keys. Afterwards every acknowledged charge is in the
 * ledger exactly once and the invariants hold.
 */
it('survives SIGKILL mid-burst: every acknowledged charge exactly once, retries deduplicated, invariants hold', async () => {
  const db = await createTestDatabase();
  const { env, base } = await compiledServerEnv(db.url, { PRICE_BOOK: 'influgen', SIGNUP_BONUS: '100000', PASSWORD_HASH_COST: '12' });
  let server = startCompiledServer(env);
  try {
    await waitReady(base);
    const su = await postGraphql(base, SignUpDocument, { input: { email: 'crash@test.dev', password: 'Crash-Test-1' } });
    const token = su.data!.signUp.accessToken;
    const key = (await postGraphql(base, CreateApiKeyDocument, { name: 'pipeline', scopes: ['USAGE_WRITE'] }, token)).data!.createApiKey.secret;

    const acked = new Map<string, string>(); // idempotency key -> transaction id
    const unacked: string[] = [];
    let killed = false;
    const client = async (c: number) => {
      for (let n = 0; !killed || n < 2; n++) {
        const k = `crash-${c}-${n}`;
        try {
          const r = await postGraphql(base, ChargeUsageDocument, { input: { feature: 'caption', idempotencyKey: k } }, key);
          if (r.data) acked.set(k, r.data.chargeUsage.transaction.id);
          else unacked.push(k);
        } catch {
          unacked.push(k); // connection refused or reset: outcome unknown
          return;
        }
      }
    };
    const clients = Array.from({ length: 32 }, (_, c) => client(c));
    // Kill once the burst is well under way (by progress, not a timer: a loaded machine is slower).
    await until(() => acked.size, (n) => n > 60, 30_000);
    server.kill('SIGKILL');
    killed = true;
    await Promise.all(clients);
    expect(acked.size).toBeGreaterThan(50);
    expect(unacked.length).toBeGreaterThan(0);

    server = startCompiledServer(env);
    await waitReady(base);
    // Retry every unacknowledged charge with its key; retry acknowledged ones too: both must be exactly-once.
    const retried = await Promise.all([...unacked, ...[...acked.keys()].slice(0, 50)].map((k) => postGraphql(base, ChargeUsageDocument, { input: { feature: 'caption', idempotencyKey: k } }, key).then((r) => [k, r] as const)));
    for (const [k, r] of retried) {
      expect(r.errors).toBeUndefined();
      if (acked.has(k)) expect(r.data!.chargeUsage.transaction.id).toBe(acked.get(k));
    }

    await withSql(db.url, async (c) => {
      const rows = await c.query(`select idempotency_key, id from ledger_transaction where kind = 'USAGE'`);
      const byKey = new Map<string, string[]>();
      for (const r of rows.rows) byKey.set(r.idempotency_key, [...(byKey.get(r.idempotency_key) ?? []), r.id]);
      for (const [k, id] of acked) expect(byKey.get(k)).toEqual([id]);
      for (const k of unacked) expect(byKey.get(k)).toHaveLength(1);
      expect(rows.rows.length).toBe(new Set([...acked.keys(), ...unacked]).size);
      const w = await c.query(`select balance::text, held::text, (select sum(remaining)::text from credit_bucket) as buckets, (select sum(amount)::text from ledger_transaction) as ledger from wallet`);
      expect(w.rows[0].balance).toBe(w.rows[0].ledger);
      expect(w.rows[0].buckets).toBe(w.rows[0].balance);
      expect(BigInt(w.rows[0].balance)).toBe(100_000_000_000n - BigInt(rows.rows.length) * 1_000_000n);
    });
  } finally {
    server.kill('SIGKILL');
    await db.drop();
  }
});
