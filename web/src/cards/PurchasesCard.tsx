import { useState } from 'react';
import { useMutation, useQuery } from '@apollo/client/react';
import { RefundsDocument, RequestRefundDocument, WalletDetailsDocument } from '../gql/graphql';
import { Card, ConfirmedAction, ErrorMessage, focusCardHeading, Notice, useAction } from '../components/ui';
import { formatCredits, formatMinor, formatPrice, fromMicros, minorDigits, minorOf, refundMinor, toMicros, type CreditDisplay } from '../lib/money';
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

/** A purchased bucket as the card reads it. */
interface PurchasedBucket {
  granted: string;
  amountPaid?: string | null;
  currency?: string | null;
}

/**
 * What refunding `refundable` micro-credits of `b` pays back and the question that says so: the
 * money as the server computes it (paid × credits ÷ granted, rounded down to the smallest
 * currency unit), and, when rounding leaves a fraction of that unit, that every credit still
 * leaves the balance, the fraction unpaid (the server removes all of them). Null when the credits
 * are worth less than the smallest unit: the server refuses that refund (nothing to pay back).
 */
function refundQuestion(b: PurchasedBucket, refundable: bigint, display: CreditDisplay): string | null {
  const amount = formatCredits(fromMicros(refundable), display);
  const credits = display.asMoney ? `${amount} of credits` : amount;
  if (!b.amountPaid || !b.currency) return `Refund ${amount} to the card that paid? The credits leave your balance now.`;
  const { minor, exact } = refundMinor(minorOf(b.amountPaid), refundable, toMicros(b.granted));
  if (minor === 0n) return null;
  const money = formatPrice(formatMinor(minor, b.currency), b.currency);
  if (exact) return `Refund ${money} to the card that paid? The ${credits} leave your balance now.`;
  const unit = minorDigits(b.currency) === 0 ? `1 ${b.currency.toUpperCase()}` : 'a cent';
  return `Refund ${money} to the card that paid? All ${credits} leave your balance now: the refund is rounded down, so the part worth less than ${unit} is removed too and not paid back.`;
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
          const question = refundable > 0n ? refundQuestion(b, refundable, display) : null;
          // Worth less than the smallest currency unit: the server refuses it (nothing to pay back).
          const tooSmall = refundable > 0n && question === null;
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
                {tooSmall && <> (worth less than the smallest amount a refund can pay back)</>}
              </span>
              {question !== null && (
                // A refund gives the money back and takes the credits away: it cannot be undone, so it asks first.
                <ConfirmedAction
                  key={`${b.id}:${done}`}
                  trigger={`Refund unused ${amount}`}
                  triggerClassName=""
                  group={`Confirm the refund of ${amount}`}
                  question={question}
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
