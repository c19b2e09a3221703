import { randomUUID } from 'node:crypto';
import { ManyToOne, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * Id and creation time of every entity. `Defaulted` names the properties a subclass
 * initializes itself, so `em.create` does not ask for them (MikroORM's OptionalProps).
 */
export abstract class BaseEntity<Defaulted extends string = never> {
  [OptionalProps]?: 'id' | 'createdAt' | Defaulted;

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}

/**
 * A uuid column that references another table's primary key (a foreign key), while the
 * property stays the plain id string services already use (MikroORM's `mapToPk`). Referenced
 * rows are never deleted and ids never change, so both rules are `restrict`: the database
 * refuses to orphan a row instead of cascading into the ledger. Nothing is indexed for it:
 * the referenced side is a primary key, so the insert-time check is one index probe.
 */
export function References(entity: string, column: string, opts: { nullable?: boolean } = {}) {
  return ManyToOne(entity, { joinColumn: column, mapToPk: true, nullable: opts.nullable ?? false, deleteRule: 'restrict', updateRule: 'restrict' });
}
