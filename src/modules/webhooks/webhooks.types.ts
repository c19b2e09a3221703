import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { PageInfo } from '../../shared/graphql';
import { WebhookDeliveryStatus } from './webhook-delivery.entity';
import { WebhookEndpointStatus } from './webhook-endpoint.entity';
import { WebhookEventType } from './webhook-event';

registerEnumType(WebhookEventType, {
  name: 'WebhookEventType',
  description: 'What an outbound webhook reports. The payload `type` is the dotted name given with each value; every payload carries `data.wallet` (its full state and `version`).',
  valuesConfig: {
    LOW_CREDITS: { description: '`wallet.low_credits`: the balance fell to 25 %, 10 % or 0 % of the balance after the last credit (`data.threshold`, `data.reference`), each once per cycle.' },
    CREDITS_DEPLETED: { description: '`wallet.depleted`: the balance reached zero (once per cycle, with the 0 % LOW_CREDITS).' },
    WALLET_PAUSED: { description: '`wallet.paused`: a change took the balance to zero; generation pauses.' },
    WALLET_RESUMED: { description: '`wallet.resumed`: a change took the balance from zero to more than zero.' },
    BUDGET_CAP_REACHED: { description: '`wallet.budget_cap_reached`: spend and holds this month reached the monthly budget cap (once a month).' },
    BURN_ALERT: { description: '`wallet.burn_alert`: month-to-date spend reached the burn alert threshold (once a month).' },
    PURCHASE_COMPLETED: { description: '`billing.purchase_completed`: a credit pack was paid and credited (`data.credits`, `data.packId`).' },
    REFUND_COMPLETED: { description: '`billing.refund_completed`: a refund of purchased credits went through at Stripe.' },
    PLAN_RENEWED: { description: "`billing.plan_renewed`: a plan period's credits were allocated." },
    AUTO_TOP_UP_SUCCEEDED: { description: '`billing.auto_top_up_succeeded`: an automatic top-up was paid and credited.' },
    AUTO_TOP_UP_FAILED: { description: '`billing.auto_top_up_failed`: an automatic top-up could not be paid (`data.reason`: card_declined, authentication_required, ...).' },
    PAYMENT_DISPUTED: { description: '`billing.payment_disputed`: a disputed payment removed unused credits it bought (`data.credits`, `data.disputeId`); sent with the removal, so not when all of them were already used.' },
    DISPUTED_CREDITS_RESTORED: { description: '`billing.disputed_credits_restored`: a dispute was closed and the payment stands; the credits it removed are back (`data.credits`, `data.disputeId`).' },
  },
});

registerEnumType(WebhookEndpointStatus, {
  name: 'WebhookEndpointStatus',
  description: 'Whether an endpoint is sent to.',
  valuesConfig: {
    ENABLED: { description: 'Receives the events it subscribes to.' },
    DISABLED: { description: 'Receives nothing: disabled by its owner or after failing continuously (see disabledReason). Pending deliveries wait and resume, in order, when it is enabled again.' },
  },
});

registerEnumType(WebhookDeliveryStatus, {
  name: 'WebhookDeliveryStatus',
  description: 'Where a delivery stands.',
  valuesConfig: {
    PENDING: { description: 'Waiting for its next attempt (nextAttemptAt), for an earlier event of the same wallet to this endpoint, or for its disabled endpoint to be enabled again.' },
    SUCCEEDED: { description: 'The endpoint answered 2xx.' },
    FAILED: { description: 'Given up after the maximum number of attempts; replayWebhookDelivery sends it again.' },
    CANCELLED: { description: 'The endpoint was deleted before the event was delivered.' },
  },
});

@ObjectType('WebhookEndpoint', { description: 'A receiver of outbound webhooks, signed per the Standard Webhooks specification. The secret is never shown again after creation or rotation.' })
export class WebhookEndpointType {
  @Field(() => ID, { description: 'Stable endpoint id.' })
  id!: string;

  @Field({ description: 'Where events are POSTed (https in production; never a private or loopback address there).' })
  url!: string;

  @Field(() => String, { nullable: true, description: 'A note for the account, at most 500 characters.' })
  description!: string | null;

  @Field(() => [WebhookEventType], { description: 'The event types it receives.' })
  events!: WebhookEventType[];

  @Field(() => WebhookEndpointStatus, { description: 'ENABLED or DISABLED.' })
  status!: WebhookEndpointStatus;

  @Field(() => String, { nullable: true, description: 'Why it is disabled: "by owner" or "failing"; null while enabled.' })
  disabledReason!: string | null;

  @Field(() => Date, { nullable: true, description: 'Start of the current run of failed attempts; null after a success, and once the last delivery the endpoint had pending is given up. Continuous failure for the configured period disables the endpoint.' })
  failingSince!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the secret was last rotated.' })
  secretRotatedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'Until when the previous secret still signs next to the current one (two signatures in webhook-signature); null when it no longer does.' })
  previousSecretExpiresAt!: Date | null;

  @Field({ description: 'When it was created.' })
  createdAt!: Date;

  @Field({ description: 'When it last changed.' })
  updatedAt!: Date;
}

@ObjectType({ description: 'A new endpoint and its signing secret, shown this once.' })
export class CreatedWebhookEndpoint {
  @Field({ description: 'The signing secret, "whsec_" + base64 (Standard Webhooks). Store it now: it is never shown again.' })
  secret!: string;

