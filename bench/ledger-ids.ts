import { randomUUID, randomUUIDv7 } from 'node:crypto';
import { fmt, withClient, type BenchDb } from './harness';

/**
 * Ledger entry ids: random (UUIDv4) against time-ordered (UUIDv7, what the ledger uses). A table
 * with the ledger's key shape (uuid primary key, unique (account_id, idempotency_key), index
 * (account_id, seq)) holding PRELOADED rows takes 100-row inserts after a CHECKPOINT, ids made
 * in Node as the engine makes them. Random ids touch a random leaf of the primary key per row,
 * and after a checkpoint each first touch writes a whole page image to the WAL; ordered ids
 * append at the index's right edge. Target: v7 inserts no slower than v4 (<= 1x the time).
 */
const PRELOADED = Number(process.env.BENCH_IDS_ROWS ?? 1_000_000);
const INSERTS = 1500;
const ROWS_PER_INSERT = 100;

interface IdRun {
  label: string;
  microsPerRow: number;
  walBytesPerRow: number;
  pageImages: number;
}

async function insertRun(dbUrl: string, label: string, makeId: () => string): Promise<IdRun> {
  return withClient(dbUrl, async (client) => {
    await client.query('drop table if exists id_probe');
    await client.query(`create table id_probe (id uuid primary key, account_id uuid not null, idempotency_key text, seq bigserial, amount bigint not null)`);
    await client.query('create unique index id_probe_idem on id_probe (account_id, idempotency_key)');
    await client.query('create index id_probe_account_seq on id_probe (account_id, seq)');
    const accounts = Array.from({ length: 1000 }, () => randomUUID());
    for (let loaded = 0; loaded < PRELOADED; loaded += 10_000) {
      const ids = Array.from({ length: 10_000 }, makeId);
      await client.query(`insert into id_probe (id, account_id, idempotency_key, amount)
        select u.id, ($2::uuid[])[1 + (u.n % 1000)], md5(u.id::text), -100000 from unnest($1::uuid[]) with ordinality u(id, n)`, [ids, accounts]);
    }
    await client.query('checkpoint');
    const walBefore = (await client.query('select wal_bytes::bigint as bytes, wal_fpi::bigint as fpi from pg_stat_wal')).rows[0];
    const started = process.hrtime.bigint();
    for (let i = 0; i < INSERTS; i++) {
      const ids = Array.from({ length: ROWS_PER_INSERT }, makeId);
      const keys = ids.map(() => randomUUID());
      await client.query(`insert into id_probe (id, account_id, idempotency_key, amount) select u.id, $2, u.key, -100000 from unnest($1::uuid[], $3::text[]) u(id, key)`, [
        ids,
        accounts[i % accounts.length],
        keys,
      ]);
    }
    const micros = Number(process.hrtime.bigint() - started) / 1000;
    const walAfter = (await client.query('select wal_bytes::bigint as bytes, wal_fpi::bigint as fpi from pg_stat_wal')).rows[0];
    const rows = INSERTS * ROWS_PER_INSERT;
    return { label, microsPerRow: micros / rows, walBytesPerRow: (Number(walAfter.bytes) - Number(walBefore.bytes)) / rows, pageImages: Number(walAfter.fpi) - Number(walBefore.fpi) };
  });
}

export async function benchLedgerIds(db: BenchDb): Promise<string> {
  const dbUrl = await db.createDatabase('bench_ids');
  const random = await insertRun(dbUrl, 'random ids (UUIDv4)', () => randomUUID());
  const ordered = await insertRun(dbUrl, 'time-ordered ids (UUIDv7, the ledger\'s)', () => randomUUIDv7());
  return [
    `### Ledger ids (${PRELOADED} rows preloaded, then ${INSERTS} inserts of ${ROWS_PER_INSERT} after a CHECKPOINT, one client)`,
    '',
    '| ids | µs per row (round trip included) | WAL bytes per row | full-page images |',
    '|---|---:|---:|---:|',
    ...[random, ordered].map((run) => `| ${run.label} | ${fmt(run.microsPerRow, 1)} | ${fmt(run.walBytesPerRow)} | ${run.pageImages} |`),
    '',
    '| ratio | measured | target |',
    '|---|---:|---:|',
    `| v7 / v4 time per row | ${fmt(ordered.microsPerRow / random.microsPerRow, 2)}x | <= 1x |`,
  ].join('\n');
}
