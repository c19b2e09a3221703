import { BigIntType, Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * Failed log-ins counted across every instance: rate-limiter-flexible's PostgreSQL store
 * (RateLimiterPostgres) keeps one row per key ("email:<address>", "ip:<address>"); `expire`
 * is milliseconds since the epoch. The library reads and writes this table with its own SQL;
 * the entity exists so migrations create it and the schema diff knows it.
 */
@Entity({ tableName: 'login_throttle' })
export class LoginThrottle {
  @PrimaryKey({ type: 'text' })
  key!: string;

  @Property({ type: 'int', default: 0 })
  points: number = 0;

  @Property({ type: new BigIntType('number'), nullable: true })
  @Index()
  expire: number | null = null;
}
