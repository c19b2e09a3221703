import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { useMutation, useQuery } from '@apollo/client/react';
import { AutoTopUpDocument, CatalogDocument, SetupAutoTopUpPaymentMethodDocument, UpdateAutoTopUpDocument, type AutoTopUpFieldsFragment, type UpdateAutoTopUpInput } from '../gql/graphql';
import { Card, codeOf, ErrorMessage, FieldError, Loading, Notice, useAction, useDraft } from '../components/ui';
import { amountOf, formatCount, formatCredits, formatMinor, formatPrice, packCredits, priceInMinor, toMicros, validateAmount } from '../lib/money';
import { useShell } from '../lib/shell';
import { formatDateTime } from '../lib/time';

/** How long the card waits for Stripe's setup_intent.succeeded after a setup-mode Checkout. */
const CARD_CONFIRMATION_MS = 60_000;
const CARD_POLL_MS = 1_500;
const CUSTOM = 'custom';
/** Messages after which the settings (count, failure, saved card) may have changed. */
const REFETCH_ON = new Set(['AUTO_TOP_UP_SUCCEEDED', 'AUTO_TOP_UP_FAILED', 'PAYMENT_DISPUTED', 'PURCHASE_COMPLETED']);
/** What enabling without a saved card needs, said where the customer can act on it. */
const NO_CARD = 'Save a card first: use "Save a card" above (buying a pack saves yours too).';
/** What a card can be charged at once, in the currency's smallest unit: the server's bounds for an amount (auto-top-up.settings.ts). */
const MIN_CHARGE_MINOR = 50n;
const MAX_CHARGE_MINOR = 99_999_999n;
/** The server's refusal to enable without a card, whose message names an API mutation. */
const isNoCardRefusal = (error: unknown) => codeOf(error) === 'BAD_USER_INPUT' && /saved card/.test(error instanceof Error ? error.message : '');

/**
 * Auto top-up: when a spend leaves the balance below the threshold, the server charges the saved
 * card off-session for a pack or an amount (at most the monthly maximum), and the credits arrive
 * live like any purchase. Shown only while self-service billing is on, like "Buy credits".
 */
export function AutoTopUpCard({ checkout }: { checkout: string | null }) {
  const { billing, live } = useShell();
  const [cardReturn] = useState(() => checkout === 'card_saved'); // the query string is dropped after the first render
  // The customer left Stripe's card page without saving one (BILLING_SETUP_CANCEL_URL).
  const [cardCancelled] = useState(() => checkout === 'card_cancel');
  const waitingForCard = useWaitingForCard(cardReturn);
  const { data, error, refetch, startPolling, stopPolling } = useQuery(AutoTopUpDocument, { skip: !billing.topUpAvailable });
  // A top-up's outcome (this month's count, a failure) arrives as a message, and so does a pack
  // bought through Checkout, which saves its card for top-ups: read the settings again.
  useEffect(() => live.onMessage((m) => REFETCH_ON.has(m.kind) && void refetch()), [live, refetch]);
  const settings = data?.me.settings.autoTopUp;
  // The card is confirmed once Stripe saved one after the customer left for its page (the time
  // the card had then is kept in sessionStorage; without it, any saved card counts).
  // Read during render, removed once mounted: a render React discards (a suspended mount) reads it again.
  const [cardBefore] = useState(() => (cardReturn ? readCardBefore() : null));
  useEffect(() => {
    if (cardReturn || cardCancelled) forgetCardBefore();
  }, [cardReturn, cardCancelled]);
  const cardConfirmed = settings !== undefined && settings.paymentMethodSaved && (cardBefore === null || (settings.paymentMethodSavedAt ?? '') !== cardBefore);
  const cardPending = waitingForCard && settings !== undefined && !cardConfirmed;
  // Stripe confirms a saved card with a webhook a moment after sending the customer back:
  // ask again until it has (or until CARD_CONFIRMATION_MS has passed).
  useEffect(() => {
    if (!cardPending) return;
    startPolling(CARD_POLL_MS);
    return () => stopPolling();
  }, [cardPending, startPolling, stopPolling]);
  if (!billing.topUpAvailable) return null;
  return (
    <Card id="auto-top-up" title="Auto top-up">
      {!settings ? (
        error ? <ErrorMessage error={error} /> : <Loading />
      ) : (
        <>
          <AutoTopUpState settings={settings} />
          {cardReturn && <CardReturnNotice pending={cardPending} confirmed={cardConfirmed} />}
          {cardCancelled && (
            <Notice tone="warning">Saving a card was cancelled. No card was saved{settings.paymentMethodSaved ? '; the card saved before stays in use' : ''}.</Notice>
          )}
          <CardLine settings={settings} />
          <AutoTopUpForm settings={settings} />
        </>
      )}
    </Card>
  );
}

