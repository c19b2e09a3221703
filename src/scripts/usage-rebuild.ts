import { loadConfig } from '../config';
import { createLogger } from '../shared/logger';
import { PricingService } from '../modules/pricing/pricing.service';
import { LedgerService } from '../modules/ledger/ledger.service';
import { UsageService } from '../modules/usage/usage.service';
import { Sql } from '../db/sql';
import { withOrm } from './with-orm';

/**
 * `npm run usage:rebuild [accountId]`: recomputes the daily usage rollup from the ledger for one
 * account or all. Needed after the service ran with USAGE_ROLLUP=off (the rollup then misses
 * that period's spend). Each account is rebuilt under its wallet lock, so it is safe while
 * the service runs; that account's charges wait for the few seconds it takes.
 */
withOrm(async (orm) => {
  const config = loadConfig();
  const pricing = new PricingService(config);
  const ledger = new LedgerService(orm, config, pricing, createLogger({ ...config, logLevel: 'warn' }));
  const usage = new UsageService(orm, config, pricing, ledger);
  const only = process.argv[2];
  const accounts = only ? [only] : (await new Sql(orm).query<{ account_id: string }>('select account_id from wallet order by account_id')).map((r) => r.account_id);
  for (const id of accounts) await usage.rebuildRollup(id, { force: true });
  console.log(`usage rollup rebuilt for ${accounts.length} account(s)`);
})
  .then(() => process.exit(0))
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });
