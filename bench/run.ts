import { startBenchDb } from './harness';
import { benchLedger } from './ledger';
import { extraBenches } from './extra';

/**
 * `npm run bench`: starts its own PostgreSQL (or uses DATABASE_URL's server), runs every
 * section and prints markdown tables. Targets are ratios against baselines measured in the
 * same run, never absolute numbers (machines differ; ratios travel).
 * BENCH_ONLY=ledger,realtime,usage picks sections.
 */
async function main(): Promise<void> {
  const only = (process.env.BENCH_ONLY ?? '').split(',').filter(Boolean);
  const want = (name: string) => only.length === 0 || only.includes(name);
  const db = await startBenchDb();
  const out: string[] = [`# npm run bench — ${new Date().toISOString()}`, ''];
  try {
    if (want('ledger')) {
      const table = await benchLedger(db);
      console.log(table + '\n');
      out.push(table, '');
    }
    for (const [name, fn] of Object.entries(extraBenches)) {
      if (!want(name)) continue;
      const table = await fn(db);
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