/** What the page knows after the customer came back from saving a card with Stripe. */
function CardReturnNotice({ pending, confirmed }: { pending: boolean; confirmed: boolean }) {
  if (confirmed) return <Notice tone="success">Your card is saved for auto top-up.</Notice>;
  if (pending) return <Notice>Waiting for Stripe to confirm your card…</Notice>;
  return <Notice tone="warning">Stripe has not confirmed the card yet. Reload this page in a minute.</Notice>;
}

const CARD_BEFORE_KEY = 'credits:auto-top-up-card-before';

/** Remembers, across Stripe's page, when the current card was saved ('' for none). */
function rememberCardBefore(savedAt: string | null | undefined): void {
  try {
    sessionStorage.setItem(CARD_BEFORE_KEY, savedAt ?? '');
  } catch {
    // storage refused (private mode): the return then accepts any saved card
  }
}

function readCardBefore(): string | null {
  try {
    return sessionStorage.getItem(CARD_BEFORE_KEY);
  } catch {
    return null;
  }
}

function forgetCardBefore(): void {
  try {
    sessionStorage.removeItem(CARD_BEFORE_KEY);
  } catch {
    // nothing was kept
  }
}

/** True until CARD_CONFIRMATION_MS after the customer came back from a setup-mode Checkout. */
function useWaitingForCard(returned: boolean): boolean {
  const [waiting, setWaiting] = useState(returned);
  useEffect(() => {
    if (!returned) return;
    const timer = setTimeout(() => setWaiting(false), CARD_CONFIRMATION_MS);
    return () => clearTimeout(timer);
  }, [returned]);
  return waiting;
}

function AutoTopUpState({ settings: s }: { settings: AutoTopUpFieldsFragment }) {
  const { display } = useShell();
  // Where credits are shown as money, their price says nothing more, unless rounding up to a
  // whole cent made it differ ("$12.345 of credits for $12.35").
  const price = s.price && s.currency && s.amount && (!display.asMoney || toMicros(s.price) !== toMicros(s.amount)) ? ` for ${formatPrice(s.price, s.currency)}` : '';
  const what = s.amount ? `${packCredits(s.amount, display)}${price}` : null;
  return (
    <>
      <p data-testid="auto-top-up-state">
        {s.enabled && s.threshold && what
          ? `On: when the balance falls below ${formatCredits(s.threshold, display)}, buys ${what}. ${formatCount(s.topUpsThisMonth)} of at most ${formatCount(s.monthlyMaximum)} this month.`
          : 'Off.'}
      </p>
      <FailureNotice settings={s} />
    </>
  );
}

/** The server stops top-ups at once when the bank wants the customer to confirm a payment (failure reason `authentication_required`). */
const AUTHENTICATION_REQUIRED = /^authentication_required\b/;

/**
 * A disputed payment turns top-ups off server-side (failure reason `payment_disputed: <amount>`,
 * with no failed top-up counted): a card whose holder disputes charges is not charged unasked.
 */
const PAYMENT_DISPUTED = /^payment_disputed\b:?\s*(.*)$/;

/** Why top-ups stopped, or the last failure and when the next top-up may start. */
function FailureNotice({ settings: s }: { settings: AutoTopUpFieldsFragment }) {
  const { me } = useShell();
  const disputed = PAYMENT_DISPUTED.exec(s.lastFailure ?? '');
  if (!s.enabled && disputed) {
    return (
      <Notice tone="warning">
        Turned off because a payment{disputed[1] ? ` of ${disputed[1]}` : ''} was disputed with your bank. Tick “Top up automatically” and save to have your card charged again.
      </Notice>
    );
  }
  if (s.stoppedAfterFailures && AUTHENTICATION_REQUIRED.test(s.lastFailure ?? '')) {
    return <Notice tone="warning">Stopped: your bank asks you to confirm the payment, which an automatic top-up cannot do. Buy a pack by hand or save your card again to start again.</Notice>;
  }
  if (s.stoppedAfterFailures) {
    return (
      <Notice tone="warning">
        Stopped after {s.consecutiveFailures} failed payments{s.lastFailure ? ` (${s.lastFailure})` : ''}. Save the settings or a new card to start again.
      </Notice>
    );
  }
  if (s.consecutiveFailures === 0) return null;
  const nextTry = s.retryAfter && isFuture(s.retryAfter) ? ` Next try after ${formatDateTime(s.retryAfter, me.timezone)}.` : '';
  return (
    <Notice tone="warning">
      The last top-up failed{s.lastFailure ? `: ${s.lastFailure}` : '.'}
      {nextTry}
    </Notice>
  );
}

