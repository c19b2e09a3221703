import { isSpend } from '../ledger/domain/kinds';
import type { LedgerEntry } from '../ledger/domain/state';
import type { BatchParticipant, SqlParams } from '../ledger/engine/participant';
import { NO_SYNFLUENCER } from './usage-rollup.entity';

interface SpendInZone {
  entry: LedgerEntry;
  /** The account timezone read under the wallet lock: the zone the rollup rows are kept in. */
  timezone: string;
}

/**
 * The daily usage rollup in the ledger batch (USAGE_ROLLUP=on): every spend entry is added to
 * its account's row for the local day in the same statement that writes it, so the rollup
 * commits with the ledger or not at all (see usage-rollup.entity.ts). Rows of one account only
 * change under its wallet lock, so concurrent batches never deadlock on them.
 */
export function usageRollupParticipant(): BatchParticipant<null> {
  return {
    name: 'usage-rollup',
    open: () => null,
    writeCtes(wallets, params) {
      const spend = wallets.flatMap((wallet) => wallet.entries.filter((entry) => isSpend(entry.kind)).map((entry) => ({ entry, timezone: wallet.wallet.timezone })));
      return [rollupCte(params, spend)];
    },
  };
}

function rollupCte(params: SqlParams, spend: SpendInZone[]): string {
  const column = params.columnsOf(spend);
  return `usage_rollup_upsert as (
    insert into usage_rollup (account_id, tz, day, synfluencer_id, feature, platform, automation_id, total, count)
    select u.account_id, u.tz, (u.created_at at time zone u.tz)::date, u.synfluencer_id, u.feature, u.platform, u.automation_id, sum(u.amount), count(*)
      from unnest(${column(({ entry }) => entry.accountId, 'uuid[]')}, ${column(({ timezone }) => timezone, 'text[]')},
                  ${column(({ entry }) => entry.synfluencerId ?? NO_SYNFLUENCER, 'uuid[]')}, ${column(({ entry }) => entry.feature ?? '', 'text[]')},
                  ${column(({ entry }) => entry.platform ?? '', 'text[]')}, ${column(({ entry }) => entry.automationId ?? '', 'text[]')},
                  ${column(({ entry }) => -entry.amount, 'bigint[]')}, ${column(({ entry }) => entry.createdAt, 'timestamptz[]')})
           as u(account_id, tz, synfluencer_id, feature, platform, automation_id, amount, created_at)
     group by u.account_id, u.tz, 3, u.synfluencer_id, u.feature, u.platform, u.automation_id
    on conflict (account_id, tz, day, synfluencer_id, feature, platform, automation_id)
    do update set total = usage_rollup.total + excluded.total, count = usage_rollup.count + excluded.count
    returning 1)`;
}
