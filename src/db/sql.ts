import type { MikroORM } from '@mikro-orm/postgresql';
import { createHash } from 'node:crypto';
import type { PoolClient } from 'pg';

export interface PoolUsage {
  used: number;
  idle: number;
  opening: number;
  waiting: number;
  max: number;
}

/** The parts of tarn's Pool (knex's pool) that PoolUsage reads. */
interface TarnPool {
  max: number;
  numUsed(): number;
  numFree(): number;
  numPendingCreates(): number;
  numPendingAcquires(): number;
}

/**
 * Plain SQL through MikroORM's own connection pool (knex's pg clients), with `?`
 * placeholders turned into `$n` and array values passed as PostgreSQL arrays (knex's raw
 * would expand them into lists). Used by read paths that need exact SQL.
 */
export class Sql {
  constructor(private readonly orm: MikroORM) {}

  private get knex() {
    return this.orm.em.getConnection().getKnex();
  }

  /**
   * The pool behind MikroORM (knex's tarn pool), read for metrics: connections in use, idle, being
   * opened, callers waiting for one, and the maximum. Null before the pool exists or after close.
   */
  poolUsage(): PoolUsage | null {
    const pool = this.knex.client.pool as TarnPool | undefined;
    if (!pool) return null;
    return { used: pool.numUsed(), idle: pool.numFree(), opening: pool.numPendingCreates(), waiting: pool.numPendingAcquires(), max: pool.max };
  }

  acquire(): Promise<PoolClient> {
    return this.knex.client.acquireConnection();
  }

  /** Returns a client to the pool; one that failed is marked so knex's validation destroys it. */
  release(client: PoolClient, err?: Error): void {
    if (err) (client as unknown as { __knex__disposed?: Error }).__knex__disposed = err;
    void this.knex.client.releaseConnection(client);
  }

  /**
   * Runs `work` in one database transaction on one pooled connection: COMMIT when it resolves,
   * ROLLBACK when it throws (and the error is rethrown). The ledger's batches do not use it: they
   * send BEGIN together with their row locks in one round trip (src/modules/ledger/store/wallet-lock.ts), the hot path.
   */
  async withTransaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.acquire();
    try {
      await client.query('begin');
      const result = await work(client);
      await client.query('commit');
      return result;
    } catch (err) {
      await client.query('rollback').catch(() => undefined);
      throw err;
    } finally {
      this.release(client);
    }
  }

  /**
   * `prepare`: run it as a named prepared statement (one per distinct text and connection), so
   * PostgreSQL parses it once per connection and can reuse its plan. Only for texts drawn from
   * a small fixed set: each distinct text stays prepared on every pooled connection. Prepared
   * texts use `$n` placeholders as written (no `?` rewriting). Behind PgBouncer in transaction
   * mode, named statements need its `max_prepared_statements`.
   */
  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = [], opts: { prepare?: boolean } = {}): Promise<T[]> {
    let i = 0;
    const text = opts.prepare ? sql : sql.replace(/\?/g, () => `$${++i}`);
    const client = await this.acquire();
    try {
      if (opts.prepare) return (await client.query({ name: statementName(text), text, values: params })).rows as T[];
      return (await client.query(text, params)).rows as T[];
    } finally {
      this.release(client);
    }
  }
}

const names = new Map<string, string>();
/** A stable prepared-statement name per SQL text. */
export function statementName(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `s_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    names.set(text, name);
  }
  return name;
}
