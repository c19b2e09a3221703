import { Entity, Index, Property, Unique } from '@mikro-orm/core';
import { BaseEntity, References } from '../../shared/base.entity';

/**
 * A refresh token, stored only as a SHA-256 hash. Tokens rotate: each use revokes the
 * presented token and issues its successor in the same family. Presenting a revoked
 * token means it was stolen or replayed, so the whole family is revoked.
 */
@Entity({ tableName: 'refresh_token' })
@Index({ properties: ['familyId'] })
export class RefreshToken extends BaseEntity<'revokedAt' | 'rotatedAt'> {
  @References('Account', 'account_id')
  @Index()
  accountId!: string;

  @Property({ type: 'uuid' })
  familyId!: string;

  @Property({ type: 'text' })
  @Unique()
  tokenHash!: string;

  @Property({ type: 'timestamptz' })
  expiresAt!: Date;

  @Property({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  rotatedAt: Date | null = null;
}
