import { badInput } from '../shared/errors';
import { assertTimeZone } from '../shared/time';
import type { Sql } from './sql';

/**
 * The time zones an account may use: names both Node (Intl) and this PostgreSQL server know. The
 * account's timezone is used on both sides: its month and the cap in Node, its days in SQL (the
 * usage rollup, written by every ledger batch, and the summaries). PostgreSQL's own tz database
 * can lack names Node's ICU still accepts (links retired upstream, such as "US/Pacific-New"), and
 * such a name would fail every charge of the account in SQL. PostgreSQL's names are read once.
 */
export class SupportedTimeZones {
  private databaseNames: Promise<Set<string>> | null = null;

  constructor(private readonly sql: Sql) {}

  /** The name, or BAD_USER_INPUT when either side does not know it. */
  async assert(name: string): Promise<string> {
    const checked = assertTimeZone(name);
    if (!(await this.knownToDatabase()).has(checked)) {
      throw badInput(`"${checked}" is not a supported time zone: use a current IANA name, e.g. "America/Los_Angeles"`);
    }
    return checked;
  }

  private knownToDatabase(): Promise<Set<string>> {
    this.databaseNames ??= this.sql.query<{ name: string }>('select name from pg_timezone_names').then(
      (rows) => new Set(rows.map((row) => row.name)),
      (err: unknown) => {
        this.databaseNames = null; // read again next time
        throw err;
      },
    );
    return this.databaseNames;
  }
}