function isFuture(iso: string): boolean {
  return Date.parse(iso) > Date.now();
}

/** Whether a card is saved for off-session payments, and a setup-mode Checkout to save one. */
function CardLine({ settings }: { settings: AutoTopUpFieldsFragment }) {
  const saved = settings.paymentMethodSaved;
  const [setup] = useMutation(SetupAutoTopUpPaymentMethodDocument);
  const open = useAction(async () => {
    const r = await setup();
    if (!r.data) return;
    rememberCardBefore(settings.paymentMethodSavedAt);
    window.location.assign(r.data.setupAutoTopUpPaymentMethod.url);
  });
  return (
    <div className="row wrap">
      <p data-testid="auto-top-up-card">{saved ? 'A card is saved for top-ups.' : 'No card saved yet: buying a pack saves yours, or save one without buying.'}</p>
      <button type="button" aria-disabled={open.pending} onClick={() => void open.run()}>
        {saved ? 'Use another card' : 'Save a card'}
      </button>
      <ErrorMessage error={open.error} />
    </div>
  );
}

/** The settings the form edits, as one string: a "saved" notice holds only while the server still has them. */
const formKeyOf = (s: AutoTopUpFieldsFragment) => JSON.stringify([s.enabled, s.threshold, s.packId, s.amount, s.monthlyMaximum]);

/**
 * The settings form. Every field follows the server's value (a dispute turning top-ups off, a save
 * in another tab or by an API client, read again when the tab is shown) until the customer edits
 * it (`useDraft`), and a save sends only the fields the customer changed: the others, omitted,
 * stay as the server has them, so a stale field can never switch top-ups on or off.
 */
