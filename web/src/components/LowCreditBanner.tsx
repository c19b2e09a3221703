import { formatCredits, toMicros } from '../lib/money';
import { Link } from '../lib/router';
import { useLive, useLiveWallet, useShell } from '../lib/shell';

/**
 * Appears live when the balance crosses 25 %, 10 % or 0 % of the last top-up (lowCreditAlert),
 * and shows while the balance stays at or below that level: it reads the live balance (the cache
 * entry balanceChanged writes), so it says what is left now, and credits back above the level
 * (a grant, a purchase, a released hold) hide it, whichever of the two feeds arrived first.
 */
export function LowCreditBanner() {
  const { display, billing } = useShell();
  const live = useLive();
  const { balance } = useLiveWallet();
  const alert = live.lowCredit;
  if (!alert) return null;
  const level = (toMicros(alert.reference) * BigInt(alert.threshold)) / 100n;
  if (toMicros(balance) > level) return null;
  const text =
    alert.threshold === 0
      ? `You are out of credits: generation is paused.`
      : `Credits are running low: ${formatCredits(balance, display)} left, ${alert.threshold} % of your last top-up (${formatCredits(alert.reference, display)}).`;
  return (
    <div className={`banner ${alert.threshold === 0 ? 'banner-danger' : 'banner-warning'}`} role="alert" data-testid="low-credit-banner">
      <p>
        {text} {billing.topUpAvailable && <Link to="account#top-up">Buy credits</Link>}
      </p>
      <button type="button" className="link-button" onClick={() => live.dismissLowCredit()}>
        Dismiss
      </button>
    </div>
  );
}
