import type { MikroORM } from '@mikro-orm/postgresql';
import type { PoolClient } from 'pg';
import type { WebhooksConfig } from '../../config';
import { Sql } from '../../db/sql';
import { badInput, notFound } from '../../shared/errors';
import { isUuid } from '../../shared/ids';
import { encodeCursor, seqWindow, seqWindowSql, toSeqPage, type Page, type PageArgs } from '../../shared/pagination';
import { lockWalletOfAccount } from '../ledger/store/wallet-lock';
import { WebhookDeliveryStatus } from './webhook-delivery.entity';
import { WebhookEndpointStatus } from './webhook-endpoint.entity';
import { WebhookEventType } from './webhook-event';
import { scheduleDeliveries } from './webhook-outbox.sql';
import { newWebhookSecret } from './webhook.signing';
import type { TargetPolicy } from './target-policy';
import {
  ATTEMPT_COLUMNS,
  DELIVERY_COLUMNS,
  ENDPOINT_COLUMNS,
  decodeAttempt,
  decodeDelivery,
  decodeEndpoint,
  type DeliveryRow,
  type EndpointRow,
} from './webhook.rows';

export type { AttemptRow, DeliveryRow, EndpointRow } from './webhook.rows';

/** What to change; an omitted or null field stays as it is, except `description`, which null removes. */
export interface EndpointInput {
  url?: string | null;
  events?: WebhookEventType[] | null;
  description?: string | null;
  enabled?: boolean | null;
}

const MAX_DESCRIPTION = 500;

/**
 * Webhook endpoints and their delivery log. Every change to an endpoint holds the account's
 * wallet lock, the lock under which events are fanned out to endpoints (webhook-outbox.sql.ts),
 * so a change applies exactly from the next committed event on. Another account's endpoint or
 * delivery is NOT_FOUND.
 */
export class WebhooksService {
  private readonly sql: Sql;

  constructor(
    orm: MikroORM,
    private readonly config: WebhooksConfig,
    private readonly policy: TargetPolicy,
    private readonly kickWorker: () => void,
  ) {
    this.sql = new Sql(orm);
  }

  async endpoints(accountId: string): Promise<EndpointRow[]> {
    const rows = await this.sql.query(`select ${ENDPOINT_COLUMNS} from webhook_endpoint e where account_id = ? and deleted_at is null order by created_at, id`, [accountId]);
    return rows.map(decodeEndpoint);
  }

  async endpoint(accountId: string, id: string): Promise<EndpointRow> {
    if (!isUuid(id)) throw notFound('Webhook endpoint');
    const rows = await this.sql.query(`select ${ENDPOINT_COLUMNS} from webhook_endpoint e where id = ? and account_id = ? and deleted_at is null`, [id, accountId]);
    if (rows.length === 0) throw notFound('Webhook endpoint');
    return decodeEndpoint(rows[0]);
  }

  /** A new endpoint and its signing secret (returned once, never again). */
  async create(accountId: string, input: { url: string; events: WebhookEventType[]; description?: string | null }): Promise<{ secret: string; endpoint: EndpointRow }> {
    const url = await this.checkedUrl(input.url);
    const events = checkedEvents(input.events);
    const description = checkedDescription(input.description);
    const secret = newWebhookSecret();
    const endpoint = await this.underLock(accountId, async (client) => {
      const live = await client.query<{ n: number }>('select count(*)::int as n from webhook_endpoint where account_id = $1 and deleted_at is null', [accountId]);
      if (live.rows[0].n >= this.config.maxEndpoints) throw badInput(`an account may have at most ${this.config.maxEndpoints} webhook endpoints`);
      const inserted = await client.query(
        `insert into webhook_endpoint as e (id, account_id, url, description, events, secret) values (gen_random_uuid(), $1, $2, $3, $4, $5) returning ${ENDPOINT_COLUMNS}`,
        [accountId, url, description, events, secret],
      );
      return decodeEndpoint(inserted.rows[0]);
    });
    return { secret, endpoint };
  }

