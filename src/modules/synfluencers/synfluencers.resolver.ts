import { Arg, Authorized, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../auth/context';
import { me } from '../auth/context';
import type { Synfluencer } from './synfluencer.entity';
import { CreateSynfluencerInput, SynfluencerType, UpdateSynfluencerInput } from './synfluencers.types';

export const toSynfluencerType = (s: Synfluencer): SynfluencerType => ({
  id: s.id,
  name: s.name,
  handle: s.handle,
  platforms: s.platforms,
  archived: s.archived,
  createdAt: s.createdAt,
});

@Resolver(() => SynfluencerType)
export class SynfluencersResolver {
  @Authorized('SESSION')
  @Mutation(() => SynfluencerType, { description: 'Adds a synfluencer to the account. BAD_USER_INPUT for a bad name, handle or platform list.' })
  async createSynfluencer(@Arg('input', () => CreateSynfluencerInput, { description: 'The new synfluencer.' }) input: CreateSynfluencerInput, @Ctx() ctx: Context): Promise<SynfluencerType> {
    return toSynfluencerType(await ctx.services.synfluencers.create(me(ctx).accountId, input));
  }

  @Authorized('SESSION')
  @Mutation(() => SynfluencerType, { description: "Renames or edits one of the account's synfluencers. NOT_FOUND for another account's." })
  async updateSynfluencer(
    @Arg('id', () => ID, { description: 'The synfluencer to change.' }) id: string,
    @Arg('input', () => UpdateSynfluencerInput, { description: 'The fields to change.' }) input: UpdateSynfluencerInput,
    @Ctx() ctx: Context,
  ): Promise<SynfluencerType> {
    return toSynfluencerType(await ctx.services.synfluencers.update(me(ctx).accountId, id, input));
  }

  @Authorized('SESSION')
  @Mutation(() => SynfluencerType, { description: 'Archives a synfluencer (hidden from lists; its usage history stays). Safe to repeat. NOT_FOUND for another account\'s.' })
  async archiveSynfluencer(@Arg('id', () => ID, { description: 'The synfluencer to archive.' }) id: string, @Ctx() ctx: Context): Promise<SynfluencerType> {
    return toSynfluencerType(await ctx.services.synfluencers.archive(me(ctx).accountId, id));
  }
}