  @Field(() => WebhookEndpointType, { description: 'The endpoint.' })
  endpoint!: WebhookEndpointType;
}

@ObjectType({ description: 'A rotated signing secret, shown this once.' })
export class WebhookSecretRotation {
  @Field({ description: 'The new signing secret, "whsec_" + base64. Store it now: it is never shown again.' })
  secret!: string;

  @Field(() => WebhookEndpointType, { description: 'The endpoint; previousSecretExpiresAt says until when the old secret also signs.' })
  endpoint!: WebhookEndpointType;
}

@InputType({ description: 'A new webhook endpoint.' })
export class CreateWebhookEndpointInput {
  @Field({ description: 'An absolute URL, at most 2048 characters; https and a public address in production.' })
  url!: string;

  @Field(() => [WebhookEventType], { description: 'The event types to receive (at least one).' })
  events!: WebhookEventType[];

  @Field(() => String, { nullable: true, description: 'A note, at most 500 characters.' })
  description?: string | null;
}

@InputType({ description: 'Endpoint fields to change; omitted fields stay as they are.' })
export class UpdateWebhookEndpointInput {
  @Field(() => String, { nullable: true, description: 'A new URL (checked like at creation).' })
  url?: string;

  @Field(() => [WebhookEventType], { nullable: true, description: 'The new list of event types (at least one); applies to events committed from now on.' })
  events?: WebhookEventType[];

  @Field(() => String, { nullable: true, description: 'A new note; an empty string or explicit null removes it.' })
  description?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'false disables the endpoint (its events are still queued); true enables it again and sends its pending deliveries in order. Omitted: the status stays as it is, also when the endpoint was just disabled after failing.' })
  enabled?: boolean;
}

@ObjectType('WebhookAttempt', { description: 'One HTTP attempt of a delivery.' })
export class WebhookAttemptType {
  @Field(() => Int, { description: '1 for the first attempt.' })
  number!: number;

  @Field({ description: 'When the attempt started.' })
  startedAt!: Date;

  @Field(() => Int, { nullable: true, description: "The endpoint's HTTP status; null when no answer came (refused, network error, timeout)." })
  statusCode!: number | null;

  @Field(() => String, { nullable: true, description: 'Why it failed; null on success.' })
  error!: string | null;

  @Field(() => String, { nullable: true, description: "The start of the endpoint's answer (truncated to the configured size)." })
  responseBody!: string | null;

  @Field(() => Int, { description: 'How long it took, in milliseconds.' })
  durationMs!: number;
}

@ObjectType('WebhookDelivery', { description: 'One event sent to one endpoint: its attempts, status codes and next retry.' })
export class WebhookDeliveryType {
  @Field(() => ID, { description: 'Stable delivery id (replayWebhookDelivery takes it).' })
  id!: string;

  @Field(() => ID, { description: 'The event id: the webhook-id header of every attempt and replay.' })
  eventId!: string;

  @Field(() => WebhookEventType, { description: 'What the event reports.' })
  eventType!: WebhookEventType;

  @Field({ description: 'The wallet version the event refers to (a decimal string).' })
  walletVersion!: string;

  @Field({ description: 'The exact JSON body sent.' })
  payload!: string;

  @Field(() => WebhookDeliveryStatus, { description: 'PENDING, SUCCEEDED, FAILED or CANCELLED.' })
  status!: WebhookDeliveryStatus;

  @Field(() => Int, { description: 'Attempts made so far.' })
  attemptCount!: number;

  @Field(() => Date, { nullable: true, description: 'When the next attempt is due while PENDING; null once settled, while the endpoint is disabled (its deliveries wait for it to be enabled), and while an earlier event of the same wallet to this endpoint is still pending (it is sent right after that one settles).' })
  nextAttemptAt!: Date | null;

  @Field(() => Int, { nullable: true, description: 'HTTP status of the last attempt; null when none answered.' })
  lastStatusCode!: number | null;

  @Field(() => String, { nullable: true, description: 'Why the last attempt failed.' })
  lastError!: string | null;

  @Field(() => Date, { nullable: true, description: 'When it succeeded.' })
  deliveredAt!: Date | null;

  @Field(() => ID, { nullable: true, description: 'For a replay: the delivery it repeats.' })
  replayOf!: string | null;

  @Field({ description: 'When the event was queued for this endpoint.' })
  createdAt!: Date;

  @Field(() => [WebhookAttemptType], { description: 'Every attempt, oldest first.' })
  attempts!: WebhookAttemptType[];
}

@ObjectType({ description: 'A delivery and its position in the list.' })
export class WebhookDeliveryEdge {
  @Field({ description: 'Opaque; pass it as `after` or `before` to page from here.' })
  cursor!: string;

  @Field(() => WebhookDeliveryType, { description: 'The delivery.' })
  node!: WebhookDeliveryType;
}

@ObjectType({ description: "A page of an endpoint's deliveries, newest first (Relay connection)." })
export class WebhookDeliveryConnection {
  @Field(() => [WebhookDeliveryEdge], { description: 'The deliveries of this page, newest first.' })
  edges!: WebhookDeliveryEdge[];

  @Field(() => PageInfo, { description: 'Cursors and whether more pages exist in either direction.' })
  pageInfo!: PageInfo;
}
