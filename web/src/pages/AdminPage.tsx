import { useState, type FormEvent } from 'react';
import { useApolloClient, useMutation } from '@apollo/client/react';
import { AccountByEmailDocument, GrantCreditsDocument, SetSelfServiceDocument } from '../gql/graphql';
import { Card, codeOf, ErrorMessage, FieldError, Notice, useAction } from '../components/ui';
import { amountOf, formatCredits, fromMicros, toMicros, validateAmount } from '../lib/money';
import { useShell, useTitle } from '../lib/shell';

/** An idempotency key; getRandomValues also works on plain-HTTP origins, where randomUUID does not exist. */
const newKey = () => Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');

/** Admins: the self-service billing switch and credit grants. */
export function AdminPage() {
  useTitle('Admin');
  return (
    <div className="page">
      <h1 tabIndex={-1}>Admin</h1>
      <div className="grid">
        <SelfService />
        <Grant />
      </div>
    </div>
  );
}

function SelfService() {
  const { billing } = useShell();
  const [set] = useMutation(SetSelfServiceDocument, { refetchQueries: ['Shell'], awaitRefetchQueries: true });
  const toggle = useAction(async (enabled: boolean) => set({ variables: { enabled } }));
  const on = billing.selfServiceEnabled;
  return (
    <Card id="self-service" title="Self-service billing">
      <p>
        When on, customers can buy credit packs and plans through Stripe Checkout and open the billing portal. Now:{' '}
        <strong data-testid="self-service-state">{on ? 'on' : 'off'}</strong>.
      </p>
      {!billing.stripeConfigured && <Notice tone="warning">Stripe is not configured on this server, so top-up stays unavailable even when this is on.</Notice>}
      <button type="button" className={on ? 'danger' : 'primary'} aria-disabled={toggle.pending} onClick={() => void toggle.run(!on)}>
        {on ? 'Turn self-service billing off' : 'Turn self-service billing on'}
      </button>
      <ErrorMessage error={toggle.error} />
    </Card>
  );
}

function Grant() {
  const { display } = useShell();
  const client = useApolloClient();
  const [target, setTarget] = useState('');
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [invalid, setInvalid] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  // One idempotency key per distinct grant: a retry of the same form cannot grant twice.
  const [key, setKey] = useState(() => newKey());
  const [grant] = useMutation(GrantCreditsDocument);
  const submit = useAction(async () => {
    const who = target.trim();
    const byEmail = who.includes('@');
    try {
      const accountId = byEmail ? (await client.query({ query: AccountByEmailDocument, variables: { email: who }, fetchPolicy: 'network-only' })).data!.accountByEmail.id : who;
      const r = await grant({ variables: { accountId, amount: amountOf(amount), reason: reason.trim(), idempotencyKey: key } });
      setDone(`Granted ${formatCredits(fromMicros(toMicros(amountOf(amount))), display)} to ${who}; their balance is now ${formatCredits(r.data!.grantCredits.balanceAfter, display)}.`);
      setKey(newKey());
      setAmount('');
    } catch (err) {
      // No such account: said about the field, in words, rather than "We could not find that".
      if (codeOf(err) !== 'NOT_FOUND') throw err;
      setInvalid(byEmail ? `No account has the email ${who}. Check the spelling, or enter the account's id.` : `No account has the id ${who}. Check it, or enter the account's email.`);
    }
  });
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setDone(null);
    const problem = !target.trim() ? 'Enter an account id or email.' : validateAmount(amount) ?? (!reason.trim() ? 'Give a reason; it is kept in the ledger.' : null);
    setInvalid(problem);
    if (!problem) void submit.run();
  };
  const edit = (fn: (v: string) => void) => (e: { target: { value: string } }) => {
    fn(e.target.value);
    setKey(newKey());
  };
  return (
    <Card id="grant" title="Grant credits">
      <form className="stack" onSubmit={onSubmit} noValidate>
        <label className="field">
          <span>Account (email or id)</span>
          <input value={target} onChange={edit(setTarget)} aria-describedby="grant-error" />
        </label>
        <label className="field">
          <span>Amount</span>
          <input inputMode="decimal" value={amount} onChange={edit(setAmount)} />
        </label>
        <label className="field">
          <span>Reason</span>
          <input value={reason} onChange={edit(setReason)} placeholder="goodwill for the outage on 3 March" />
        </label>
        <FieldError id="grant-error" message={invalid} />
        <ErrorMessage error={submit.error} />
        {done && <Notice tone="success">{done}</Notice>}
        <div className="row">
          <button type="submit" className="primary" aria-disabled={submit.pending}>
            Grant credits
          </button>
        </div>
      </form>
    </Card>
  );
}