  /**
   * Changes what is given; `enabled: true` also resumes the endpoint's pending deliveries (in
   * order), including those queued while it was disabled (webhook-outbox.sql.ts). Without
   * `enabled` (omitted or null) the status stays what it is under the lock: the worker disables
   * endpoints under the same lock, and an update of the URL alone must not undo that.
   */
  async update(accountId: string, id: string, input: EndpointInput): Promise<EndpointRow> {
    if (!isUuid(id)) throw notFound('Webhook endpoint');
    const url = input.url == null ? undefined : await this.checkedUrl(input.url);
    const events = input.events == null ? undefined : checkedEvents(input.events);
    const description = input.description === undefined ? undefined : checkedDescription(input.description);
    const status = input.enabled == null ? null : input.enabled ? WebhookEndpointStatus.ENABLED : WebhookEndpointStatus.DISABLED;
    const updated = await this.underLock(accountId, async (client) => {
      const result = await client.query(
        `with previous as (select status from webhook_endpoint where id = $1 and account_id = $2 and deleted_at is null)
         update webhook_endpoint e set url = coalesce($3, url), events = coalesce($4, events), description = case when $5 then $6 else description end,
                status = coalesce($7::text, e.status),
                disabled_reason = case when coalesce($7::text, e.status) = 'ENABLED' then null when e.status = 'ENABLED' then 'by owner' else disabled_reason end,
                failing_since = case when $7::text = 'ENABLED' and e.status <> 'ENABLED' then null else failing_since end, updated_at = now()
           from previous where id = $1 and account_id = $2 and deleted_at is null returning ${ENDPOINT_COLUMNS}, previous.status as previous_status`,
        [id, accountId, url ?? null, events ?? null, description !== undefined, description ?? null, status],
      );
      if (result.rows.length === 0) throw notFound('Webhook endpoint');
      const endpoint = decodeEndpoint(result.rows[0]);
      if (result.rows[0].previous_status !== endpoint.status) await scheduleDeliveries(client, id, endpoint.status === WebhookEndpointStatus.ENABLED);
      return endpoint;
    });
    if (updated.status === WebhookEndpointStatus.ENABLED) this.kickWorker();
    return updated;
  }

  /** Deletes the endpoint; what it still had pending is CANCELLED. Its delivery log stays readable until then. */
  async delete(accountId: string, id: string): Promise<boolean> {
    if (!isUuid(id)) throw notFound('Webhook endpoint');
    return this.underLock(accountId, async (client) => {
      const deleted = await client.query(
        `update webhook_endpoint set deleted_at = now(), status = 'DISABLED', disabled_reason = 'deleted', failing_since = null, updated_at = now()
          where id = $1 and account_id = $2 and deleted_at is null`,
        [id, accountId],
      );
      if (deleted.rowCount === 0) throw notFound('Webhook endpoint');
      await client.query(`update webhook_delivery set status = 'CANCELLED', next_attempt_at = null where endpoint_id = $1 and status = 'PENDING'`, [id]);
      return true;
    });
  }

  /**
   * A new secret; the old one keeps signing next to it for `graceSeconds` (default
   * WEBHOOK_SECRET_GRACE_SECONDS, 0 = at once), so receivers can switch without losing a delivery.
   *
   * At most one old secret is in its grace period, and it signs for all of it: while one is, a
   * rotation with a grace period is refused (it would replace that secret, and receivers still on
   * it would fail at once). A rotation with 0 is always allowed and stops every old secret at once
   * (e.g. after a leak). The check is part of the update, so concurrent rotations cannot both pass.
   */
  async rotateSecret(accountId: string, id: string, graceSeconds: number | null | undefined): Promise<{ secret: string; endpoint: EndpointRow }> {
    const grace = graceSeconds ?? this.config.secretGraceSeconds;
    if (!Number.isInteger(grace) || grace < 0 || grace > 7 * 86_400) throw badInput('graceSeconds must be between 0 and 604800 (7 days)');
    if (!isUuid(id)) throw notFound('Webhook endpoint');
    const secret = newWebhookSecret();
    const rows = await this.sql.query(
      `update webhook_endpoint e set previous_secret = case when ? > 0 then secret end, previous_secret_expires_at = case when ? > 0 then now() + ? * interval '1 second' end,
              secret = ?, secret_rotated_at = now(), updated_at = now()
        where id = ? and account_id = ? and deleted_at is null
          and (?::int = 0 or previous_secret_expires_at is null or previous_secret_expires_at <= now()) returning ${ENDPOINT_COLUMNS}`,
      [grace, grace, grace, secret, id, accountId, grace],
    );
    if (rows.length === 0) throw await this.rotationRefused(accountId, id);
    return { secret, endpoint: decodeEndpoint(rows[0]) };
  }

