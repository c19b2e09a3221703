import type { BenchDb } from './harness';
import { benchRealtime } from './realtime';
import { benchUsage } from './usage';
import { benchDashboard } from './dashboard';

/** Further benchmark sections register here (each starts what it needs). */
export const extraBenches: Record<string, (db: BenchDb) => Promise<string>> = {
  realtime: () => benchRealtime(),
  usage: (db) => benchUsage({ createDatabase: (name) => db.createDatabase(name) }),
  dashboard: (db) => benchDashboard(db),
};
