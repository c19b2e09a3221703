import { useMutation, useQuery } from '@apollo/client/react';
import { RefundsDocument, RequestRefundDocument, WalletDetailsDocument } from '../gql/graphql';
import { Card, ConfirmedAction, ErrorMessage, Notice, useAction } from '../components/ui';
import { formatCredits, formatPrice, toMicros } from '../lib/money';
import { useShell } from '../lib/shell';
import { formatDate } from '../lib/time';

const REFUND_STATUS = { PENDING: 'in progress', SUCCEEDED: 'refunded', FAILED: 'failed' } as const;

/** Purchased packs and refunds of their unused part (credits neither spent nor held). */
export function PurchasesCard() {
  const { billing, display, me } = useShell();
  const details = useQuery(WalletDetailsDocument);
  const refunds = useQuery(RefundsDocument, { skip: !billing.stripeConfigured });
  const [request] = useMutation(RequestRefundDocument, { refetchQueries: ['Refunds', 'WalletDetails'] });
  const refund = useAction(async (bucketId: string) => (await request({ variables: { bucketId } })).data?.requestRefund);
  const purchases = (details.data?.me.wallet.buckets ?? []).filter((b) => b.source === 'PURCHASE');
  if (!billing.stripeConfigured || (purchases.length === 0 && !refunds.data?.refunds.length)) return null;
  return (
    <Card id="purchases" title="Purchases & refunds">
      <ul className="list">
        {purchases.map((b) => (
          <li key={b.id} className="list-row">
            <span>
              {formatCredits(b.granted, display)} bought {formatDate(b.createdAt, me.timezone)}; {formatCredits(b.remaining, display)} unused
            </span>
            {toMicros(b.remaining) > 0n && (
              // A refund gives the money back and takes the credits away: it cannot be undone, so it asks first.
              <ConfirmedAction
                trigger={`Refund unused ${formatCredits(b.remaining, display)}`}
                triggerClassName=""
                group={`Confirm the refund of ${formatCredits(b.remaining, display)}`}
                question={`Refund ${formatCredits(b.remaining, display)} to the card that paid? The credits leave your balance now.`}
                confirm="Yes, refund"
                keep="Keep the credits"
                pending={refund.pending}
                onConfirm={() => void refund.run(b.id)}
              />
            )}
          </li>
        ))}
      </ul>
      <ErrorMessage error={refund.error} />
      {refunds.data && refunds.data.refunds.length > 0 && (
        <>
          <h3>Refunds</h3>
          <ul className="list">
            {refunds.data.refunds.map((r) => (
              <li key={r.id} className="list-row">
                {formatCredits(r.amount, display)} → {formatPrice(r.refundedAmount, r.currency)}, {REFUND_STATUS[r.status]} ({formatDate(r.createdAt, me.timezone)})
              </li>
            ))}
          </ul>
        </>
      )}
      {refund.pending && <Notice>Asking Stripe to refund…</Notice>}
    </Card>
  );
}
