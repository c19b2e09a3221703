import type { Sql } from '../../db/sql';

export interface OutboxDepth {
  outbox: 'email' | 'webhook';
  /** Rows still to send (retries waiting included). */
  depth: number;
  /** Age of the oldest of them in seconds (0 when empty). */
  oldestSeconds: number;
}

/** Pending emails: not sent and not given up (the rows email_outbox_due_idx covers). */
const EMAIL = `select 'email' as outbox, count(*)::int as depth, coalesce(extract(epoch from now() - min(created_at)), 0)::float8 as oldest
  from email_outbox where sent_at is null and failed_at is null`;
/**
 * Pending webhook deliveries the worker has to send: PENDING (waiting, leased or backing off) to an
 * ENABLED endpoint. Deliveries held while their endpoint is disabled wait for it to be enabled
 * again and are not counted.
 */
const WEBHOOK = `select 'webhook' as outbox, count(*)::int as depth, coalesce(extract(epoch from now() - min(d.created_at)), 0)::float8 as oldest
  from webhook_delivery d join webhook_endpoint e on e.id = d.endpoint_id where d.status = 'PENDING' and e.status = 'ENABLED'`;

/**
 * Outbox depths for metrics, read at scrape time in one query, so no module has to record
 * anything. The webhook outbox is counted once its table exists: a database migrated by an older
 * release has none, and the check is repeated until it appears (a rolling deploy migrates it
 * while this instance runs), then never again.
 */
export class OutboxDepthQuery {
  private webhookTable = false;

  constructor(private readonly sql: Sql) {}

  async read(): Promise<OutboxDepth[]> {
    if (!this.webhookTable) {
      const [row] = await this.sql.query<{ present: boolean }>(`select to_regclass('webhook_delivery') is not null as present`);
      this.webhookTable = row.present;
    }
    const text = this.webhookTable ? `${EMAIL} union all ${WEBHOOK}` : EMAIL;
    const rows = await this.sql.query<{ outbox: 'email' | 'webhook'; depth: number; oldest: number }>(text, [], { prepare: true });
    return rows.map((row) => ({ outbox: row.outbox, depth: row.depth, oldestSeconds: row.oldest }));
  }
}
