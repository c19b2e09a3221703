import { useEffect, useState } from 'react';
import { useMutation, useQuery } from '@apollo/client/react';
import { BillingPortalDocument, CatalogDocument, MessagesDocument, PurchaseCreditsDocument, SubscribeToPlanDocument, WalletDetailsDocument, type MessageFieldsFragment } from '../gql/graphql';
import { Card, ErrorMessage, Loading, Notice, useAction } from '../components/ui';
import { formatCredits, formatPrice, packCredits } from '../lib/money';
import { navigate } from '../lib/router';
import { useShell } from '../lib/shell';

/**
 * What the page Stripe sent the customer back to waits for: a pack's PURCHASE_COMPLETED naming
 * its Checkout session, or a plan's first PLAN_RENEWED naming the plan's `checkoutRef` (the
 * `plan_ref` the server added to the return URL; a session id cannot be in the metadata the
 * subscription is created with).
 */
type AwaitedCheckout = { sessionId: string | null; planRef: string | null };
/** `slow`: still unconfirmed after CONFIRMATION_WAIT_MS; the message may still come, and then confirms it. */
type Return = { state: 'waiting' | 'slow' | 'confirmed' | 'cancelled'; credits?: string; plan?: boolean };

/** How long the card says it is waiting for Stripe before saying the payment is still being confirmed. */
const CONFIRMATION_WAIT_MS = 60_000;

/**
 * Credit top-up: shown only while self-service billing is on. Buying goes to Stripe Checkout;
 * Stripe sends the customer back here, and the card waits (live, no reload) for the message the
 * verified webhook creates for that checkout (see AwaitedCheckout).
 */
export function TopUpCard({ checkout, awaited }: { checkout: string | null; awaited: AwaitedCheckout }) {
  const { billing, display } = useShell();
  const returned = useCheckoutReturn(checkout, awaited);
  if (!billing.topUpAvailable) return null;
  return (
    <Card id="top-up" title="Buy credits">
      {/* Nothing is received until Stripe's event says so (the credits come with it). */}
      {returned?.state === 'waiting' && <Notice>Waiting for Stripe to confirm your payment; your credits appear here as soon as it does.</Notice>}
      {returned?.state === 'slow' && (
        <Notice tone="warning">
          <span data-testid="purchase-pending">
            Your payment is still being confirmed by Stripe. Your credits will appear in your balance when Stripe confirms it; you do not need to pay again, and you can leave this page.
          </span>
        </Notice>
      )}
      {returned?.state === 'confirmed' && (
        <Notice tone="success">
          <span data-testid="purchase-confirmed">
            {returned.plan ? 'Plan started' : 'Purchase confirmed'}
            {returned.credits ? `: ${formatCredits(returned.credits, display)} added to your wallet.` : '.'}
          </span>
        </Notice>
      )}
      {returned?.state === 'cancelled' && <Notice tone="warning">Checkout was cancelled. Nothing was charged.</Notice>}
      <Packs />
      <Plans />
      {billing.portalAvailable && <PortalLink />}
    </Card>
  );
}

function useCheckoutReturn(checkout: string | null, awaited: AwaitedCheckout): Return | null {
  const { live } = useShell();
  const [state, setState] = useState<Return | null>(() =>
    checkout === 'success' ? { state: 'waiting', plan: awaited.planRef !== null } : checkout === 'cancel' ? { state: 'cancelled' } : null,
  );
  // Read once: the URL is replaced just below, and what this page waits for must not change with it.
  const [target] = useState(awaited);
  useEffect(() => {
    // The query string has done its job. Back from saving a card (or not), the Auto top-up card,
    // which says how it went, is revealed: it is far below this one.
    if (checkout) navigate(checkout.startsWith('card_') ? 'account#auto-top-up' : 'account', { replace: true });
  }, [checkout]);
  const waiting = state?.state === 'waiting' || state?.state === 'slow';
  // After a minute the card stops saying it waits: it says the payment is being confirmed (the
  // credits still appear, here too, once Stripe confirms it).
  useEffect(() => {
    if (state?.state !== 'waiting') return;
    const timer = setTimeout(() => setState((s) => (s?.state === 'waiting' ? { ...s, state: 'slow' } : s)), CONFIRMATION_WAIT_MS);
    return () => clearTimeout(timer);
  }, [state?.state]);
  // The webhook may have landed before this page loaded, or while its socket was not yet
  // subscribed: the recent messages are read now and again on every new message and every
  // (re)connect (LiveSync refetches "Messages").
  const recent = useQuery(MessagesDocument, { variables: { first: 20 }, fetchPolicy: 'network-only', skip: !waiting });
  useEffect(() => {
    if (!waiting) return;
    const confirm = (m: MessageFieldsFragment) => setState({ state: 'confirmed', plan: target.planRef !== null, credits: (m.data as { credits?: string } | null)?.credits });
    const done = recent.data?.recent.edges.map((e) => e.node).find((m) => confirms(m, target));
    if (done) {
      confirm(done);
      return;
    }
    return live.onMessage((m) => {
      if (confirms(m, target)) confirm(m);
    });
  }, [waiting, recent.data, target, live]);
  return state;
}

/** Whether `m` is the message the returning page waits for. */
function confirms(m: MessageFieldsFragment, awaited: AwaitedCheckout): boolean {
  const data = (m.data ?? {}) as { checkoutSessionId?: string; checkoutRef?: string };
  if (awaited.planRef !== null) return m.kind === 'PLAN_RENEWED' && data.checkoutRef === awaited.planRef;
  // A return URL without the session id (a custom BILLING_SUCCESS_URL) takes the first purchase seen.
  return m.kind === 'PURCHASE_COMPLETED' && (awaited.sessionId === null || data.checkoutSessionId === awaited.sessionId);
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
            <span className="pack-credits">{packCredits(p.credits, display)}</span>
            <span className="pack-price">for {formatPrice(p.price, p.currency)}</span>
            {/* Heard as it is read: "Buy $10.00 of credits for $10.00". */}
            <button type="button" className="primary" aria-disabled={buy.pending} onClick={() => void buy.run(p.id)} aria-label={`Buy ${packCredits(p.credits, display)} for ${formatPrice(p.price, p.currency)}`}>
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
              <button type="button" aria-disabled={start.pending} onClick={() => void start.run(p.id)} aria-label={`Subscribe to ${p.name}`}>
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
      <button type="button" className="link-button" aria-disabled={open.pending} onClick={() => void open.run()}>
        Open the billing portal (invoices and payment methods)
      </button>
      <ErrorMessage error={open.error} />
    </p>
  );
}
