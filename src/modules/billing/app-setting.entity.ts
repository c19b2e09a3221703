import { Entity, JsonType, PrimaryKey, Property } from '@mikro-orm/core';
import { BaseEntity, References } from '../../shared/base.entity';

/** Service-wide settings an admin can change at run time (e.g. self-service billing). */
@Entity({ tableName: 'app_setting' })
export class AppSetting {
  @PrimaryKey({ type: 'text' })
  key!: string;

  @Property({ type: JsonType })
  value!: unknown;

  @References('Account', 'updated_by', { nullable: true })
  updatedBy: string | null = null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  updatedAt: Date = new Date();
}

/** Every change of an `AppSetting`: who, when, old and new value. Written in the same transaction as the change. */
@Entity({ tableName: 'app_setting_audit' })
export class AppSettingAudit extends BaseEntity {
  @Property({ type: 'text' })
  key!: string;

  @References('Account', 'actor_id', { nullable: true })
  actorId: string | null = null;

  @Property({ type: JsonType, nullable: true })
  oldValue: unknown = null;

  @Property({ type: JsonType, nullable: true })
  newValue: unknown = null;
}
