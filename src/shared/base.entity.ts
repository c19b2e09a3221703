import { randomUUID } from 'node:crypto';
import { OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

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
