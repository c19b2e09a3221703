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
  @Query(() => MessageConnection, { description: 'The Messages page, newest first.' })
  async messages(
    @Arg('unreadOnly', () => Boolean, { nullable: true }) unreadOnly: boolean | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: Context,
  ): Promise<MessageConnection> {
    const page = await ctx.services.messages.list(me(ctx).accountId, unreadOnly ?? false, first, after);
    return { edges: page.edges.map((e) => ({ cursor: e.cursor, node: toMessageType(e.node) })), pageInfo: page.pageInfo };
  }

  @Authorized('WALLET_READ')
  @Query(() => Int)
  async unreadMessageCount(@Ctx() ctx: Context): Promise<number> {
    return ctx.services.messages.unreadCount(me(ctx).accountId);
  }

  @Authorized('SESSION')
  @Mutation(() => Int, { description: "Marks the caller's messages read; returns how many were unread." })
  async markMessagesRead(@Arg('ids', () => [ID]) ids: string[], @Ctx() ctx: Context): Promise<number> {
    return ctx.services.messages.markRead(me(ctx).accountId, ids);
  }
}
