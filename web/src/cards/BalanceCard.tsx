import { useQuery } from '@apollo/client/react';
import { WalletDetailsDocument } from '../gql/graphql';
import { Card, ErrorMessage, Loading } from '../components/ui';
import { capShare, formatCount, formatCredits, fromMicros, percentOf, toMicros } from '../lib/money';
import { useShell } from '../lib/shell';
import { formatDate } from '../lib/time';

/** Credits & balance: always account-wide, whatever persona is selected; the plan and its next refill. */
export function BalanceCard() {
  const { display, me } = useShell();
  const { data, error } = useQuery(WalletDetailsDocument);
  const w = data?.me.wallet;
  return (
    <Card id="balance-card" title="Credits & balance">
      {!w ? (
        error ? <ErrorMessage error={error} /> : <Loading />
      ) : (
        <>
          <dl className="figures">
            <div className="figure figure-main">
              <dt>Balance</dt>
              <dd data-testid="card-balance">{formatCredits(w.balance, display)}</dd>
            </div>
            <div className="figure">
              <dt>Held for running jobs</dt>
              <dd>{formatCredits(w.held, display)}</dd>
            </div>
            <div className="figure">
              <dt>Lifetime spend</dt>
              <dd>{formatCredits(w.lifetimeSpend, display)}</dd>
            </div>
            <div className="figure">
              <dt>Lifetime purchased</dt>
              <dd>{formatCredits(w.lifetimePurchased, display)}</dd>
            </div>
          </dl>
          <MonthSpend spent={w.spentThisMonth} held={w.held} cap={w.monthlyBudgetCap ?? null} />
          <p data-testid="runway">{runwayText(w.runway.daysLeft, w.balance)}</p>
          {data.me.plan && (
            <p data-testid="current-plan">
              Plan: <strong>{data.me.plan.plan.name}</strong>, {formatCredits(data.me.plan.plan.monthlyCredits, display)} a month
              {data.me.plan.renewsAt ? `; next refill ${formatDate(data.me.plan.renewsAt, me.timezone)}` : ''}. Allocations do not roll over.
            </p>
          )}
        </>
      )}
    </Card>
  );
}

/**
 * The month against its cap. Held credits count against the cap as the API counts them
 * (spent this month + held + the next charge <= cap), so the meter shows both: a hold can reach
 * the cap before anything is spent.
 */
function MonthSpend({ spent, held, cap }: { spent: string; held: string; cap: string | null }) {
  const { display } = useShell();
  if (cap === null) {
    return (
      <p>
        Spent this month: <strong>{formatCredits(spent, display)}</strong> (no monthly cap)
      </p>
    );
  }
  const committed = fromMicros(toMicros(spent) + toMicros(held));
  // A cap of zero is reached from the start (the wallet is CAPPED): a full meter, not an empty one.
  // A cap lowered below this month's spend says how far past it the month is (capShare: "148 %");
  // only the meter stops at full.
  const meter = toMicros(cap) === 0n ? 100 : Math.min(100, percentOf(committed, cap));
  return (
    <div className="cap-meter">
      <p id="cap-meter-label" data-testid="cap-meter-label">
        Spent this month: <strong>{formatCredits(spent, display)}</strong>
        {toMicros(held) > 0n && (
          <>
            {' '}
            and <strong>{formatCredits(held, display)}</strong> held for running jobs
          </>
        )}{' '}
        of {formatCredits(cap, display)} cap ({capShare(committed, cap)})
      </p>
      <meter aria-labelledby="cap-meter-label" min={0} max={100} low={75} high={90} optimum={0} value={meter} />
    </div>
  );
}

function runwayText(daysLeft: number | null | undefined, balance: string): string {
  if (toMicros(balance) <= 0n) return 'Runway: your credits are used up.';
  if (daysLeft === null || daysLeft === undefined) return 'Runway: nothing spent in the last 7 days.';
  if (daysLeft < 1) return 'Runway: credits last less than a day at the last 7 days’ rate.';
  const days = Math.round(daysLeft);
  return `Runway: credits last about ${formatCount(days)} ${days === 1 ? 'day' : 'days'} at the last 7 days’ rate.`;
}