  /** Why a rotation changed nothing: no such endpoint, or an old secret still in its grace period. */
  private async rotationRefused(accountId: string, id: string): Promise<Error> {
    const endpoint = await this.endpoint(accountId, id).catch((err: Error) => err);
    if (endpoint instanceof Error) return endpoint;
    const until = endpoint.previousSecretExpiresAt;
    if (!until) return badInput('the previous secret has just stopped signing: rotate again'); // its grace period ended in between
    return badInput(`the previous secret still signs until ${until.toISOString()}: rotate again after that, or with graceSeconds 0 to stop every old secret at once`);
  }

  /** An endpoint's deliveries, newest first, each with its attempts. */
  async deliveries(accountId: string, endpointId: string, args: PageArgs): Promise<Page<DeliveryRow>> {
    await this.endpointEvenDeleted(accountId, endpointId);
    const window = seqWindow(args);
    const bounds = seqWindowSql(window, 'd.seq');
    const rows = await this.sql.query(
      `select ${DELIVERY_COLUMNS} from webhook_delivery d join webhook_event ev on ev.id = d.event_id
        where ${['d.endpoint_id = ?', ...bounds.conditions].join(' and ')} order by ${bounds.order} limit ?`,
      [endpointId, ...bounds.params, window.limit + 1],
    );
    const deliveries = await this.withAttempts(rows.map(decodeDelivery));
    return toSeqPage(deliveries, window, (delivery) => encodeCursor([delivery.seq]));
  }

  /**
   * Sends a delivery's event to its endpoint again, with the same `webhook-id`, as a new delivery
   * outside the wallet's order: the worker's claim neither makes a replay (`replay_of`) wait for
   * earlier events nor makes later events wait for it (webhook.worker.ts), so a replay that keeps
   * failing never stalls the live events. A delivery still being retried is replayed too: the
   * replay is sent now, not at the delivery's next retry. While a replay is already pending for
   * that event and endpoint, that one is returned. The check and the insert run under the wallet
   * lock, so concurrent replays queue one delivery, not one each.
   */
  async replay(accountId: string, deliveryId: string): Promise<DeliveryRow> {
    if (!isUuid(deliveryId)) throw notFound('Webhook delivery');
    const id = await this.underLock(accountId, async (client) => {
      const original = await client.query<{ event_id: string; endpoint_id: string; deleted: boolean }>(
        `select d.event_id, d.endpoint_id, e.deleted_at is not null as deleted from webhook_delivery d join webhook_endpoint e on e.id = d.endpoint_id where d.id = $1 and d.account_id = $2`,
        [deliveryId, accountId],
      );
      if (original.rows.length === 0) throw notFound('Webhook delivery');
      const { event_id: eventId, endpoint_id: endpointId, deleted } = original.rows[0];
      if (deleted) throw badInput('the endpoint of this delivery was deleted');
      const pending = await client.query<{ id: string }>(`select id from webhook_delivery where event_id = $1 and endpoint_id = $2 and status = 'PENDING' and replay_of is not null limit 1`, [eventId, endpointId]);
      if (pending.rows.length > 0) return pending.rows[0].id;
      const inserted = await client.query<{ id: string }>(
        `insert into webhook_delivery (id, event_id, event_seq, endpoint_id, account_id, wallet_id, status, next_attempt_at, replay_of)
         select gen_random_uuid(), d.event_id, d.event_seq, d.endpoint_id, d.account_id, d.wallet_id, 'PENDING', case when e.status = 'ENABLED' then now() end, d.id
           from webhook_delivery d join webhook_endpoint e on e.id = d.endpoint_id where d.id = $1
         returning id`,
        [deliveryId],
      );
      return inserted.rows[0].id;
    });
    this.kickWorker();
    return this.delivery(accountId, id);
  }

