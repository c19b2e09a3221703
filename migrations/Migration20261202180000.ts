import { Migration } from '@mikro-orm/migrations';

// Accounts whose time zone is a name retired from the tz database take the zone it was a link to.
// Sign-up and settings now refuse such names (src/db/time-zones.ts), but an account saved before
// could hold one: Node still accepts it, this PostgreSQL does not, and every charge of the account
// failed in the usage rollup's SQL. The targets are the links the tz database itself gave (its
// "backward" and "systemv" files). The names without daylight saving time have exactly their
// target's offsets in Node today, so no month moves. The SystemV names with daylight saving time
// follow the US rules of before 2007 in Node's data: their targets follow today's rules, so the
// first day of April and of November begins an hour apart for them, as it does for everyone else
// in those zones. A name this PostgreSQL does know is left as it is.

const RETIRED_ZONES: ReadonlyArray<readonly [retired: string, current: string]> = [
  ['US/Pacific-New', 'America/Los_Angeles'],
  ['Canada/East-Saskatchewan', 'America/Regina'],
  ['SystemV/AST4', 'America/Puerto_Rico'],
  ['SystemV/AST4ADT', 'America/Halifax'],
  ['SystemV/CST6', 'America/Regina'],
  ['SystemV/CST6CDT', 'America/Chicago'],
  ['SystemV/EST5', 'America/Panama'],
  ['SystemV/EST5EDT', 'America/New_York'],
  ['SystemV/HST10', 'Pacific/Honolulu'],
  ['SystemV/MST7', 'America/Phoenix'],
  ['SystemV/MST7MDT', 'America/Denver'],
  ['SystemV/PST8', 'Pacific/Pitcairn'],
  ['SystemV/PST8PDT', 'America/Los_Angeles'],
  ['SystemV/YST9', 'Pacific/Gambier'],
  ['SystemV/YST9YDT', 'America/Anchorage'],
];

export class Migration20261202180000 extends Migration {

  override async up(): Promise<void> {
    const pairs = RETIRED_ZONES.map(([retired, current]) => `('${retired}', '${current}')`).join(', ');
    this.addSql(`update "account" a set "timezone" = z.current
      from (values ${pairs}) as z(retired, current)
     where a."timezone" = z.retired
       and not exists (select 1 from pg_timezone_names n where n.name = z.retired);`);
  }

  override async down(): Promise<void> {
    // Nothing to undo: the current names are the same zones.
  }

}