function AutoTopUpForm({ settings: s }: { settings: AutoTopUpFieldsFragment }) {
  const { priceBook, display } = useShell();
  const catalog = useQuery(CatalogDocument);
  const packs = catalog.data?.creditPacks ?? [];
  const enabled = useDraft(s.enabled ? 'on' : '');
  const threshold = useDraft(s.threshold ?? '');
  const choice = useDraft(s.packId ?? (s.amount ? CUSTOM : ''));
  const amount = useDraft(s.packId ? '' : (s.amount ?? ''));
  const maximum = useDraft(String(s.monthlyMaximum));
  const drafts = [enabled, threshold, choice, amount, maximum];
  const on = enabled.value === 'on';
  const [invalid, setInvalid] = useState<Record<string, string | null>>({});
  // What the last save left on the server: the notice goes once the server has something else.
  const [savedAs, setSavedAs] = useState<string | null>(null);
  const [update] = useMutation(UpdateAutoTopUpDocument);
  const save = useAction(async (input: UpdateAutoTopUpInput) => {
    const r = await update({ variables: { input } });
    for (const draft of drafts) draft.settle();
    if (r.data) setSavedAs(formKeyOf(r.data.updateAutoTopUp));
  });
  // A server answer is about what was sent: it goes once the form changes or is sent again.
  const edit = (draft: { edit: (value: string) => void }) => (value: string) => {
    draft.edit(value);
    save.setError(null);
    setSavedAs(null);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSavedAs(null);
    save.setError(null);
    const problems = {
      // The server refuses it too, in words for partners: say it here, before sending.
      enabled: on && !s.paymentMethodSaved ? NO_CARD : null,
      threshold: threshold.value.trim() === '' && !on ? null : validateAmount(threshold.value),
      amount: choice.value === CUSTOM ? (validateAmount(amount.value) ?? chargeProblem(customPrice)) : null,
      pack: on && choice.value === '' ? 'Choose what each top-up buys.' : null,
      maximum: /^\d{1,3}$/.test(maximum.value.trim()) && Number(maximum.value) >= 1 && Number(maximum.value) <= 100 ? null : 'Enter a whole number from 1 to 100.',
    };
    setInvalid(problems);
    if (Object.values(problems).some(Boolean)) return;
    // Only what the customer changed (a save with nothing changed still starts failed top-ups again).
    const custom = choice.value === CUSTOM;
    void save.run({
      ...(enabled.edited ? { enabled: on } : {}),
      ...(threshold.edited && threshold.value.trim() ? { threshold: amountOf(threshold.value) } : {}),
      ...(custom && (choice.edited || amount.edited) ? { amount: amountOf(amount.value) } : !custom && choice.value && choice.edited ? { packId: choice.value } : {}),
      ...(maximum.edited ? { monthlyMaximum: Number(maximum.value) } : {}),
    });
  };
  // What the card is charged for "another amount", priced as the server prices it.
  const customPrice = choice.value === CUSTOM && validateAmount(amount.value) === null ? { minor: priceInMinor(amountOf(amount.value), priceBook.creditValue, priceBook.currency), currency: priceBook.currency } : null;
  // A card removed server-side after the page read it: the same sentence, not the API's.
  const enabledError = invalid.enabled ?? (isNoCardRefusal(save.error) ? NO_CARD : null);
  return (
    <form className="stack" onSubmit={submit} noValidate>
      <label className="check">
        <input type="checkbox" checked={on} onChange={(e) => edit(enabled)(e.target.checked ? 'on' : '')} aria-describedby="auto-top-up-enabled-error" aria-invalid={enabledError ? true : undefined} />
        <span>Top up automatically</span>
      </label>
      <FieldError id="auto-top-up-enabled-error" message={enabledError} />
      <TextField
        id="auto-top-up-threshold"
        label="When the balance falls below"
        inputMode="decimal"
        value={threshold.value}
        onChange={edit(threshold)}
        error={invalid.threshold}
        hint={<span data-testid="auto-top-up-threshold-unit">{display.asMoney ? `An amount in ${display.currency}, as the balance is shown.` : 'A number of credits, as the balance is shown.'}</span>}
      />
      <label className="field" htmlFor="auto-top-up-pack">
        <span>Buy each time</span>
        <select id="auto-top-up-pack" value={choice.value} onChange={(e) => edit(choice)(e.target.value)} aria-describedby="auto-top-up-pack-error">
          <option value="">Choose…</option>
          {packs.map((p) => (
            <option key={p.id} value={p.id}>
              {/* As on the Buy credits card: where credits show as money, "10 credits for $10.00" would name another unit. */}
              {packCredits(p.credits, display)} for {formatPrice(p.price, p.currency)}
            </option>
          ))}
          <option value={CUSTOM}>Another amount</option>
        </select>
      </label>
      <FieldError id="auto-top-up-pack-error" message={invalid.pack ?? null} />
      {choice.value === CUSTOM && (
        <TextField
          id="auto-top-up-amount"
          label="Credits to buy"
          inputMode="decimal"
          value={amount.value}
          onChange={edit(amount)}
          error={invalid.amount}
          hint={customPrice && <span data-testid="auto-top-up-price">Your card is charged {formatPrice(formatMinor(customPrice.minor, customPrice.currency), customPrice.currency)} each time ({formatPrice(priceBook.creditValue, priceBook.currency)} a credit, rounded up).</span>}
        />
      )}
      <TextField id="auto-top-up-maximum" label="At most this many top-ups a month" inputMode="numeric" value={maximum.value} onChange={edit(maximum)} error={invalid.maximum} />
      <ErrorMessage error={isNoCardRefusal(save.error) ? null : save.error} />
      {savedAs !== null && savedAs === formKeyOf(s) && <Notice tone="success">Auto top-up settings saved.</Notice>}
      <div className="row">
        <button type="submit" aria-disabled={save.pending}>
          Save auto top-up
        </button>
      </div>
    </form>
  );
}

/** Why the card cannot be charged this price at once (the server refuses it too), or null. */
function chargeProblem(price: { minor: bigint; currency: string } | null): string | null {
  if (!price) return null;
  const money = (minor: bigint) => formatPrice(formatMinor(minor, price.currency), price.currency);
  if (price.minor < MIN_CHARGE_MINOR) return `That costs ${money(price.minor)}; a card can be charged ${money(MIN_CHARGE_MINOR)} or more at once.`;
  if (price.minor > MAX_CHARGE_MINOR) return `That costs ${money(price.minor)}; a card can be charged at most ${money(MAX_CHARGE_MINOR)} at once.`;
  return null;
}

/** A labelled text input with its error below, described by it (and by its hint, if any). */
function TextField(props: { id: string; label: string; inputMode: 'decimal' | 'numeric'; value: string; onChange: (value: string) => void; error: string | null | undefined; hint?: ReactNode }) {
  const { id, label, inputMode, value, onChange, error, hint } = props;
  return (
    <>
      <label className="field" htmlFor={id}>
        <span>{label}</span>
        <input id={id} inputMode={inputMode} value={value} onChange={(e) => onChange(e.target.value)} aria-describedby={hint ? `${id}-hint ${id}-error` : `${id}-error`} aria-invalid={error ? true : undefined} />
      </label>
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      <FieldError id={`${id}-error`} message={error ?? null} />
    </>
  );
}
