import { Field, ID, InputType, ObjectType, registerEnumType, UseMiddleware } from 'type-graphql';
import { Credits } from '../../shared/graphql';
import { KeyNeedsWalletRead } from '../auth/context';
import { Role } from './account.entity';

registerEnumType(Role, {
  name: 'Role',
  description: 'What an account may do beyond its own wallet.',
  valuesConfig: {
    USER: { description: 'A studio: manages its own account, wallet, synfluencers and API keys.' },
    ADMIN: { description: 'Listed in ADMIN_EMAILS: may also grant credits, charge or watch any account, and switch self-service billing.' },
  },
});

@ObjectType({ description: "The account's alert and budget settings. Its id is the account's id, so caches keep one copy per account." })
export class AccountSettings {
  @Field(() => ID, { description: "The account's id." })
  id!: string;

  @Field(() => Credits, { nullable: true, description: 'Month-to-date spend that raises a BURN_ALERT message (once a month); null = off.' })
  burnAlertThreshold!: bigint | null;

  @Field(() => Credits, {
    nullable: true,
    description: "Spend in a calendar month (account timezone), plus credits held, never exceeds this: a charge or hold that would pass it fails with BUDGET_CAP_EXCEEDED. Null = no cap.",
  })
  monthlyBudgetCap!: bigint | null;

  @Field({ description: 'Whether low-credit alerts (25 %, 10 %, 0 %) are also emailed.' })
  lowCreditEmails!: boolean;
}

@ObjectType('Account', { description: 'A studio account: one login, one wallet shared by all of its synfluencers.' })
export class AccountType {
  @Field(() => ID, { description: 'Stable account id (a UUID).' })
  id!: string;

  @UseMiddleware(KeyNeedsWalletRead)
  @Field({ description: 'Log-in email, stored lower-cased (unique regardless of case). Needs WALLET_READ for API keys.' })
  email!: string;

  @Field(() => Role, { description: 'USER, or ADMIN for accounts listed in ADMIN_EMAILS.' })
  role!: Role;

  @Field({ description: 'IANA time zone; months and usage buckets are counted in it.' })
  timezone!: string;

  @Field({ description: 'When the account signed up.' })
  createdAt!: Date;

  @Field(() => AccountSettings, { description: 'Alert and budget settings (change them with updateSettings).' })
  settings!: AccountSettings;
}

@InputType({ description: 'Settings to change; omitted fields stay as they are.' })
export class UpdateSettingsInput {
  @Field(() => String, { nullable: true, description: 'IANA time zone, e.g. "Europe/Berlin"; anything else is BAD_USER_INPUT.' })
  timezone?: string;

  @Field(() => Credits, { nullable: true, description: 'Greater than 0, or an explicit null to turn the burn alert off.' })
  burnAlertThreshold?: bigint | null;

  @Field(() => Credits, { nullable: true, description: '0 or more (0 blocks all spend), or an explicit null to remove the cap.' })
  monthlyBudgetCap?: bigint | null;

  @Field(() => Boolean, { nullable: true, description: 'true or false; null is BAD_USER_INPUT.' })
  lowCreditEmails?: boolean;
}
