import { benchBatch } from './batch';
import { startBenchDb, type BenchDb } from './harness';
import { benchLedger } from './ledger';
import { benchLedgerIds } from './ledger-ids';
import { benchRealtime } from './realtime';
import { benchUsage } from './usage';
import { benchDashboard } from './dashboard';
import { benchWriteParams } from './write-params';

/** Every benchmark section, in run order (each starts what it needs). */
const sections: Record<string, (db: BenchDb) => Promise<string>> = {
  ledger: (db) => benchLedger(db),
  batch: (db) => benchBatch(db),
  params: (db) => benchWriteParams(db),
  ids: (db) => benchLedgerIds(db),
  realtime: () => benchRealtime(),
  usage: (db) => benchUsage({ createDatabase: (name) => db.createDatabase(name) }),
  dashboard: (db) => benchDashboard(db),
};

/**
 * `npm run bench`: starts its own PostgreSQL (or uses DATABASE_URL's server), runs every
 * section and prints markdown tables. Targets are ratios against baselines measured in the
 * same run, never absolute numbers (machines differ; ratios travel).
 * BENCH_ONLY=ledger,batch,params,ids,realtime,usage,dashboard picks sections.
 */
async function main(): Promise<void> {
  const only = (process.env.BENCH_ONLY ?? '').split(',').filter(Boolean);
  const want = (name: string) => only.length === 0 || only.includes(name);
  const db = await startBenchDb();
  const out: string[] = [`# npm run bench — ${new Date().toISOString()}`, ''];
  try {
    for (const [name, run] of Object.entries(sections)) {
      if (!want(name)) continue;
      const table = await run(db);
      console.log(table + '\n');
      out.push(table, '');
    }
  } finally {
    await db.stop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
