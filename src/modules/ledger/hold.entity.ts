import { BigIntType, Entity, Index, Property } from '@mikro-orm/core';
import { BaseEntity, References } from '../../shared/base.entity';
import { HoldStatus } from './domain/kinds';

export { HoldStatus } from './domain/kinds';

/**
 * Credits moved from balance to held for a job whose final cost is known later.
 * Held credits stay inside their buckets (balance + held == sum(remaining), docs/invariants.md #1);
 * a capture draws the actual amount from buckets, a release returns it to balance.
 */
@Entity({ tableName: 'hold' })
// A ledger batch loads a wallet's pending holds when one of its buckets is due (store/load.ts).
@Index({ name: 'hold_pending_wallet_idx', properties: ['walletId'], expression: `create index "hold_pending_wallet_idx" on "hold" ("wallet_id") where status = 'PENDING'` })
@Index({ name: 'hold_pending_expiry_idx', properties: ['expiresAt'], expression: `create index "hold_pending_expiry_idx" on "hold" ("expires_at") where status = 'PENDING'` })
export class Hold extends BaseEntity {
  @References('Wallet', 'wallet_id')
  @Index()
  walletId!: string;

  @Property({ type: 'uuid' })
  accountId!: string;

  @Property({ type: 'text' })
  status: HoldStatus = HoldStatus.PENDING;

  @Property({ type: new BigIntType('bigint') })
  amount!: bigint;

  @Property({ type: new BigIntType('bigint'), nullable: true })
  captured: bigint | null = null;

  @Property({ type: 'timestamptz' })
  expiresAt!: Date;

  @Property({ type: 'text' })
  feature!: string;

  @References('Synfluencer', 'synfluencer_id', { nullable: true })
  synfluencerId: string | null = null;

  @Property({ type: 'text', nullable: true })
  platform: string | null = null;

  @Property({ type: 'text', nullable: true })
  automationId: string | null = null;

  @Property({ type: 'text', nullable: true })
  provider: string | null = null;

  @Property({ type: 'double', nullable: true })
  quantity: number | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  settledAt: Date | null = null;
}
