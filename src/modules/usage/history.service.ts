import type { MikroORM } from '@mikro-orm/postgresql';
import { Sql } from '../../db/sql';
import { notFound } from '../../shared/errors';
import { isUuid } from '../../shared/ids';
import { encodeCursor, seqWindow, seqWindowSql, toSeqPage, type Page, type PageArgs } from '../../shared/pagination';
import { TX_JSON, txFromJson, type TxRow } from '../ledger/ledger.engine';
import type { LedgerService, TransactionFilter } from '../ledger/ledger.service';

/** A ledger row with its global insertion order, the key of `transactions` cursors. */
export type HistoryRow = TxRow & { seq: string };

/**
 * The usage history (`transactions`): the account's ledger rows newest first, filtered, as a
 * Relay connection that pages both ways. Reads only: the ledger writes these rows and never
 * changes them (docs/invariants.md #3), so a cursor's seq stays a stable position.
 */
export class HistoryService {
  private readonly sql: Sql;

  constructor(
    orm: MikroORM,
    private readonly ledger: Pick<LedgerService, 'assertOwnSynfluencer'>,
  ) {
    this.sql = new Sql(orm);
  }

  async transactions(accountId: string, filter: TransactionFilter, args: PageArgs): Promise<Page<HistoryRow>> {
    const window = seqWindow(args);
    const { where, params } = await this.filterSql(accountId, filter);
    const bounds = seqWindowSql(window, 't.seq');
    const rows = await this.sql.query<{ t: Record<string, unknown> }>(
      `select ${TX_JSON} as t from ledger_transaction t
        where ${[...where, ...bounds.conditions].join(' and ')} order by ${bounds.order} limit ?`,
      [...params, ...bounds.params, window.limit + 1],
    );
    const history = rows.map((r) => ({ ...txFromJson(r.t), seq: r.t.seq as string }));
    return toSeqPage(history, window, (t) => encodeCursor([t.seq]));
  }

  /** The `TransactionFilterInput` as SQL conditions on `ledger_transaction t`. */
  private async filterSql(accountId: string, filter: TransactionFilter): Promise<{ where: string[]; params: unknown[] }> {
    const where: string[] = ['t.account_id = ?'];
    const params: unknown[] = [accountId];
    const add = (condition: string, value: unknown) => {
      where.push(condition);
      params.push(value);
    };
    if (filter.synfluencerId) {
      // Another account's synfluencer is NOT_FOUND, never an empty page that confirms it exists.
      if (!isUuid(filter.synfluencerId)) throw notFound('Synfluencer');
      await this.ledger.assertOwnSynfluencer(accountId, filter.synfluencerId);
      add('t.synfluencer_id = ?', filter.synfluencerId);
    }
    if (filter.feature) add('t.feature = ?', filter.feature);
    if (filter.platform) add('t.platform = ?', filter.platform);
    if (filter.automationId) add('t.automation_id = ?', filter.automationId);
    if (filter.kinds && filter.kinds.length > 0) add('t.kind = any(?::text[])', filter.kinds);
    if (filter.from) add('t.created_at >= ?', filter.from);
    if (filter.to) add('t.created_at < ?', filter.to);
    return { where, params };
  }
}
