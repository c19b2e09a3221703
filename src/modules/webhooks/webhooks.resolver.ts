import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { me, type Context } from '../auth/context';
import type { DeliveryRow, EndpointRow } from './webhooks.service';
import {
  CreatedWebhookEndpoint,
  CreateWebhookEndpointInput,
  UpdateWebhookEndpointInput,
  WebhookDeliveryConnection,
  WebhookDeliveryType,
  WebhookEndpointType,
  WebhookSecretRotation,
} from './webhooks.types';

const toEndpoint = (endpoint: EndpointRow): WebhookEndpointType => ({ ...endpoint });
const toDelivery = (delivery: DeliveryRow): WebhookDeliveryType => ({ ...delivery, attempts: delivery.attempts.map((attempt) => ({ ...attempt })) });

/** Outbound webhooks: a logged-in user manages their own account's endpoints (API keys cannot). */
@Resolver()
export class WebhooksResolver {
  @Authorized('SESSION')
  @Query(() => [WebhookEndpointType], { description: "The account's webhook endpoints, oldest first. Needs a logged-in session." })
  async webhookEndpoints(@Ctx() ctx: Context): Promise<WebhookEndpointType[]> {
    return (await ctx.services.webhooks.endpoints(me(ctx).accountId)).map(toEndpoint);
  }

  @Authorized('SESSION')
  @Mutation(() => CreatedWebhookEndpoint, {
    description:
      'Adds a webhook endpoint and returns its signing secret, shown this once. It receives the subscribed events of changes committed from now on. BAD_USER_INPUT for a URL that is not allowed (https and a public address in production) or too many endpoints.',
  })
  async createWebhookEndpoint(@Arg('input', () => CreateWebhookEndpointInput, { description: 'URL, events and an optional note.' }) input: CreateWebhookEndpointInput, @Ctx() ctx: Context): Promise<CreatedWebhookEndpoint> {
    const created = await ctx.services.webhooks.create(me(ctx).accountId, input);
    return { secret: created.secret, endpoint: toEndpoint(created.endpoint) };
  }

  @Authorized('SESSION')
  @Mutation(() => WebhookEndpointType, { description: "Changes an endpoint (URL, events, note, enabled). NOT_FOUND for another account's endpoint." })
  async updateWebhookEndpoint(
    @Arg('id', () => ID, { description: 'The endpoint.' }) id: string,
    @Arg('input', () => UpdateWebhookEndpointInput, { description: 'The fields to change.' }) input: UpdateWebhookEndpointInput,
    @Ctx() ctx: Context,
  ): Promise<WebhookEndpointType> {
    return toEndpoint(await ctx.services.webhooks.update(me(ctx).accountId, id, input));
  }

  @Authorized('SESSION')
  @Mutation(() => Boolean, { description: 'Deletes an endpoint; deliveries it still had pending are cancelled. NOT_FOUND when it does not exist (or is not yours).' })
  async deleteWebhookEndpoint(@Arg('id', () => ID, { description: 'The endpoint.' }) id: string, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.webhooks.delete(me(ctx).accountId, id);
  }

  @Authorized('SESSION')
  @Mutation(() => WebhookSecretRotation, {
    description:
      'Issues a new signing secret, shown this once. The old secret keeps signing next to it for graceSeconds (both signatures in webhook-signature), so receivers can switch without losing a delivery. While a previous secret is still in its grace period (previousSecretExpiresAt), another rotation is BAD_USER_INPUT unless graceSeconds is 0, which stops every old secret at once (e.g. after a leak).',
  })
  async rotateWebhookSecret(
    @Arg('id', () => ID, { description: 'The endpoint.' }) id: string,
    @Arg('graceSeconds', () => Int, { nullable: true, description: 'How long the old secret still signs: 0 to 604800 seconds; default the server setting (24 hours).' }) graceSeconds: number | null,
    @Ctx() ctx: Context,
  ): Promise<WebhookSecretRotation> {
    const rotated = await ctx.services.webhooks.rotateSecret(me(ctx).accountId, id, graceSeconds);
    return { secret: rotated.secret, endpoint: toEndpoint(rotated.endpoint) };
  }

  @Authorized('SESSION')
  @Query(() => WebhookDeliveryConnection, {
    description: "An endpoint's delivery log, newest first, as a Relay connection (default 20, at most 100 per page): attempts, status codes and the next retry.",
  })
  async webhookDeliveries(
    @Arg('endpointId', () => ID, { description: 'The endpoint (also a deleted one).' }) endpointId: string,
    @Arg('first', () => Int, { nullable: true, description: 'Up to this many deliveries after `after` (older); default 20, at most 100.' }) first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'A cursor from this connection: start after it.' }) after: string | null,
    @Arg('last', () => Int, { nullable: true, description: 'Up to this many deliveries before `before` (newer); at most 100. Not with `first`.' }) last: number | null,
    @Arg('before', () => String, { nullable: true, description: 'A cursor from this connection: end before it.' }) before: string | null,
    @Ctx() ctx: Context,
  ): Promise<WebhookDeliveryConnection> {
    const page = await ctx.services.webhooks.deliveries(me(ctx).accountId, endpointId, { first, after, last, before });
    return { edges: page.edges.map((edge) => ({ cursor: edge.cursor, node: toDelivery(edge.node) })), pageInfo: page.pageInfo };
  }

  @Authorized('SESSION')
  @Mutation(() => WebhookDeliveryType, {
    description: "Sends a delivery's event to its endpoint again, with the same webhook-id (receivers deduplicate by it). Returns the new delivery, or the one already pending for that event.",
  })
  async replayWebhookDelivery(@Arg('id', () => ID, { description: 'A delivery id.' }) id: string, @Ctx() ctx: Context): Promise<WebhookDeliveryType> {
    return toDelivery(await ctx.services.webhooks.replay(me(ctx).accountId, id));
  }
}
