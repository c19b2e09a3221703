import { formatCredits, toMicros } from '../lib/money';
import { Link } from '../lib/router';
import { useLive, useLiveWallet, useShell } from '../lib/shell';

/** The levels LOW_CREDITS fires at, as a percentage of the wallet's lowCreditReference (the alert rules' own). */
const LEVELS = [0, 10, 25] as const;

/**
 * Shows while the balance is at or below 25 % of the balance right after credits were last added
 * (a purchase, top-up, plan allocation, grant or the sign-up bonus: `lowCreditReference`, the
 * level the LOW_CREDITS alerts use), read from the live wallet: it is
 * there after a reload and in every tab, says what is left now with its real share, and goes
 * when credits come back. Dismissing hides it until the balance falls to the next level.
 */
export function LowCreditBanner() {
  const { display, billing } = useShell();
  const live = useLive();
  const { balance, lowCreditReference } = useLiveWallet();
  const left = toMicros(balance);
  const reference = toMicros(lowCreditReference);
  const level = LEVELS.find((percent) => (percent === 0 ? left === 0n : left * 100n <= reference * BigInt(percent)));
  if (level === undefined || live.lowCreditDismissed(lowCreditReference, level)) return null;
  // The banner goes with the focus: the page's main region takes it, where the next Tab continues.
  const dismiss = (ref: string, at: number) => {
    live.dismissLowCredit(ref, at);
    document.getElementById('main')?.focus();
  };
  const text =
    level === 0
      ? `You are out of credits: generation is paused.`
      : `Credits are running low: ${formatCredits(balance, display)} left, ${shareOf(left, reference)} of the ${formatCredits(lowCreditReference, display)} you had when credits were last added.`;
  return (
    <div className={`banner ${level === 0 ? 'banner-danger' : 'banner-warning'}`} data-testid="low-credit-banner">
      <p>
        {/* Without self-service top-ups an admin grants credits: said so, as the top bar does. */}
        {text} {billing.topUpAvailable ? <Link to="account#top-up">Buy credits</Link> : <span data-testid="low-credit-ask-admin">Ask an admin for credits.</span>}
      </p>
      {/* What screen readers announce: the level reached, once a level. The text above changes with
          every charge, and as an alert it was announced again each time. */}
      <p className="visually-hidden" role="alert" key={level}>
        {level === 0 ? 'You are out of credits: generation is paused.' : `Credits are running low: at or below ${level} % of the balance you had when credits were last added.`}
      </p>
      <button type="button" className="link-button" onClick={() => dismiss(lowCreditReference, level)}>
        Dismiss
      </button>
    </div>
  );
}

/** The balance's share of the reference, rounded down ("under 1 %" rather than a misleading 0 %). */
function shareOf(left: bigint, reference: bigint): string {
  const percent = (left * 100n) / reference;
  return percent === 0n ? 'under 1 %' : `${percent} %`;
}
