import type { MikroORM } from '@mikro-orm/postgresql';
import { Sql } from '../../db/sql';
import { encodeCursor, seqWindow, seqWindowSql, toSeqPage, type Page, type PageArgs } from '../../shared/pagination';
import type { LedgerEntry } from '../ledger/domain/state';
import type { LedgerService, TransactionFilter } from '../ledger/ledger.service';
import { decodeEntry, ENTRY_JSON } from '../ledger/store/rows';

/** A ledger entry with its global insertion order, the key of `transactions` cursors. */
export type HistoryRow = LedgerEntry & { seq: string };

/**
 * The usage history (`transactions`): the account's ledger entries newest first, filtered, as a
 * Relay connection that pages both ways. Reads only: the ledger writes these rows and never
 * changes them (docs/invariants.md #3), so a cursor's seq stays a stable position. The filter is
 * the ledger's one history filter, shared with the CSV export.
 */
export class HistoryService {
  private readonly sql: Sql;

  constructor(
    orm: MikroORM,
    private readonly ledger: Pick<LedgerService, 'historyConditions'>,
  ) {
    this.sql = new Sql(orm);
  }

  async transactions(accountId: string, filter: TransactionFilter, args: PageArgs): Promise<Page<HistoryRow>> {
    const window = seqWindow(args);
    // Another account's synfluencer is NOT_FOUND, never an empty page that confirms it exists.
    const { conditions, params } = await this.ledger.historyConditions(accountId, filter);
    const bounds = seqWindowSql(window, 't.seq');
    const rows = await this.sql.query<{ entry: Record<string, unknown> & { seq: string } }>(
      `select ${ENTRY_JSON} as entry from ledger_transaction t
        where ${[...conditions, ...bounds.conditions].join(' and ')} order by ${bounds.order} limit ?`,
      [...params, ...bounds.params, window.limit + 1],
    );
    const history = rows.map((row) => ({ ...decodeEntry(row.entry), seq: row.entry.seq }));
    return toSeqPage(history, window, (entry) => encodeCursor([entry.seq]));
  }
}
