import { Entity, Index, Property, Unique } from '@mikro-orm/core';
import { BaseEntity, References } from '../../shared/base.entity';

export enum ApiKeyScope {
  USAGE_WRITE = 'USAGE_WRITE',
  WALLET_READ = 'WALLET_READ',
}

/** A partner API key. Only the SHA-256 of the secret is stored; the secret is shown once. */
@Entity({ tableName: 'api_key' })
export class ApiKey extends BaseEntity<'lastUsedAt' | 'revokedAt'> {
  @References('Account', 'account_id')
  @Index()
  accountId!: string;

  @Property({ type: 'text' })
  name!: string;

  /** The first characters of the secret, so a user can tell keys apart. */
  @Property({ type: 'text' })
  prefix!: string;

  @Property({ type: 'text', hidden: true })
  @Unique()
  secretHash!: string;

  @Property({ type: 'text[]' })
  scopes!: ApiKeyScope[];

  @Property({ type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null = null;
}
