import { loadConfig } from '../config';
import { createLogger } from '../shared/logger';
import { PricingService } from '../modules/pricing/pricing.service';
import { LedgerService } from '../modules/ledger/ledger.service';
import { withOrm } from './with-orm';

/** `npm run ledger:verify`: checks docs/invariants.md #1, #2, #6 and #8 for every wallet; exits 1 on any violation. */
withOrm(async (orm) => {
  const config = loadConfig();
  const ledger = new LedgerService(orm, config, new PricingService(config), createLogger({ ...config, logLevel: 'warn' }));
  const { violations, walletsChecked } = await ledger.verifyAll();
  for (const v of violations) console.log(`wallet ${v.walletId} (account ${v.accountId}) invariant ${v.invariant}: ${v.message}`);
  console.log(`${walletsChecked} wallets checked, ${violations.length} violations`);
  return violations.length;
})
  .then((n) => process.exit(n === 0 ? 0 : 1))
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });
