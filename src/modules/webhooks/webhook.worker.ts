import type { WebhooksConfig } from '../../config';
import type { Sql } from '../../db/sql';
import type { Logger } from '../../shared/logger';
import type { MessagesService } from '../alerts/messages.service';
import { MessageKind } from '../alerts/message.entity';
import { lockWalletOfAccount } from '../ledger/store/wallet-lock';
import { scheduleDeliveries } from './webhook-outbox.sql';
import { sendWebhook, type AttemptOutcome } from './webhook.sender';
import { signedHeaders } from './webhook.signing';
import type { TargetPolicy } from './target-policy';
import { BackgroundWorker, jitteredBackoffMs } from '../../shared/background-worker';

/** A delivery claimed for one attempt, with what sending it needs. */
interface ClaimedDelivery {
  id: string;
  event_id: string;
  endpoint_id: string;
  account_id: string;
  /** Attempts including this one: the claim's fencing token when the outcome is recorded. */
  attempts: number;
  payload: string;
  url: string;
  secret: string;
  previous_secret: string | null;
}

/**
 * Deliveries one instance sends at once. Each is claimed when a place is free and sent on its
 * own: a receiver that answers slowly (or not at all, until WEBHOOK_TIMEOUT_MS) holds one place,
 * never the deliveries of other endpoints behind it.
 */
const MAX_IN_FLIGHT = 20;
/** A claim outlasts the attempt's timeout by this much (recording included). */
const LEASE_MARGIN_MS = 5000;

/**
 * Claims due deliveries: PENDING, due, endpoint enabled, and no delivery of an earlier event for
 * the same endpoint and wallet still PENDING (version order per wallet, docs/invariants.md
 * "Webhook order"). A replay (`replay_of`) is outside that order: it neither waits for earlier
 * events nor holds back later ones, so a replay the receiver keeps refusing never stalls the
 * wallet's live events (receivers compare `data.wallet.version`, docs/partners.md). The claim
 * moves `next_attempt_at` past the attempt (a lease) and counts the attempt; `skip locked` lets
 * every instance run this concurrently.
 *
 * A delivery is attempted at most `$3` (WEBHOOK_MAX_ATTEMPTS) times: one that is due again with
 * all its attempts made is one whose last attempt was never recorded (the worker died, or
 * recording failed) and whose lease ran out. It is given up (FAILED) here instead of being sent
 * again, so no delivery loops and the later events of its wallet go on; as in RECORD, giving up
 * an endpoint's last pending delivery ends its run of failures. (Such a batch may return fewer
 * rows than it settled: the next poll claims what follows.)
 */
const CLAIM = `
  with due as (
    select d.id from webhook_delivery d join webhook_endpoint e on e.id = d.endpoint_id
     where d.status = 'PENDING' and d.next_attempt_at <= now() and e.status = 'ENABLED' and e.deleted_at is null
       and (d.replay_of is not null
            or not exists (select 1 from webhook_delivery p
                            where p.endpoint_id = d.endpoint_id and p.wallet_id = d.wallet_id and p.status = 'PENDING' and p.replay_of is null and p.event_seq < d.event_seq))
     order by d.next_attempt_at
     limit $1
     for update of d skip locked),
  given_up as (
    update webhook_delivery d set status = 'FAILED', next_attempt_at = null, last_status_code = null,
           last_error = 'attempt ' || d.attempts || ' was not recorded; given up after ' || d.attempts || ' attempts'
      from due where d.id = due.id and d.attempts >= $3::int
    returning d.id, d.endpoint_id),
  run_ended as (
    update webhook_endpoint e set failing_since = null
     where e.id in (select endpoint_id from given_up) and e.failing_since is not null
       and not exists (select 1 from webhook_delivery p where p.endpoint_id = e.id and p.status = 'PENDING' and p.replay_of is null and p.id not in (select id from given_up)))
  update webhook_delivery d set attempts = d.attempts + 1, next_attempt_at = now() + $2 * interval '1 millisecond'
    from due, webhook_event ev, webhook_endpoint e
   where d.id = due.id and d.attempts < $3::int and ev.id = d.event_id and e.id = d.endpoint_id
  returning d.id, d.event_id, d.endpoint_id, d.account_id, d.attempts, ev.payload, e.url, e.secret,
            case when e.previous_secret_expires_at > now() then e.previous_secret end as previous_secret`;