  /** The outbox as an operator watches it (metrics): deliveries waiting, and how long the oldest due one has waited. */
  async outboxDepth(): Promise<{ pending: number; due: number; oldestDueSeconds: number }> {
    const rows = await this.sql.query<{ pending: number; due: number; oldest: number }>(
      `select count(*)::int as pending, (count(*) filter (where next_attempt_at <= now()))::int as due,
              coalesce(extract(epoch from now() - min(next_attempt_at) filter (where next_attempt_at <= now())), 0)::float8 as oldest
         from webhook_delivery where status = 'PENDING'`,
    );
    return { pending: rows[0].pending, due: rows[0].due, oldestDueSeconds: rows[0].oldest };
  }

  private async delivery(accountId: string, id: string): Promise<DeliveryRow> {
    const rows = await this.sql.query(`select ${DELIVERY_COLUMNS} from webhook_delivery d join webhook_event ev on ev.id = d.event_id where d.id = ? and d.account_id = ?`, [id, accountId]);
    if (rows.length === 0) throw notFound('Webhook delivery');
    return (await this.withAttempts([decodeDelivery(rows[0])]))[0];
  }

  /** The attempts of a page of deliveries, in one query. */
  private async withAttempts(deliveries: DeliveryRow[]): Promise<DeliveryRow[]> {
    if (deliveries.length === 0) return deliveries;
    const rows = await this.sql.query(`select ${ATTEMPT_COLUMNS} from webhook_attempt a where a.delivery_id = any(?::uuid[]) order by a.delivery_id, a.number, a.created_at`, [
      deliveries.map((delivery) => delivery.id),
    ]);
    const attempts = rows.map(decodeAttempt);
    return deliveries.map((delivery) => ({ ...delivery, attempts: attempts.filter((attempt) => attempt.deliveryId === delivery.id) }));
  }

  /** Deleted endpoints keep their log readable. */
  private async endpointEvenDeleted(accountId: string, id: string): Promise<void> {
    if (!isUuid(id)) throw notFound('Webhook endpoint');
    const rows = await this.sql.query('select 1 from webhook_endpoint where id = ? and account_id = ?', [id, accountId]);
    if (rows.length === 0) throw notFound('Webhook endpoint');
  }

  private async checkedUrl(raw: string): Promise<string> {
    const url = this.policy.parse(raw);
    await this.policy.assertTarget(url);
    return url.toString();
  }

  /** A transaction holding the account's wallet lock: the lock events are fanned out under. */
  private underLock<T>(accountId: string, work: (client: PoolClient) => Promise<T>): Promise<T> {
    return this.sql.withTransaction(async (client) => {
      if (!(await lockWalletOfAccount(client, accountId))) throw notFound('Account');
      return work(client);
    });
  }
}

function checkedEvents(events: WebhookEventType[]): WebhookEventType[] {
  const known = new Set<string>(Object.values(WebhookEventType));
  const unique = [...new Set(events)];
  if (unique.length === 0) throw badInput('events must name at least one WebhookEventType');
  if (unique.some((event) => !known.has(event))) throw badInput('events must be WebhookEventType values');
  return unique;
}

function checkedDescription(description: string | null | undefined): string | null {
  if (description === null || description === undefined || description.trim() === '') return null;
  if (description.length > MAX_DESCRIPTION) throw badInput(`description must be at most ${MAX_DESCRIPTION} characters`);
  return description;
}

export { WebhookDeliveryStatus, WebhookEndpointStatus };
