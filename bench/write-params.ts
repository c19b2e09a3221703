import { createHash, randomUUID } from 'node:crypto';
import { binaryArray, type ArrayElement, type BinaryArrayType } from '../src/modules/ledger/store/binary-array';
import { fmt, processStat, withClient, type BenchDb } from './harness';

/**
 * The write statement's parameters: the ledger insert's 21 columns for 300 charges, as one array
 * per column, read by PostgreSQL through `unnest` (no insert, so only reading the parameters is
 * measured). Sent as the service sends them (`binaryArray`, binary) against the baseline of the
 * text array literals it sent before (`textLiteral`), which PostgreSQL parses element by element.
 * Target: the binary arrays cost PostgreSQL <= 0.8x the CPU per row of the text literals.
 */
const ROWS = 300;
const ITERATIONS = 300;
const ROUNDS = 3;

const COLUMNS: [string, BinaryArrayType][] = [
  ['id', 'uuid[]'], ['wallet_id', 'uuid[]'], ['account_id', 'uuid[]'], ['kind', 'text[]'], ['amount', 'bigint[]'], ['balance_after', 'bigint[]'],
  ['wallet_version', 'bigint[]'], ['description', 'text[]'], ['synfluencer_id', 'uuid[]'], ['feature', 'text[]'], ['platform', 'text[]'],
  ['automation_id', 'text[]'], ['provider', 'text[]'], ['quantity', 'float8[]'], ['unit', 'text[]'], ['idempotency_key', 'text[]'],
  ['request_hash', 'text[]'], ['hold_id', 'uuid[]'], ['draws', 'text[]'], ['metadata', 'text[]'], ['created_at', 'timestamptz[]'],
];

/** Charges as the engine writes them: one wallet, one timestamp, a bucket draw each, most detail columns NULL. */
function sampleRows(): Record<string, unknown>[] {
  const walletId = randomUUID();
  const accountId = randomUUID();
  const bucketId = randomUUID();
  const now = new Date();
  return Array.from({ length: ROWS }, (_, i) => ({
    id: randomUUID(), wallet_id: walletId, account_id: accountId, kind: 'USAGE', amount: -100_000n, balance_after: 999_000_000n - BigInt(i) * 100_000n,
    wallet_version: BigInt(1000 + i), description: 'Talking head, 1 second', synfluencer_id: null, feature: 'talking_head', platform: null,
    automation_id: null, provider: 'heygen', quantity: 1, unit: 'second', idempotency_key: `${randomUUID()}-${i}`,
    request_hash: createHash('sha256').update(String(i)).digest('hex'), hold_id: null, draws: JSON.stringify([{ bucketId, amount: '100000' }]), metadata: null, created_at: now,
  }));
}

/**
 * The baseline: the text array literals the service sent before (`{"a",NULL,1}`): strings quoted,
 * escaped only when they hold a quote or backslash, Dates as UTC ISO text formatted once per
 * distinct time. PostgreSQL parses every element of them.
 */
function textLiteral(values: readonly unknown[]): string {
  let lastTime = Number.NaN;
  let lastDate = '';
  const element = (value: unknown): string => {
    if (value === null || value === undefined) return 'NULL';
    if (typeof value === 'string') return value.includes('"') || value.includes('\\') ? `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"` : `"${value}"`;
    if (value instanceof Date) {
      if (value.getTime() !== lastTime) [lastTime, lastDate] = [value.getTime(), `"${value.toISOString()}"`];
      return lastDate;
    }
    return String(value);
  };
  let literal = '{';
  for (let i = 0; i < values.length; i++) literal += (i > 0 ? ',' : '') + element(values[i]);
  return `${literal}}`;
}

interface Measured {
  pgMicrosPerRow: number;
  encodeMicrosPerRow: number;
  wallMicrosPerRow: number;
}

export async function benchWriteParams(db: BenchDb): Promise<string> {
  const url = await db.createDatabase('bench_write_params');
  const rows = sampleRows();
  const text = `select count(*)::int as n from unnest(${COLUMNS.map(([, type], i) => `$${i + 1}::${type}`).join(', ')})
    as u(${COLUMNS.map(([name]) => name).join(', ')})`;
  const encoders = {
    binary: (values: unknown[], type: BinaryArrayType) => binaryArray(values as ArrayElement<BinaryArrayType>[], type),
    text: (values: unknown[]) => textLiteral(values),
  };
  const totals = { binary: [] as Measured[], text: [] as Measured[] };
  await withClient(url, async (client) => {
    const pid = (await client.query('select pg_backend_pid() as pid')).rows[0].pid as number;
    const backendSeconds = () => {
      const stat = processStat(pid);
      return stat.userSeconds + stat.systemSeconds;
    };
    for (let round = 0; round < ROUNDS; round++) {
      // The two take turns, each round starting with the other.
      for (const mode of round % 2 === 0 ? (['text', 'binary'] as const) : (['binary', 'text'] as const)) {
        let encodeMs = 0;
        const cpuBefore = backendSeconds();
        const started = performance.now();
        for (let i = 0; i < ITERATIONS; i++) {
          const encodeStarted = performance.now();
          const values = COLUMNS.map(([name, type]) => encoders[mode](rows.map((row) => row[name]), type));
          encodeMs += performance.now() - encodeStarted;
          const result = await client.query({ name: `write_params_${mode}`, text, values });
          if (result.rows[0].n !== ROWS) throw new Error(`write params (${mode}): ${result.rows[0].n} rows read, ${ROWS} sent`);
        }
        const wallMs = performance.now() - started;
        const perRow = (ms: number) => (ms * 1000) / (ITERATIONS * ROWS);
        totals[mode].push({ pgMicrosPerRow: perRow((backendSeconds() - cpuBefore) * 1000), encodeMicrosPerRow: perRow(encodeMs), wallMicrosPerRow: perRow(wallMs) });
      }
    }
  });
  const mean = (runs: Measured[], key: keyof Measured) => runs.reduce((sum, run) => sum + run[key], 0) / runs.length;
  const row = (label: string, runs: Measured[]) => `| ${label} | ${fmt(mean(runs, 'pgMicrosPerRow'), 2)} | ${fmt(mean(runs, 'encodeMicrosPerRow'), 2)} | ${fmt(mean(runs, 'wallMicrosPerRow'), 2)} |`;
  return [
    `### Write statement parameters (the ledger insert's ${COLUMNS.length} columns, ${ROWS} rows per statement, ${ITERATIONS} statements, ${ROUNDS} rounds taking turns)`,
    '',
    '| parameters | PostgreSQL CPU µs per row | API encoding µs per row | encoding + round trip µs per row |',
    '|---|---:|---:|---:|',
    row('text array literals (as the service sent them before)', totals.text),
    row('binary arrays (`binaryArray`, as the service sends them)', totals.binary),
    '',
    '| ratio | measured | target |',
    '|---|---:|---:|',
    `| PostgreSQL CPU per row, binary / text | ${fmt(mean(totals.binary, 'pgMicrosPerRow') / mean(totals.text, 'pgMicrosPerRow'), 2)}x | <= 0.8x |`,
  ].join('\n');
}
