import { useEffect, useState } from 'react';
import { useApolloClient, useMutation, useQuery } from '@apollo/client/react';
import { BillingPortalDocument, CatalogDocument, MessagesDocument, PurchaseCreditsDocument, SubscribeToPlanDocument, WalletDetailsDocument } from '../gql/graphql';
import { Card, ErrorMessage, Loading, Notice, useAction } from '../components/ui';
import { formatCredits, formatPrice } from '../lib/money';
import { navigate } from '../lib/router';
import { useShell } from '../lib/shell';

type Return = { state: 'waiting' | 'confirmed' | 'cancelled'; sessionId: string | null; credits?: string };

/**
 * Credit top-up: shown only while self-service billing is on. Buying goes to Stripe Checkout;
 * Stripe sends the customer back here with the session id, and the card waits (live, no
 * reload) for the PURCHASE_COMPLETED message the verified webhook creates for that session.
 */
export function TopUpCard({ checkout, checkoutSessionId }: { checkout: string | null; checkoutSessionId: string | null }) {
  const { billing, display } = useShell();
  const returned = useCheckoutReturn(checkout, checkoutSessionId);
  if (!billing.topUpAvailable) return null;
  return (
    <Card id="top-up" title="Buy credits">
      {returned?.state === 'waiting' && <Notice>Payment received. Waiting for Stripe to confirm it; your credits appear here as soon as it does.</Notice>}
      {returned?.state === 'confirmed' && (
        <Notice tone="success">
          <span data-testid="purchase-confirmed">Purchase confirmed{returned.credits ? `: ${formatCredits(returned.credits, display)} added to your wallet.` : '.'}</span>
        </Notice>
      )}
      {returned?.state === 'cancelled' && <Notice tone="warning">Checkout was cancelled. Nothing was charged.</Notice>}
      <Packs />
      <Plans />
      {billing.portalAvailable && <PortalLink />}
    </Card>
  );
}

function useCheckoutReturn(checkout: string | null, sessionId: string | null): Return | null {
  const { live } = useShell();
  const client = useApolloClient();
  const [state, setState] = useState<Return | null>(() =>
    checkout === 'success' ? { state: 'waiting', sessionId } : checkout === 'cancel' ? { state: 'cancelled', sessionId: null } : null,
  );
  useEffect(() => {
    if (checkout) navigate('account', { replace: true }); // the query string has done its job
  }, [checkout]);
  const waitingFor = state?.state === 'waiting' ? state.sessionId : undefined;
  useEffect(() => {
    if (waitingFor === undefined) return;
    const matches = (data: unknown) => !waitingFor || (data as { checkoutSessionId?: string } | null)?.checkoutSessionId === waitingFor;
    const confirm = (credits?: string) => setState({ state: 'confirmed', sessionId: waitingFor, credits });
    const stop = live.onMessage((m) => {
      if ((m.kind === 'PURCHASE_COMPLETED' && matches(m.data)) || m.kind === 'PLAN_RENEWED') confirm((m.data as { credits?: string } | null)?.credits);
    });
    // The webhook may have arrived before this page loaded.
    void client.query({ query: MessagesDocument, variables: { first: 20 }, fetchPolicy: 'network-only' }).then(({ data }) => {
      const done = data?.recent.edges.find((e) => e.node.kind === 'PURCHASE_COMPLETED' && matches(e.node.data));
      if (done) confirm((done.node.data as { credits?: string } | null)?.credits);
    });
    return stop;
  }, [waitingFor, live, client]);
  return state;
}

function Packs() {
  const { display } = useShell();
  const { data, error } = useQuery(CatalogDocument);
  const [purchase] = useMutation(PurchaseCreditsDocument);
  const buy = useAction(async (packId: string) => {
    const r = await purchase({ variables: { packId } });
    if (r.data) window.location.assign(r.data.purchaseCredits.url);
  });
  if (!data) return error ? <ErrorMessage error={error} /> : <Loading />;
  return (
    <>
      <ul className="packs">
        {data.creditPacks.map((p) => (
          <li key={p.id} className="pack">
            {/* Where credits show as money, "$10.00 $10.00" would read as a mistake: say which is which. */}
            <span className="pack-credits">{display.asMoney ? `${formatCredits(p.credits, display)} of credits` : formatCredits(p.credits, display)}</span>
            <span className="pack-price">for {formatPrice(p.price, p.currency)}</span>
            <button type="button" className="primary" disabled={buy.pending} onClick={() => void buy.run(p.id)} aria-label={`Buy ${p.name} for ${formatPrice(p.price, p.currency)}`}>
              Buy
            </button>
          </li>
        ))}
      </ul>
      <ErrorMessage error={buy.error} />
    </>
  );
}

/** Subscription plans (influgen): monthly allocation and price (the current plan's refill is on the balance card). */
function Plans() {
  const { display } = useShell();
  const catalog = useQuery(CatalogDocument);
  const details = useQuery(WalletDetailsDocument);
  const [subscribe] = useMutation(SubscribeToPlanDocument);
  const start = useAction(async (planId: string) => {
    const r = await subscribe({ variables: { planId } });
    if (r.data) window.location.assign(r.data.subscribeToPlan.url);
  });
  const plans = catalog.data?.plans ?? [];
  if (plans.length === 0) return null;
  const current = details.data?.me.plan ?? null;
  return (
    <div className="plans">
      <h3>Plans</h3>
      {current && <p>You are on the {current.plan.name} plan; change or cancel it in the billing portal.</p>}
      <ul className="packs">
        {plans.map((p) => (
          <li key={p.id} className="pack">
            <span className="pack-credits">
              {p.name}: {formatCredits(p.monthlyCredits, display)} / month
            </span>
            <span className="pack-price">{formatPrice(p.price, p.currency)} / month</span>
            {!current && (
              <button type="button" disabled={start.pending} onClick={() => void start.run(p.id)} aria-label={`Subscribe to ${p.name}`}>
                Subscribe
              </button>
            )}
          </li>
        ))}
      </ul>
      <ErrorMessage error={start.error} />
    </div>
  );
}

/** The Stripe billing portal (invoices, payment methods, plan changes). */
function PortalLink() {
  const [portal] = useMutation(BillingPortalDocument);
  const open = useAction(async () => {
    const r = await portal();
    if (r.data) window.location.assign(r.data.billingPortal.url);
  });
  return (
    <p>
      <button type="button" className="link-button" disabled={open.pending} onClick={() => void open.run()}>
        Open the billing portal (invoices and payment methods)
      </button>
      <ErrorMessage error={open.error} />
    </p>
  );
}
