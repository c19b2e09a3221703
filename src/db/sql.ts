import type { MikroORM } from '@mikro-orm/postgresql';
import type { PoolClient } from 'pg';

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

  acquire(): Promise<PoolClient> {
    return this.knex.client.acquireConnection();
  }

  /** Returns a client to the pool; one that failed is marked so knex's validation destroys it. */
  release(client: PoolClient, err?: Error): void {
    if (err) (client as unknown as { __knex__disposed?: Error }).__knex__disposed = err;
    void this.knex.client.releaseConnection(client);
  }

  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    let i = 0;
    const text = sql.replace(/\?/g, () => `$${++i}`);
    const client = await this.acquire();
    try {
      return (await client.query(text, params)).rows as T[];
    } finally {
      this.release(client);
    }
  }
}
