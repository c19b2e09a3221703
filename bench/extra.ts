import type { BenchDb } from './harness';
import { benchUsage } from './usage';

/** Further benchmark sections (real time, usage) register here. */
export const extraBenches: Record<string, (db: BenchDb) => Promise<string>> = {
  usage: (db) => benchUsage({ createDatabase: (name) => db.createDatabase(name) }),
};
