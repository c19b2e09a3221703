import { useEffect, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '@apollo/client/react';
import {
  CreateWebhookEndpointDocument,
  DeleteWebhookEndpointDocument,
  ReplayWebhookDeliveryDocument,
  RotateWebhookSecretDocument,
  UpdateWebhookEndpointDocument,
  WebhookDeliveriesDocument,
  WebhookEndpointsDocument,
  type WebhookEndpointFieldsFragment,
  type WebhookEventType,
} from '../gql/graphql';
import { Card, ConfirmedAction, Empty, ErrorMessage, FieldError, focusCardHeading, Loading, Notice, useAction } from '../components/ui';
import { SecretReveal } from '../components/SecretReveal';
import { Pager, useCursorPages } from '../components/CursorPager';
import { useShell, useTitle } from '../lib/shell';
import { formatDateTime } from '../lib/time';

/** Every event type, with the name receivers see in `type` (docs/partners.md). */
export const EVENT_TYPES: { value: WebhookEventType; name: string; label: string }[] = [
  { value: 'LOW_CREDITS', name: 'wallet.low_credits', label: 'Credits running low (25 %, 10 %, 0 %)' },
  { value: 'CREDITS_DEPLETED', name: 'wallet.depleted', label: 'Credits depleted' },
  { value: 'WALLET_PAUSED', name: 'wallet.paused', label: 'Generation paused' },
  { value: 'WALLET_RESUMED', name: 'wallet.resumed', label: 'Generation resumed' },
  { value: 'BUDGET_CAP_REACHED', name: 'wallet.budget_cap_reached', label: 'Monthly budget cap reached' },
  { value: 'BURN_ALERT', name: 'wallet.burn_alert', label: 'Burn alert' },
  { value: 'PURCHASE_COMPLETED', name: 'billing.purchase_completed', label: 'Purchase completed' },
  { value: 'REFUND_COMPLETED', name: 'billing.refund_completed', label: 'Refund completed' },
  { value: 'PLAN_RENEWED', name: 'billing.plan_renewed', label: 'Plan renewed' },
  { value: 'AUTO_TOP_UP_SUCCEEDED', name: 'billing.auto_top_up_succeeded', label: 'Auto top-up succeeded' },
  { value: 'AUTO_TOP_UP_FAILED', name: 'billing.auto_top_up_failed', label: 'Auto top-up failed' },
  { value: 'PAYMENT_DISPUTED', name: 'billing.payment_disputed', label: 'Payment disputed' },
  { value: 'DISPUTED_CREDITS_RESTORED', name: 'billing.disputed_credits_restored', label: 'Disputed credits restored' },
];
const nameOf = (type: WebhookEventType) => EVENT_TYPES.find((e) => e.value === type)?.name ?? type;
/** An endpoint's events as its row shows them: every type is said in words, not as a row of names. */
const eventsOf = (types: readonly WebhookEventType[]): string =>
  EVENT_TYPES.every((t) => types.includes(t.value)) ? `All ${EVENT_TYPES.length} events` : types.map(nameOf).join(', ');
/**
 * Deliveries refresh this often while their list is open (they settle in the background), and
 * the endpoints (status, failing since) while the page is shown: the worker changes both.
 */
const DELIVERIES_POLL_MS = 3_000;
/** No polling from a hidden tab. */
const hidden = () => document.visibilityState === 'hidden';
const PAGE_SIZE = 20;

/** Outbound webhooks: endpoints, their signing secrets (shown once) and their delivery logs. */
export function WebhooksPage() {
  useTitle('Webhooks');
  return (
    <div className="page">
      <h1 tabIndex={-1}>Webhooks</h1>
      <p className="muted">
        Events are POSTed to your endpoints, signed per the Standard Webhooks specification, in version order for each wallet, and retried with backoff until your endpoint
        answers 2xx.
      </p>
      <div className="grid">
        <CreateEndpoint />
        <EndpointList />
      </div>
    </div>
  );
}

function CreateEndpoint() {
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [events, setEvents] = useState<WebhookEventType[]>(EVENT_TYPES.map((e) => e.value));
  const [invalid, setInvalid] = useState<string | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [create] = useMutation(CreateWebhookEndpointDocument, { refetchQueries: ['WebhookEndpoints'], awaitRefetchQueries: true });
  const save = useAction(async () => {
    const r = await create({ variables: { input: { url: url.trim(), events, description: description.trim() || null } } });
    setSecret(r.data?.createWebhookEndpoint.secret ?? null);
    setUrl('');
    setDescription('');
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const problem = !/^https?:\/\/\S+$/i.test(url.trim()) ? 'Enter a URL starting with https://.' : events.length === 0 ? 'Choose at least one event.' : null;
    setInvalid(problem);
    if (!problem) void save.run();
  };
  return (
    <Card id="create-endpoint" title="Add an endpoint">
      <form className="stack" onSubmit={submit} noValidate>
        <label className="field" htmlFor="endpoint-url">
          <span>Endpoint URL</span>
          <input id="endpoint-url" type="url" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://example.com/webhooks/credits" aria-describedby="endpoint-error" />
        </label>
        <label className="field" htmlFor="endpoint-description">
          <span>Description (optional)</span>
          <input id="endpoint-description" value={description} maxLength={500} onChange={(e) => setDescription(e.target.value)} />
        </label>
        <EventChoice events={events} onChange={setEvents} />
        <FieldError id="endpoint-error" message={invalid} />
        <ErrorMessage error={save.error} />
        <div className="row">
          <button type="submit" className="primary" aria-disabled={save.pending}>
            Add endpoint
          </button>
        </div>
      </form>
      {secret && <SecretReveal key={secret} secret={secret} testId="webhook-secret" what="signing secret" onDone={() => setSecret(null)} />}
    </Card>
  );
}

function EventChoice({ events, onChange }: { events: WebhookEventType[]; onChange: (events: WebhookEventType[]) => void }) {
  return (
    <fieldset className="stack">
      <legend>Events</legend>
      <label className="check">
        <input type="checkbox" checked={events.length === EVENT_TYPES.length} onChange={(e) => onChange(e.target.checked ? EVENT_TYPES.map((t) => t.value) : [])} />
        <span>All events</span>
      </label>
      {EVENT_TYPES.map((t) => (
        <label key={t.value} className="check">
          <input
            type="checkbox"
            checked={events.includes(t.value)}
            onChange={(e) => onChange(e.target.checked ? [...events, t.value] : events.filter((x) => x !== t.value))}
          />
          <span>
            {t.label} <code className="small">{t.name}</code>
          </span>
        </label>
      ))}
    </fieldset>
  );
}

function EndpointList() {
  const { data, error } = useQuery(WebhookEndpointsDocument, { pollInterval: DELIVERIES_POLL_MS, skipPollAttempt: hidden });
  return (
    <Card id="endpoint-list" title="Your endpoints">
      {!data ? (
        error ? <ErrorMessage error={error} /> : <Loading />
      ) : data.webhookEndpoints.length === 0 ? (
        <Empty>No endpoints yet.</Empty>
      ) : (
        <ul className="list">
          {data.webhookEndpoints.map((endpoint) => (
            <Endpoint key={endpoint.id} endpoint={endpoint} />
          ))}
        </ul>
      )}
    </Card>
  );
}

function Endpoint({ endpoint: e }: { endpoint: WebhookEndpointFieldsFragment }) {
  const { me } = useShell();
  const [showDeliveries, setShowDeliveries] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [update] = useMutation(UpdateWebhookEndpointDocument);
  const [rotate] = useMutation(RotateWebhookSecretDocument);
  const [remove] = useMutation(DeleteWebhookEndpointDocument, { refetchQueries: ['WebhookEndpoints'], awaitRefetchQueries: true });
  const disabled = e.status !== 'ENABLED';
  const toggle = useAction(async () => update({ variables: { id: e.id, input: { enabled: disabled } } }));
  // One old secret signs beside the new one for a grace period; rotating again within it stops
  // the old ones at once (graceSeconds 0), which the button says until the period ends (and the
  // click checks again: the page may have stayed open past it).
  const graceEnd = e.previousSecretExpiresAt ?? null;
  const inGrace = useUntil(graceEnd);
  const rotateSecret = useAction(async () => {
    const r = await rotate({ variables: { id: e.id, graceSeconds: isFuture(graceEnd) ? 0 : null } });
    setSecret(r.data?.rotateWebhookSecret.secret ?? null);
  });
  // Deleted, the endpoint goes with the focus (on "Delete for good"): the list's heading takes it, as revoking a key does.
  const doDelete = useAction(async () => {
    await remove({ variables: { id: e.id } });
    focusCardHeading('endpoint-list');
  });
  return (
    <li className="list-row endpoint" data-testid="webhook-endpoint">
      <div className="stack">
        <div>
          <code>{e.url}</code> <span className={`tag${disabled ? ' tag-warning' : ''}`}>{disabled ? (e.disabledReason === 'failing' ? 'disabled: failing' : 'disabled') : 'enabled'}</span>
        </div>
        {e.description && <div>{e.description}</div>}
        <div className="muted small">
          {eventsOf(e.events)} · added {formatDateTime(e.createdAt, me.timezone)}
          {e.secretRotatedAt && ` · secret rotated ${formatDateTime(e.secretRotatedAt, me.timezone)}`}
          {e.previousSecretExpiresAt && ` (the previous one also signs until ${formatDateTime(e.previousSecretExpiresAt, me.timezone)})`}
        </div>
        {e.failingSince && <Notice tone="warning">Failing since {formatDateTime(e.failingSince, me.timezone)}: deliveries are being retried.</Notice>}
        {disabled && e.disabledReason === 'failing' && <Notice tone="warning">Disabled after failing too long. Its events are kept: enable it to send them in order.</Notice>}
        {secret && <SecretReveal key={secret} secret={secret} testId="webhook-secret" what="new signing secret" onDone={() => setSecret(null)} />}
        <div className="row wrap">
          <button type="button" aria-expanded={showDeliveries} onClick={() => setShowDeliveries(!showDeliveries)}>
            {showDeliveries ? 'Hide deliveries' : 'Deliveries'}
          </button>
          <button type="button" aria-disabled={toggle.pending} onClick={() => void toggle.run()}>
            {disabled ? 'Enable' : 'Disable'}
          </button>
          {inGrace ? (
            <ConfirmedAction
              trigger="Rotate again, stop old secrets now"
              triggerClassName=""
              group="Confirm stopping the old secrets now"
              question="Receivers still checking with an old secret fail from the next delivery on."
              confirm="Stop old secrets now"
              keep={`Keep them until ${formatDateTime(graceEnd!, me.timezone)}`}
              pending={rotateSecret.pending}
              onConfirm={() => void rotateSecret.run()}
            />
          ) : (
            <button type="button" aria-disabled={rotateSecret.pending} onClick={() => void rotateSecret.run()}>
              Rotate secret
            </button>
          )}
          <ConfirmedAction
            trigger="Delete"
            triggerLabel={`Delete ${e.url}`}
            group={`Confirm deleting ${e.url}`}
            confirm="Delete for good"
            keep="Keep it"
            pending={doDelete.pending}
            onConfirm={() => void doDelete.run()}
          />
        </div>
        <ErrorMessage error={toggle.error ?? rotateSecret.error ?? doDelete.error} />
        {showDeliveries && <Deliveries endpointId={e.id} sending={!disabled} />}
      </div>
    </li>
  );
}

const isFuture = (iso: string | null): boolean => iso !== null && Date.parse(iso) > Date.now();

/** True until `iso` (re-rendering when it passes); false for null or a past time. */
function useUntil(iso: string | null): boolean {
  const end = iso ? Date.parse(iso) : 0;
  const [, passed] = useState(0);
  const before = isFuture(iso);
  useEffect(() => {
    if (!before) return;
    const timer = setTimeout(() => passed((n) => n + 1), Math.min(end - Date.now() + 50, 2 ** 31 - 1));
    return () => clearTimeout(timer);
  }, [before, end]);
  return before;
}

function Deliveries({ endpointId, sending }: { endpointId: string; sending: boolean }) {
  const { me } = useShell();
  const pages = useCursorPages(); // newest first
  const { data, previousData, error, refetch } = useQuery(WebhookDeliveriesDocument, {
    variables: { endpointId, first: PAGE_SIZE, after: pages.after },
    pollInterval: DELIVERIES_POLL_MS,
    skipPollAttempt: hidden,
  });
  const [replay] = useMutation(ReplayWebhookDeliveryDocument);
  const doReplay = useAction(async (id: string) => {
    await replay({ variables: { id } });
    await refetch();
  });
  // While another page loads, the one shown stays (marked busy) with its pager, so Newer and
  // Older keep the focus; the pager waits for the new page's pageInfo (aria-disabled until then).
  const shown = data ?? previousData;
  if (!shown || (!data && error)) return error ? <ErrorMessage error={error} /> : <Loading />;
  const { edges } = shown.webhookDeliveries;
  if (edges.length === 0) return <Empty>No deliveries yet: events appear here as they happen.</Empty>;
  return (
    <div className="table-wrap" tabIndex={0} role="region" aria-label="Deliveries table" aria-busy={!data}>
      <table className="deliveries">
        <caption className="visually-hidden">Deliveries, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Event</th>
            <th scope="col">Status</th>
            <th scope="col">Attempts</th>
            <th scope="col">Last response</th>
            <th scope="col">Queued</th>
            <th scope="col">Delivered or next try</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {edges.map(({ node: d }) => (
            <tr key={d.id} data-testid="webhook-delivery">
              <td>
                <code>{nameOf(d.eventType)}</code>
                {d.replayOf && <span className="muted small"> (replay)</span>}
              </td>
              <td data-testid="delivery-status">{d.status}</td>
              <td>{d.attemptCount}</td>
              <td>{d.lastStatusCode !== null && d.lastStatusCode !== undefined ? `HTTP ${d.lastStatusCode}` : (d.lastError ?? '—')}</td>
              <td>{formatDateTime(d.createdAt, me.timezone)}</td>
              <td>{nextTry(d, sending, me.timezone)}</td>
              <td>
                {d.status !== 'PENDING' && d.status !== 'CANCELLED' && (
                  <button type="button" aria-disabled={doReplay.pending} onClick={() => void doReplay.run(d.id)} aria-label={`Replay ${nameOf(d.eventType)} ${d.eventId}`}>
                    Replay
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ErrorMessage error={doReplay.error} />
      <Pager pages={pages} pageInfo={data?.webhookDeliveries.pageInfo} label="Delivery pages" back="Newer" forward="Older" />
    </div>
  );
}

/**
 * What the "Delivered or next try" cell says. A pending delivery with no next attempt waits: for
 * its endpoint to be enabled, or for an earlier event of its wallet (sent in order), and is sent
 * right after it.
 */
function nextTry(d: { status: string; deliveredAt: string | null; nextAttemptAt: string | null; attemptCount: number }, sending: boolean, timezone: string): string {
  if (d.deliveredAt) return formatDateTime(d.deliveredAt, timezone);
  if (d.nextAttemptAt) return `${d.attemptCount > 0 ? 'retry' : 'send'} ${formatDateTime(d.nextAttemptAt, timezone)}`;
  if (d.status !== 'PENDING') return '—';
  return sending ? 'after an earlier event' : 'when the endpoint is enabled';
}
