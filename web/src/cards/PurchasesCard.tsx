import { useState } from 'react';
import { useMutation, useQuery } from '@apollo/client/react';
import { RefundsDocument, RequestRefundDocument, WalletDetailsDocument } from '../gql/graphql';
import { Card, ConfirmedAction, ErrorMessage, focusCardHeading, Notice, useAction } from '../components/ui';
import { formatCredits, formatPrice, fromMicros, toMicros } from '../lib/money';
import { useLiveWallet, useShell } from '../lib/shell';
import { formatDate } from '../lib/time';

const REFUND_STATUS = { PENDING: 'in progress', SUCCEEDED: 'refunded', FAILED: 'failed' } as const;

/**
 * What a refund of a purchased bucket would take now, as the server counts it
 * (`BillingRefunds.request`, `debitBucket`): only credits neither spent nor held, so at most
 * min(bucket.remaining, wallet.balance). `remaining` still counts credits that pending holds
 * reserve; the balance does not.
 */
function refundableMicros(remaining: string, balance: string): bigint {
  const left = toMicros(remaining);
  const free = toMicros(balance);
  const refundable = left < free ? left : free;
  return refundable > 0n ? refundable : 0n;
}

/** Purchased packs and refunds of their unused part (credits neither spent nor held). */
export function PurchasesCard() {
  const { billing, display, me } = useShell();
  const wallet = useLiveWallet();
  const details = useQuery(WalletDetailsDocument);
  const refunds = useQuery(RefundsDocument, { skip: !billing.stripeConfigured });
  const [request] = useMutation(RequestRefundDocument, { refetchQueries: ['Refunds', 'WalletDetails'] });
  // Each refund done closes its question (a new key): what is left to refund, if anything, is
  // asked about afresh. The focus, on the confirm button that goes, moves to the card's heading.
  const [done, setDone] = useState(0);
  const [last, setLast] = useState<{ amount: string; refunded: string; currency: string; status: keyof typeof REFUND_STATUS } | null>(null);
  const refund = useAction(async (bucketId: string) => {
    setLast(null);
    const result = (await request({ variables: { bucketId } })).data?.requestRefund;
    setDone((n) => n + 1);
    focusCardHeading('purchases');
    if (result) setLast({ amount: result.amount, refunded: result.refundedAmount, currency: result.currency, status: result.status });
  });
  const purchases = (details.data?.me.wallet.buckets ?? []).filter((b) => b.source === 'PURCHASE');
  if (!billing.stripeConfigured || (purchases.length === 0 && !refunds.data?.refunds.length)) return null;
  return (
    <Card id="purchases" title="Purchases & refunds">
      <ul className="list">
        {purchases.map((b) => {
          const refundable = refundableMicros(b.remaining, wallet.balance);
          const held = toMicros(b.remaining) - refundable;
          const amount = formatCredits(fromMicros(refundable), display);
          return (
            <li key={b.id} className="list-row">
              <span>
                {formatCredits(b.granted, display)} bought {formatDate(b.createdAt, me.timezone)}; {formatCredits(b.remaining, display)} unused
                {held > 0n && (
                  <>
                    {' '}
                    ({formatCredits(fromMicros(held), display)} of it held for running jobs, which cannot be refunded)
                  </>
                )}
              </span>
              {refundable > 0n && (
                // A refund gives the money back and takes the credits away: it cannot be undone, so it asks first.
                <ConfirmedAction
                  key={`${b.id}:${done}`}
                  trigger={`Refund unused ${amount}`}
                  triggerClassName=""
                  group={`Confirm the refund of ${amount}`}
                  question={`Refund ${amount} to the card that paid? The credits leave your balance now.`}
                  confirm="Yes, refund"
                  keep="Keep the credits"
                  pending={refund.pending}
                  onConfirm={() => void refund.run(b.id)}
                />
              )}
            </li>
          );
        })}
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
      {!refund.pending && last && (
        <Notice tone={last.status === 'FAILED' ? 'warning' : 'success'}>
          Refund of {formatCredits(last.amount, display)} ({formatPrice(last.refunded, last.currency)}): {REFUND_STATUS[last.status]}.
        </Notice>
      )}
    </Card>
  );
}
