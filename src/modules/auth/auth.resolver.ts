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
  @Mutation(() => AuthPayload, {
    description:
      'Creates the account and its one wallet, grants the sign-up bonus (one transaction) and logs in. EMAIL_TAKEN if the email exists, WEAK_PASSWORD, BAD_USER_INPUT for a bad email or timezone, RATE_LIMITED (with retryAfterSeconds) once one client address created SIGNUP_MAX_PER_HOUR accounts in an hour.',
  })
  async signUp(@Arg('input', () => SignUpInput, { description: 'The new account.' }) input: SignUpInput, @Ctx() ctx: Context): Promise<AuthPayload> {
    return toPayload(await ctx.services.auth.signUp(input, ctx.ip));
  }

  @Mutation(() => AuthPayload, {
    description:
      'Starts a session. INVALID_CREDENTIALS for a wrong email or password (the same answer for both); RATE_LIMITED after too many failures for one email or client address (extensions.retryAfterSeconds).',
  })
  async logIn(
    @Arg('email', { description: 'The account email (any case).' }) email: string,
    @Arg('password', { description: "The account's password." }) password: string,
    @Ctx() ctx: Context,
  ): Promise<AuthPayload> {
    return toPayload(await ctx.services.auth.logIn(email, password, ctx.ip));
  }

  @Mutation(() => AuthPayload, {
    description:
      'Renews a session. Rotates: the old refresh token stops working; presenting it again (a replay) revokes the whole session. UNAUTHENTICATED for an unknown, used or expired token.',
  })
  async refreshToken(@Arg('refreshToken', { description: 'The refresh token of the last AuthPayload.' }) refreshToken: string, @Ctx() ctx: Context): Promise<AuthPayload> {
    return toPayload(await ctx.services.auth.refresh(refreshToken));
  }

  @Mutation(() => Boolean, {
    description: 'Ends the session the refresh token belongs to (every rotation of it). Returns false for an unknown token; safe to repeat.',
  })
  logOut(@Arg('refreshToken', { description: 'The refresh token of the session to end.' }) refreshToken: string, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.auth.logOut(refreshToken);
  }

  @Authorized('SESSION')
  @Mutation(() => Boolean, {
    description:
      "Sets a new password and ends every other session of the account (their refresh tokens, access tokens and sockets); the caller's session stays. INVALID_CREDENTIALS if currentPassword is wrong, WEAK_PASSWORD if newPassword fails the policy, BAD_USER_INPUT if it is the current one.",
  })
  changePassword(
    @Arg('currentPassword', { description: 'The password in use now.' }) currentPassword: string,
    @Arg('newPassword', { description: 'At least 8 and at most 256 characters with an uppercase letter, a lowercase letter and a digit.' }) newPassword: string,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    return ctx.services.auth.changePassword(me(ctx).accountId, me(ctx).sessionId, currentPassword, newPassword);
  }

  @Authorized('SESSION')
  @Mutation(() => CreatedApiKey, { description: 'Creates a partner API key. The secret is shown only in this response. Needs a logged-in session.' })
  async createApiKey(
    @Arg('name', { description: 'A label, 1 to 100 characters.' }) name: string,
    @Arg('scopes', () => [ApiKeyScope], { description: 'At least one scope.' }) scopes: ApiKeyScope[], @Ctx() ctx: Context): Promise<CreatedApiKey> {
    const { key, secret } = await ctx.services.auth.createApiKey(me(ctx).accountId, name, scopes);
    return { apiKey: toApiKeyType(key), secret };
  }

  @Authorized('SESSION')
  @Mutation(() => Boolean, { description: "Revokes one of the account's API keys for good. NOT_FOUND for an unknown id; revoking twice is fine." })
  revokeApiKey(@Arg('id', () => ID, { description: 'The key id (ApiKey.id).' }) id: string, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.auth.revokeApiKey(me(ctx).accountId, id);
  }

  @Authorized('SESSION')
  @Query(() => [ApiKeyType], { description: "The account's API keys, revoked ones included. Needs a logged-in session." })
  async apiKeys(@Ctx() ctx: Context): Promise<ApiKeyType[]> {
    return (await ctx.services.auth.apiKeys(me(ctx).accountId)).map(toApiKeyType);
  }
}
