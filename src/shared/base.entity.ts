import { randomUUID } from 'node:crypto';
import { ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';

export abstract class BaseEntity {
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
