import type { Sql } from '../../db/sql';
import { monthKey, worldMonth } from '../../shared/time';

/** At most this many rounds of `limit` wallets per sweep. */
const MAX_ROUNDS = 10;

/**
 * Wallets whose stored month-to-date spend is of a month that has ended in the account's
 * timezone: a review zeroes it under the lock and gives the wallet the next version, so
 * subscribers see the new month (and a wallet CAPPED last month become ACTIVE) without waiting
 * for its next charge. The lock re-checks it (WalletBatch.spendMonthTurned), so a wallet is
 * turned once however many instances sweep. Months end only while time zones disagree on the
 * month (worldMonth): once a scan finds nothing outside those hours, none is made until the
 * next ones. Each zone's month comes from Node's time zone data, the one the ledger uses.
 * Part of LedgerService.sweep.
 */
export class MonthTurns {
  /** A scan in progress. */
  private running = false;
  /** The month in which the last scan found nothing. */
  private quietIn: string | null = null;

  /** `review`: submits a review of the wallet to the ledger engine (never throws). */
  constructor(
    private readonly sql: Sql,
    private readonly review: (walletId: string) => Promise<unknown>,
  ) {}

  async run(limit: number): Promise<void> {
    const world = worldMonth(new Date());
    if (this.running || (world !== null && world === this.quietIn)) return;
    this.running = true;
    try {
      let found = 0;
      for (let round = 0, due = limit; round < MAX_ROUNDS && due === limit; round++) {
        due = await this.turnDue(limit);
        found += due;
      }
      this.quietIn = found === 0 ? world : null;
    } finally {
      this.running = false;
    }
  }

  /** One round: up to `limit` wallets, each reviewed; how many were due. */
  private async turnDue(limit: number): Promise<number> {
    const now = new Date();
    // The furthest month any zone has reached bounds the candidates; then each zone's own month.
    const zones = await this.sql.query<{ timezone: string }>(
      `select distinct a.timezone from wallet w join account a on a.id = w.account_id where w.spent_this_month > 0 and w.spent_month < ?`,
      [monthKey(now, 'Etc/GMT-14')],
    );
    if (zones.length === 0) return 0;
    const due = await this.sql.query<{ id: string }>(
      `select w.id from wallet w join account a on a.id = w.account_id join unnest(?::text[], ?::text[]) as z(timezone, month) on z.timezone = a.timezone
        where w.spent_this_month > 0 and w.spent_month < z.month limit ?`,
      [zones.map((zone) => zone.timezone), zones.map((zone) => monthKey(now, zone.timezone)), limit],
    );
    await Promise.all(due.map((row) => this.review(row.id)));
    return due.length;
  }
}
