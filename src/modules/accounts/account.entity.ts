import { BigIntType, Entity, Enum, Property, Unique } from '@mikro-orm/core';
import { BaseEntity } from '../../shared/base.entity';

export enum Role {
  USER = 'USER',
  ADMIN = 'ADMIN',
}

@Entity({ tableName: 'account' })
export class Account extends BaseEntity<'role' | 'timezone' | 'burnAlertThreshold' | 'monthlyBudgetCap' | 'lowCreditEmails' | 'stripeCustomerId' | 'planId' | 'updatedAt'> {
  /** Always stored lower-cased so uniqueness is case-insensitive. */
  @Property({ type: 'text' })
  @Unique()
  email!: string;

  @Property({ type: 'text', hidden: true })
  passwordHash!: string;

  @Enum({ items: () => Role, nativeEnumName: undefined, type: 'text' })
  role: Role = Role.USER;

  @Property({ type: 'text' })
  timezone: string = 'UTC';

  /** Month-to-date spend that triggers a BURN_ALERT message; null = off. */
  @Property({ type: new BigIntType('bigint'), nullable: true })
  burnAlertThreshold: bigint | null = null;

  /** Spend in a calendar month (account timezone) never exceeds this; null = no cap (docs/invariants.md #6). */
  @Property({ type: new BigIntType('bigint'), nullable: true })
  monthlyBudgetCap: bigint | null = null;

  @Property({ type: 'boolean', default: true })
  lowCreditEmails: boolean = true;

  @Property({ type: 'text', nullable: true })
  stripeCustomerId: string | null = null;

  @Property({ type: 'text', nullable: true })
  planId: string | null = null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
