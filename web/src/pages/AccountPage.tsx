import { useRoute } from '../lib/router';
import { useShell, useTitle } from '../lib/shell';
import { BalanceCard } from '../cards/BalanceCard';
import { UsageSummaryCard } from '../cards/UsageSummaryCard';
import { UsageHistoryCard } from '../cards/UsageHistoryCard';
import { LimitsCard } from '../cards/LimitsCard';
import { TopUpCard } from '../cards/TopUpCard';
import { AutoTopUpCard } from '../cards/AutoTopUpCard';
import { PurchasesCard } from '../cards/PurchasesCard';
import { PasswordCard } from '../cards/PasswordCard';
import { PreferencesCard } from '../cards/PreferencesCard';

/** The Account & Billing page: the cards of the Synfluencer Account page and Influgen's billing page. */
export function AccountPage() {
  useTitle('Account');
  const { me } = useShell();
  const { search } = useRoute();
  return (
    <div className="page">
      <h1 tabIndex={-1}>Account</h1>
      <p className="muted account-line">
        {me.email} · times in {me.timezone}
      </p>
      <div className="grid">
        <BalanceCard />
        <TopUpCard checkout={search.get('checkout')} awaited={{ sessionId: search.get('session_id'), planRef: search.get('plan_ref') }} />
        <UsageSummaryCard />
        <UsageHistoryCard />
        <LimitsCard />
        <AutoTopUpCard checkout={search.get('checkout')} />
        <PurchasesCard />
        <PreferencesCard />
        <PasswordCard />
      </div>
    </div>
  );
}
