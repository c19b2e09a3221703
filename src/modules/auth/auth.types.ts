import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { AccountType } from '../accounts/accounts.types';
import { ApiKeyScope } from './api-key.entity';

registerEnumType(ApiKeyScope, {
  name: 'ApiKeyScope',
  valuesConfig: {
    USAGE_WRITE: { description: "Charge, quote and hold credits on the key owner's wallet." },
    WALLET_READ: { description: 'Read the wallet, its history and usage, and subscribe to balance changes.' },
  },
});

@InputType()
export class SignUpInput {
  @Field()
  email!: string;

  @Field()
  password!: string;

  @Field(() => String, { nullable: true, description: 'IANA time zone, e.g. "Europe/Berlin". Default UTC.' })
  timezone?: string | null;
}

@ObjectType()
export class AuthPayload {
  @Field()
  accessToken!: string;

  @Field()
  refreshToken!: string;

  @Field({ description: 'When the access token expires.' })
  expiresAt!: Date;

  @Field(() => AccountType)
  account!: AccountType;
}

@ObjectType('ApiKey')
export class ApiKeyType {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field({ description: 'The first characters of the secret, to tell keys apart.' })
  prefix!: string;

  @Field(() => [ApiKeyScope])
  scopes!: ApiKeyScope[];

  @Field()
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  lastUsedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  revokedAt!: Date | null;
}

@ObjectType()
export class CreatedApiKey {
  @Field(() => ApiKeyType)
  apiKey!: ApiKeyType;

  @Field({ description: 'The secret, shown only this once. Send it as Authorization: Bearer <secret>.' })
  secret!: string;
}
