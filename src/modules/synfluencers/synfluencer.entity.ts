import { Entity, Index, Property } from '@mikro-orm/core';
import { BaseEntity, References } from '../../shared/base.entity';

@Entity({ tableName: 'synfluencer' })
export class Synfluencer extends BaseEntity<'platforms' | 'archived' | 'updatedAt'> {
  @References('Account', 'account_id')
  @Index()
  accountId!: string;

  @Property({ type: 'text' })
  name!: string;

  @Property({ type: 'text' })
  handle!: string;

  @Property({ type: 'text[]' })
  platforms: string[] = [];

  @Property({ type: 'boolean', default: false })
  archived: boolean = false;

  @Property({ type: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
