import { dateOf, nullableDate, textOrNull, type Row } from '../../shared/row-values';
import type { WebhookDeliveryStatus } from './webhook-delivery.entity';
import type { WebhookEndpointStatus } from './webhook-endpoint.entity';
import type { WebhookEventType } from './webhook-event';

/** The webhooks module's rows as objects: one SQL fragment and one decoder per table. */

export interface EndpointRow {
  id: string;
  url: string;
  description: string | null;
  events: WebhookEventType[];
  status: WebhookEndpointStatus;
  disabledReason: string | null;
  failingSince: Date | null;
  secretRotatedAt: Date | null;
  previousSecretExpiresAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Of webhook_endpoint `e`; never the secrets. */
export const ENDPOINT_COLUMNS = `e.id, e.url, e.description, e.events, e.status, e.disabled_reason, e.failing_since, e.secret_rotated_at,
  case when e.previous_secret_expires_at > now() then e.previous_secret_expires_at end as previous_secret_expires_at, e.created_at, e.updated_at`;

export function decodeEndpoint(row: Row): EndpointRow {
  return {
    id: row.id as string,
    url: row.url as string,
    description: textOrNull(row.description),
    events: row.events as WebhookEventType[],
    status: row.status as WebhookEndpointStatus,
    disabledReason: textOrNull(row.disabled_reason),
    failingSince: nullableDate(row.failing_since),
    secretRotatedAt: nullableDate(row.secret_rotated_at),
    previousSecretExpiresAt: nullableDate(row.previous_secret_expires_at),
    createdAt: dateOf(row.created_at),
    updatedAt: dateOf(row.updated_at),
  };
}

export interface AttemptRow {
  deliveryId: string;
  number: number;
  startedAt: Date;
  statusCode: number | null;
  error: string | null;
  responseBody: string | null;
  durationMs: number;
}

/** Of webhook_attempt `a`. */
export const ATTEMPT_COLUMNS = 'a.delivery_id, a.number, a.created_at, a.status_code, a.error, a.response_body, a.duration_ms';

export function decodeAttempt(row: Row): AttemptRow {
  return {
    deliveryId: row.delivery_id as string,
    number: Number(row.number),
    startedAt: dateOf(row.created_at),
    statusCode: row.status_code === null ? null : Number(row.status_code),
    error: textOrNull(row.error),
    responseBody: textOrNull(row.response_body),
    durationMs: Number(row.duration_ms),
  };
}

export interface DeliveryRow {
  id: string;
  seq: string;
  eventId: string;
  eventType: WebhookEventType;
  walletVersion: string;
  payload: string;
  status: WebhookDeliveryStatus;
  attemptCount: number;
  nextAttemptAt: Date | null;
  lastStatusCode: number | null;
  lastError: string | null;
  deliveredAt: Date | null;
  replayOf: string | null;
  createdAt: Date;
  attempts: AttemptRow[];
}

/**
 * Of webhook_delivery `d` joined with its webhook_event `ev`. A delivery waiting behind an earlier
 * event of its wallet to the same endpoint has no next attempt of its own: it is sent once that one
 * settles (the worker's CLAIM, docs/invariants.md "Webhook order"), so its stored due time, long
 * past, is not shown as one.
 */
export const DELIVERY_COLUMNS = `d.id, d.seq::text as seq, d.event_id, ev.type, ev.wallet_version::text as wallet_version, ev.payload, d.status, d.attempts,
  case when d.status = 'PENDING'
        and (d.replay_of is not null
             or not exists (select 1 from webhook_delivery p
                             where p.endpoint_id = d.endpoint_id and p.wallet_id = d.wallet_id and p.status = 'PENDING' and p.replay_of is null and p.event_seq < d.event_seq))
       then d.next_attempt_at end as next_attempt_at,
  d.last_status_code, d.last_error, d.delivered_at, d.replay_of, d.created_at`;

export function decodeDelivery(row: Row): DeliveryRow {
  return {
    id: row.id as string,
    seq: row.seq as string,
    eventId: row.event_id as string,
    eventType: row.type as WebhookEventType,
    walletVersion: row.wallet_version as string,
    payload: row.payload as string,
    status: row.status as WebhookDeliveryStatus,
    attemptCount: Number(row.attempts),
    nextAttemptAt: nullableDate(row.next_attempt_at),
    lastStatusCode: row.last_status_code === null ? null : Number(row.last_status_code),
    lastError: textOrNull(row.last_error),
    deliveredAt: nullableDate(row.delivered_at),
    replayOf: textOrNull(row.replay_of),
    createdAt: dateOf(row.created_at),
    attempts: [],
  };
}
