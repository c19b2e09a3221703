import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { Credits } from '../../shared/graphql';
import { Role } from './account.entity';

registerEnumType(Role, { name: 'Role' });

@ObjectType()
export class AccountSettings {
  @Field(() => Credits, { nullable: true, description: 'Month-to-date spend that raises a BURN_ALERT; null = off.' })
  burnAlertThreshold!: bigint | null;

  @Field(() => Credits, { nullable: true, description: 'Spend in a calendar month (account timezone) never exceeds this; null = no cap.' })
  monthlyBudgetCap!: bigint | null;

  @Field()
  lowCreditEmails!: boolean;
}

@ObjectType('Account')
export class AccountType {
  @Field(() => ID)
  id!: string;

  @Field()
  email!: string;

  @Field(() => Role)
  role!: Role;

  @Field({ description: 'IANA time zone; months and usage buckets are counted in it.' })
  timezone!: string;

  @Field()
  createdAt!: Date;

  @Field(() => AccountSettings)
  settings!: AccountSettings;
}

@InputType()
export class UpdateSettingsInput {
  @Field(() => String, { nullable: true })
  timezone?: string;

  @Field(() => Credits, { nullable: true })
  burnAlertThreshold?: bigint | null;

  @Field(() => Credits, { nullable: true })
  monthlyBudgetCap?: bigint | null;

  @Field(() => Boolean, { nullable: true })
  lowCreditEmails?: boolean;
}