/**
 * Records an attempt; the delivery settles or waits `$9` ms; `$10` is the attempt limit.
 *
 * Fenced by the claim's attempt count: a worker whose lease ran out (the delivery was claimed
 * again, or settled) matches no delivery, and then records nothing at all, neither the attempt
 * nor the endpoint's failure clock, so only the current claim speaks for the delivery.
 *
 * `failing_since` is when the endpoint's current unbroken run of failures began: a success ends
 * it, and so does giving up its last pending delivery (nothing is failing any more), so a later
 * single failure starts a new run instead of disabling the endpoint at once. While other
 * deliveries are still pending the run goes on, so an endpoint that keeps failing is disabled
 * after WEBHOOK_DISABLE_AFTER_MS even though each delivery is given up sooner. A replay's outcome
 * neither starts nor ends a run: an endpoint that accepts the replay of one old event while it
 * refuses every live one is still failing.
 *
 * An attempt under way when its endpoint is deleted (its delivery CANCELLED) or disabled is
 * still recorded, as it happened: a delivered one is SUCCEEDED, and a failed one is not due again
 * (no `next_attempt_at`) until the endpoint is enabled (`scheduleDeliveries`).
 *
 * Whether the endpoint is sending is read under its row lock (`for no key update`, the lock the
 * owner's and the worker's changes of the endpoint take), not from the statement's snapshot: an
 * enabling that commits while the attempt is recorded skips the delivery as in flight, so a
 * recording that still saw the endpoint DISABLED would leave it pending with no next attempt,
 * holding back its wallet's later events. The locking read returns the latest committed row and
 * keeps it until commit: either the enabling committed first and the delivery is due again after
 * its backoff, or the enabling waits and then finds it recorded, no longer in flight, and makes it
 * due. The delivery is joined to that read, so the endpoint is locked before the delivery in
 * every outcome, the order of updateWebhookEndpoint, deleteWebhookEndpoint and `disable` (no
 * deadlock with them); a share lock would not do, as two recordings of one endpoint would
 * deadlock upgrading theirs in the final update. New deliveries' foreign keys take only a key
 * share lock, so event fan-out does not wait for it.
 */
const RECORD = `
  with endpoint as (select status = 'ENABLED' and deleted_at is null as sending from webhook_endpoint where id = $8::uuid for no key update),
  delivery as (
    update webhook_delivery set last_status_code = $3::int, last_error = $4::text,
           status = case when $7::bool then 'SUCCEEDED' when status = 'CANCELLED' then 'CANCELLED' when attempts >= $10::int then 'FAILED' else 'PENDING' end,
           delivered_at = case when $7::bool then now() end,
           next_attempt_at = case when $7::bool or status = 'CANCELLED' or attempts >= $10::int or not endpoint.sending then null
                                  else now() + $9::int * interval '1 millisecond' end
      from endpoint
     where id = $1::uuid and attempts = $2::int and status in ('PENDING', 'CANCELLED') returning status, replay_of is not null as replay),
  attempt as (
    insert into webhook_attempt (id, delivery_id, number, status_code, error, response_body, duration_ms, created_at)
    select gen_random_uuid(), $1::uuid, $2::int, $3::int, $4::text, $5::text, $6::int, now() - $6::int * interval '1 millisecond' from delivery returning 1)
  update webhook_endpoint e set failing_since = case
           when (select replay from delivery) then failing_since
           when $7::bool then null
           when (select status from delivery) = 'FAILED' and not exists (select 1 from webhook_delivery p where p.endpoint_id = e.id and p.status = 'PENDING' and p.replay_of is null and p.id <> $1::uuid) then null
           else coalesce(failing_since, now()) end
   where id = $8::uuid and deleted_at is null and exists (select 1 from delivery)
  returning status, failing_since is not null and failing_since <= now() - $11::bigint * interval '1 millisecond' as overdue`;

/**
 * Sends the outbox (webhook_delivery) after commit: kicked by every commit that queued
 * deliveries, and polled every WEBHOOK_POLL_MS for retries. At least once: a delivery is retried
 * with exponential backoff and jitter until a 2xx answer or WEBHOOK_MAX_ATTEMPTS, always with the
 * same `webhook-id`; an endpoint failing continuously for WEBHOOK_DISABLE_AFTER_MS is disabled and
 * its account gets a WEBHOOK_ENDPOINT_DISABLED message.
 */
export class WebhookWorker extends BackgroundWorker {
  constructor(private readonly deps: { sql: Sql; config: WebhooksConfig; policy: TargetPolicy; messages: MessagesService; log: Logger }) {
    super(deps.config.pollMs);
  }

  /** The attempts under way; each one that ends kicks the worker (its place is free, and a success can make the next event of its wallet due). */
  private readonly inFlight = new Set<Promise<void>>();

