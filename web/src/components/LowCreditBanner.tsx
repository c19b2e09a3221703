import { formatCredits } from '../lib/money';
import { Link } from '../lib/router';
import { useLive, useShell } from '../lib/shell';

/** Appears live when the balance crosses 25 %, 10 % or 0 % of the last top-up (lowCreditAlert). */
export function LowCreditBanner() {
  const { display, billing } = useShell();
  const live = useLive();
  const alert = live.lowCredit;
  if (!alert) return null;
  const text =
    alert.threshold === 0
      ? `You are out of credits: generation is paused.`
      : `Credits are running low: ${formatCredits(alert.balance, display)} left, ${alert.threshold} % of your last top-up (${formatCredits(alert.reference, display)}).`;
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
