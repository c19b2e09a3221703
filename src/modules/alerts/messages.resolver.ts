import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { me, type Context } from '../auth/context';
import type { MessageRow } from './messages.service';
import { MessageConnection, MessageType } from './messages.types';

export const toMessageType = (m: MessageRow): MessageType => ({
  id: m.id,
  kind: m.kind,
  title: m.title,
  body: m.body,
  data: m.data,
  read: m.readAt !== null,
  createdAt: m.createdAt,
});

@Resolver()
export class MessagesResolver {
  @Authorized('WALLET_READ')
  @Query(() => MessageConnection, {
    description: 'The Messages page, newest first, as a Relay connection: older with first/after, newer with last/before (default 20, at most 100 per page).',
  })
  async messages(
    @Arg('unreadOnly', () => Boolean, { nullable: true, description: 'Only messages not marked read.' }) unreadOnly: boolean | null,
    @Arg('first', () => Int, { nullable: true, description: 'Up to this many messages after `after` (older); default 20, at most 100.' }) first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'A cursor from this connection: start after it.' }) after: string | null,
    @Arg('last', () => Int, { nullable: true, description: 'Up to this many messages before `before` (newer); at most 100. Not with `first`.' }) last: number | null,
    @Arg('before', () => String, { nullable: true, description: 'A cursor from this connection: end before it.' }) before: string | null,
    @Ctx() ctx: Context,
  ): Promise<MessageConnection> {
    const page = await ctx.services.messages.list(me(ctx).accountId, unreadOnly ?? false, { first, after, last, before });
    return { edges: page.edges.map((e) => ({ cursor: e.cursor, node: toMessageType(e.node) })), pageInfo: page.pageInfo };
  }

  @Authorized('WALLET_READ')
  @Query(() => Int, { description: 'How many messages are not marked read.' })
  async unreadMessageCount(@Ctx() ctx: Context): Promise<number> {
    return ctx.services.messages.unreadCount(me(ctx).accountId);
  }

  @Authorized('SESSION')
  @Mutation(() => Int, { description: "Marks the caller's messages read; returns how many were unread. Other accounts' and unknown ids are ignored; safe to repeat." })
  async markMessagesRead(@Arg('ids', () => [ID], { description: 'Message ids, at most 1000.' }) ids: string[], @Ctx() ctx: Context): Promise<number> {
    return ctx.services.messages.markRead(me(ctx).accountId, ids);
  }

  @Authorized('SESSION')
  @Mutation(() => Int, {
    description:
      "Marks the caller's unread messages read, up to and including `upTo`, or all of them without it; returns how many were unread. NOT_FOUND when `upTo` is not one of the caller's messages; safe to repeat.",
  })
  async markAllMessagesRead(
    @Arg('upTo', () => ID, { nullable: true, description: 'The newest message the reader has seen (the first of `messages`): messages that arrived after it stay unread.' }) upTo: string | null,
    @Ctx() ctx: Context,
  ): Promise<number> {
    return ctx.services.messages.markAllRead(me(ctx).accountId, upTo ?? null);
  }
}
