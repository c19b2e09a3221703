import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { AccountType } from '../accounts/accounts.types';
import { ApiKeyScope } from './api-key.entity';

registerEnumType(ApiKeyScope, {
  name: 'ApiKeyScope',
  description: 'What an API key may do. Account management (settings, keys, billing) always needs a logged-in session.',
  valuesConfig: {
    USAGE_WRITE: { description: "Charge, quote and hold credits on the key owner's wallet." },
    WALLET_READ: { description: 'Read the wallet, its history and usage, and subscribe to balance changes.' },
  },
});

@InputType({ description: 'A new account.' })
export class SignUpInput {
  @Field({ description: 'At most 254 characters; unique regardless of case (EMAIL_TAKEN otherwise).' })
  email!: string;

  @Field({ description: 'At least 8 and at most 256 characters with an uppercase letter, a lowercase letter and a digit (WEAK_PASSWORD otherwise).' })
  password!: string;

  @Field(() => String, { nullable: true, description: 'IANA time zone, e.g. "Europe/Berlin". Default UTC.' })
  timezone?: string | null;
}

@ObjectType({ description: 'A session: a short-lived access token and the refresh token that renews it.' })
export class AuthPayload {
  @Field({ description: 'A JWT (ES256) to send as `Authorization: Bearer <accessToken>`; valid until `expiresAt` (15 minutes by default).' })
  accessToken!: string;

  @Field({ description: 'Single use: refreshToken(refreshToken) returns a new pair and retires this one (30 days by default). Keep it secret.' })
  refreshToken!: string;

  @Field({ description: 'When the access token expires.' })
  expiresAt!: Date;

  @Field(() => AccountType, { description: 'The account the tokens belong to.' })
  account!: AccountType;
}

@ObjectType('ApiKey', { description: 'A partner API key (its secret is never shown again after creation; only its SHA-256 is stored).' })
export class ApiKeyType {
  @Field(() => ID, { description: 'Stable key id (for revokeApiKey).' })
  id!: string;

  @Field({ description: 'The name given at creation, 1 to 100 characters.' })
  name!: string;

  @Field({ description: 'The first characters of the secret, to tell keys apart.' })
  prefix!: string;

  @Field(() => [ApiKeyScope], { description: 'What the key may do.' })
  scopes!: ApiKeyScope[];

  @Field({ description: 'When the key was created.' })
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When the key last authenticated a request (updated at most once a minute); null if never.' })
  lastUsedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the key was revoked; null while it works.' })
  revokedAt!: Date | null;
}

@ObjectType({ description: 'A new API key with its secret.' })
export class CreatedApiKey {
  @Field(() => ApiKeyType, { description: 'The key (without its secret).' })
  apiKey!: ApiKeyType;

  @Field({ description: 'The secret, shown only this once. Send it as Authorization: Bearer <secret>.' })
  secret!: string;
}
