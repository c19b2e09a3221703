import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from './context';
import { me } from './context';
import { ApiKeyScope } from './api-key.entity';
import { ApiKeyType, AuthPayload, CreatedApiKey, SignUpInput } from './auth.types';
import type { AuthResult } from './auth.service';
import type { ApiKey } from './api-key.entity';
import { toAccountType } from '../accounts/accounts.resolver';

const toPayload = (r: AuthResult): AuthPayload => ({ ...r, account: toAccountType(r.account) });
export const toApiKeyType = (k: ApiKey): ApiKeyType => ({
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  scopes: k.scopes,
  createdAt: k.createdAt,
  lastUsedAt: k.lastUsedAt,
  revokedAt: k.revokedAt,
});

@Resolver()
export class AuthResolver {
  @Mutation(() => AuthPayload, { description: 'Creates the account, its one wallet, and grants the sign-up bonus.' })
  async signUp(@Arg('input', () => SignUpInput) input: SignUpInput, @Ctx() ctx: Context): Promise<AuthPayload> {
    return toPayload(await ctx.services.auth.signUp(input));
  }

  @Mutation(() => AuthPayload)
  async logIn(@Arg('email') email: string, @Arg('password') password: string, @Ctx() ctx: Context): Promise<AuthPayload> {
    return toPayload(await ctx.services.auth.logIn(email, password, ctx.ip));
  }

  @Mutation(() => AuthPayload, { description: 'Rotates: the old refresh token stops working; reusing it revokes the session.' })
  async refreshToken(@Arg('refreshToken') refreshToken: string, @Ctx() ctx: Context): Promise<AuthPayload> {
    return toPayload(await ctx.services.auth.refresh(refreshToken));
  }

  @Mutation(() => Boolean)
  logOut(@Arg('refreshToken') refreshToken: string, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.auth.logOut(refreshToken);
  }

  @Authorized('SESSION')
  @Mutation(() => Boolean)
  changePassword(@Arg('currentPassword') currentPassword: string, @Arg('newPassword') newPassword: string, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.auth.changePassword(me(ctx).accountId, me(ctx).sessionId, currentPassword, newPassword);
  }

  @Authorized('SESSION')
  @Mutation(() => CreatedApiKey, { description: 'The secret is shown only in this response.' })
  async createApiKey(@Arg('name') name: string, @Arg('scopes', () => [ApiKeyScope]) scopes: ApiKeyScope[], @Ctx() ctx: Context): Promise<CreatedApiKey> {
    const { key, secret } = await ctx.services.auth.createApiKey(me(ctx).accountId, name, scopes);
    return { apiKey: toApiKeyType(key), secret };
  }

  @Authorized('SESSION')
  @Mutation(() => Boolean)
  revokeApiKey(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.auth.revokeApiKey(me(ctx).accountId, id);
  }

  @Authorized('SESSION')
  @Query(() => [ApiKeyType])
  async apiKeys(@Ctx() ctx: Context): Promise<ApiKeyType[]> {
    return (await ctx.services.auth.apiKeys(me(ctx).accountId)).map(toApiKeyType);
  }
}