  /** Claims as many due deliveries as there are free places and starts them; it does not wait for them. */
  protected async run(): Promise<void> {
    try {
      for (let claimed = -1; claimed !== 0 && !this.stopping; ) {
        const free = MAX_IN_FLIGHT - this.inFlight.size;
        if (free <= 0) return;
        const rows = await this.deps.sql.query<ClaimedDelivery>(CLAIM, [free, this.deps.config.timeoutMs + LEASE_MARGIN_MS, this.deps.config.maxAttempts], { prepare: true });
        claimed = rows.length;
        for (const row of rows) this.track(row);
      }
    } catch (err) {
      this.deps.log.error({ err }, 'webhook outbox run failed');
    }
  }

  private track(delivery: ClaimedDelivery): void {
    const attempt = this.deliver(delivery)
      .catch((err: unknown) => this.deps.log.error({ err, deliveryId: delivery.id }, 'webhook attempt failed unexpectedly'))
      .finally(() => {
        this.inFlight.delete(attempt);
        this.kick();
      });
    this.inFlight.add(attempt);
  }

  /** Stops claiming, then waits for the attempts under way (each ends by WEBHOOK_TIMEOUT_MS). */
  override async stop(): Promise<void> {
    await super.stop();
    await Promise.all([...this.inFlight]);
  }

  private async deliver(delivery: ClaimedDelivery): Promise<void> {
    const { config, policy } = this.deps;
    const secrets = delivery.previous_secret ? [delivery.secret, delivery.previous_secret] : [delivery.secret];
    const headers = signedHeaders(secrets, delivery.event_id, new Date(), delivery.payload);
    const outcome = await sendWebhook(delivery.url, headers, delivery.payload, { policy, timeoutMs: config.timeoutMs, responseLogBytes: config.responseLogBytes });
    try {
      await this.record(delivery, outcome);
    } catch (err) {
      // The lease runs out and the delivery is attempted again (at least once), or given up if
      // this was its last attempt (CLAIM).
      this.deps.log.error({ err, deliveryId: delivery.id }, 'could not record a webhook attempt');
    }
  }

  private async record(delivery: ClaimedDelivery, outcome: AttemptOutcome): Promise<void> {
    const { config, log } = this.deps;
    const delay = jitteredBackoffMs(delivery.attempts, config.retryBaseMs, config.retryMaxMs);
    if (!outcome.ok) log.warn({ deliveryId: delivery.id, endpointId: delivery.endpoint_id, attempt: delivery.attempts, error: outcome.error, retryInMs: delay }, 'webhook attempt failed');
    const [endpoint] = await this.deps.sql.query<{ status: string; overdue: boolean }>(
      RECORD,
      [delivery.id, delivery.attempts, outcome.statusCode, outcome.error, outcome.responseBody, outcome.durationMs, outcome.ok, delivery.endpoint_id, delay, config.maxAttempts, config.disableAfterMs],
      { prepare: true },
    );
    if (endpoint?.overdue && endpoint.status === 'ENABLED') await this.disable(delivery);
  }

  /**
   * Disables an endpoint that has failed for WEBHOOK_DISABLE_AFTER_MS, with its message in the
   * same transaction (under the wallet lock, like every message: docs/invariants.md "Message order").
   */
  private async disable(delivery: ClaimedDelivery): Promise<void> {
    const { sql, messages, config } = this.deps;
    const disabled = await sql.withTransaction(async (client) => {
      await lockWalletOfAccount(client, delivery.account_id);
      const updated = await client.query<{ url: string; failing_since: Date }>(
        `update webhook_endpoint set status = 'DISABLED', disabled_reason = 'failing', updated_at = now()
          where id = $1 and status = 'ENABLED' and failing_since <= now() - $2 * interval '1 millisecond' returning url, failing_since`,
        [delivery.endpoint_id, config.disableAfterMs],
      );
      if (updated.rowCount === 0) return false;
      await scheduleDeliveries(client, delivery.endpoint_id, false);
      const { url, failing_since: since } = updated.rows[0];
      await messages.recordWithin(client, {
        accountId: delivery.account_id,
        kind: MessageKind.WEBHOOK_ENDPOINT_DISABLED,
        title: 'Webhook endpoint disabled',
        body: `Deliveries to ${url} have failed since ${new Date(since).toISOString()}, so the endpoint was disabled. Fix the receiver, then enable it again (updateWebhookEndpoint): what is pending, and every event until then, is delivered in order.`,
        data: { endpointId: delivery.endpoint_id, url, failingSince: new Date(since).toISOString() },
      });
      return true;
    });
    if (disabled) {
      this.deps.log.warn({ endpointId: delivery.endpoint_id }, 'webhook endpoint disabled after continuous failure');
      messages.added([delivery.account_id]);
    }
  }
}
