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
  @Mutation(() => SynfluencerType)
  async createSynfluencer(@Arg('input', () => CreateSynfluencerInput) input: CreateSynfluencerInput, @Ctx() ctx: Context): Promise<SynfluencerType> {
    return toSynfluencerType(await ctx.services.synfluencers.create(me(ctx).accountId, input));
  }

  @Authorized('SESSION')
  @Mutation(() => SynfluencerType)
  async updateSynfluencer(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateSynfluencerInput) input: UpdateSynfluencerInput,
    @Ctx() ctx: Context,
  ): Promise<SynfluencerType> {
    return toSynfluencerType(await ctx.services.synfluencers.update(me(ctx).accountId, id, input));
  }

  @Authorized('SESSION')
  @Mutation(() => SynfluencerType)
  async archiveSynfluencer(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<SynfluencerType> {
    return toSynfluencerType(await ctx.services.synfluencers.archive(me(ctx).accountId, id));
  }
}
