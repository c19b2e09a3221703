import type { PoolClient } from 'pg';
import type { SqlParams } from '../ledger/engine/participant';
import type { NewWebhookEvent } from './webhook-event';

/**
 * The two statements that put events into the outbox, as CTEs of a larger statement: the ledger
 * batch's one write statement (webhooks.participant.ts) or a module's own transaction
 * (webhook.publisher.ts). The text is fixed (one array parameter per column), so it can be part
 * of a prepared statement.
 *
 * Fan-out happens here, at write time: an event becomes one delivery per endpoint of its account
 * that is not deleted and subscribed to its type when the change commits, DISABLED ones included
 * (disabled after failing or by their owner): their deliveries wait, with no `next_attempt_at`, and
 * are sent in order once the endpoint is enabled again, so a receiver misses nothing committed
 * while it was disabled. Every writer holds the account's wallet lock, and endpoints are created,
 * changed and deleted under that lock too, so "subscribed when the change committed" is exact: an
 * endpoint never receives an event older than itself and never misses one committed after it.
 * Accounts without a subscribed endpoint get no rows at all.
 *
 * Ordering (docs/invariants.md, "Webhook order"): every insert into webhook_event for a wallet
 * holds that wallet's row lock, so `webhook_event.seq` order per wallet is commit order, which
 * is wallet version order; deliveries copy it as `event_seq`, the key the worker delivers by.
 */
export function webhookOutboxCtes(params: SqlParams, events: readonly NewWebhookEvent[], name: string): string[] {
  const column = params.columnsOf(events);
  const subscribed = (event: string) => `e.account_id = ${event}.account_id and e.deleted_at is null and ${event}.type = any(e.events)`;
  return [
    `${name}_events as (
    insert into webhook_event (id, account_id, wallet_id, wallet_version, type, payload, created_at)
    select u.id, u.account_id, u.wallet_id, u.wallet_version, u.type, u.payload, u.created_at
      from unnest(${column((event) => event.id, 'uuid[]')}, ${column((event) => event.accountId, 'uuid[]')}, ${column((event) => event.walletId, 'uuid[]')},
                  ${column((event) => event.walletVersion, 'bigint[]')}, ${column((event) => event.type, 'text[]')},
                  ${column((event) => event.payload, 'text[]')}, ${column((event) => event.createdAt, 'timestamptz[]')})
           with ordinality as u(id, account_id, wallet_id, wallet_version, type, payload, created_at, ord)
     where exists (select 1 from webhook_endpoint e where ${subscribed('u')})
     order by u.ord
    returning id, seq, account_id, wallet_id, type)`,
    `${name}_deliveries as (
    insert into webhook_delivery (id, event_id, event_seq, endpoint_id, account_id, wallet_id, status, next_attempt_at)
    select gen_random_uuid(), ev.id, ev.seq, e.id, ev.account_id, ev.wallet_id, 'PENDING', case when e.status = 'ENABLED' then now() end
      from ${name}_events ev join webhook_endpoint e on ${subscribed('ev')}
     order by ev.seq, e.id
    returning 1)`,
  ];
}

/**
 * A disabled endpoint's pending deliveries have no `next_attempt_at`, so the worker's due index
 * never scans them however many pile up; enabling makes them all due at once (the claim still
 * sends them one wallet event at a time, in order: docs/invariants.md "Webhook order").
 *
 * Except a delivery in flight: claimed (its attempt counted) and not recorded yet, its lease still
 * running. It keeps its lease, so the worker sending it records the outcome; made due at once, it
 * would be sent again while the receiver still has it, and, were that its last attempt, given up
 * and overtaken by the wallet's next event. The recording reads the endpoint under the row lock
 * this change holds (webhook.worker.ts RECORD): either the enabling commits first and the
 * recording sees it, or the enabling waits for the recording and then finds the delivery recorded,
 * no longer in flight.
 */
export async function scheduleDeliveries(client: PoolClient, endpointId: string, enabled: boolean): Promise<void> {
  await client.query(
    `update webhook_delivery d set next_attempt_at = case when $2 then now() end
      where d.endpoint_id = $1 and d.status = 'PENDING'
        and not (d.next_attempt_at > now() and d.attempts > (select count(*) from webhook_attempt a where a.delivery_id = d.id))`,
    [endpointId, enabled],
  );
}
