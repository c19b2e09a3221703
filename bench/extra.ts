import type { BenchDb } from './harness';

/** Further benchmark sections (real time, usage) register here. */
export const extraBenches: Record<string, (db: BenchDb) => Promise<string>> = {};
