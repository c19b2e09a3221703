import { Entity, Index, Property } from '@mikro-orm/core';
import { BaseEntity, References } from '../../shared/base.entity';

/**
 * An authenticated WebSocket connection, on whichever instance holds it, so the per-account
 * and per-API-key socket limits hold across instances (socket-registry.ts). A row is removed
 * when its socket closes; rows of an instance that died are ignored (its LISTEN connection is
 * gone from pg_stat_activity) and purged later.
 */
@Entity({ tableName: 'live_socket' })
export class LiveSocket extends BaseEntity {
  /** The instance holding the socket (its LISTEN connection's application_name carries it). */
  @Property({ type: 'uuid' })
  @Index()
  instanceId!: string;

  @References('Account', 'account_id')
  @Index()
  accountId!: string;

  @References('ApiKey', 'api_key_id', { nullable: true })
  @Index()
  apiKeyId: string | null = null;

  /** The session (refresh family) of the access token that opened it. */
  @Property({ type: 'uuid', nullable: true })
  sessionId: string | null = null;
}
