import { BigIntType, Entity, Index, JsonType, Property } from '@mikro-orm/core';
import { BaseEntity, References } from '../../shared/base.entity';
import { SPEND_KINDS_SQL, TransactionKind } from './domain/kinds';
import type { BucketDraw } from './domain/state';

export { TransactionKind } from './domain/kinds';
export type { BucketDraw } from './domain/state';

/**
 * The ledger. A row is never updated or deleted (a trigger in the initial migration refuses
 * both); corrections are new rows (docs/invariants.md #3). (account_id, idempotency_key) is
 * unique, so a key is applied at most once per account, forever (#4).
 */
@Entity({ tableName: 'ledger_transaction' })
@Index({ name: 'ledger_transaction_account_seq_idx', properties: ['accountId', 'seq'] })
@Index({
  name: 'ledger_transaction_idem_uniq',
  properties: ['accountId', 'idempotencyKey'],
  expression: 'create unique index "ledger_transaction_idem_uniq" on "ledger_transaction" ("account_id", "idempotency_key") where idempotency_key is not null',
})
/** Spend by time (usage reporting edges, runway, the naive summary): only the kinds that are spend. */
@Index({
  name: 'ledger_transaction_spend_idx',
  properties: ['accountId', 'createdAt'],
  expression: `create index "ledger_transaction_spend_idx" on "ledger_transaction" ("account_id", "created_at") where kind in ${SPEND_KINDS_SQL}`,
})
export class LedgerTransaction extends BaseEntity<'seq' | 'synfluencerId' | 'feature' | 'platform' | 'automationId' | 'provider' | 'quantity' | 'unit' | 'idempotencyKey' | 'requestHash' | 'holdId' | 'draws' | 'metadata'> {
  /**
   * Insertion order from one sequence, so unique without a constraint; the stable key of
   * `transactions` cursors. Every read by seq names the account and uses the (account_id, seq)
   * index: a global unique index would be a sixth index on the hottest insert, never read.
   */
  @Property({ type: 'bigint', autoincrement: true, columnType: 'bigserial' })
  seq!: string;

  @References('Wallet', 'wallet_id')
  walletId!: string;

  @Property({ type: 'uuid' })
  accountId!: string;

  @Property({ type: 'text' })
  kind!: TransactionKind;

  /** Signed micro-credits: spend is negative. */
  @Property({ type: new BigIntType('bigint') })
  amount!: bigint;

  @Property({ type: new BigIntType('bigint') })
  balanceAfter!: bigint;

  @Property({ type: new BigIntType('bigint') })
  walletVersion!: bigint;

  @Property({ type: 'text' })
  description!: string;

  @References('Synfluencer', 'synfluencer_id', { nullable: true })
  synfluencerId: string | null = null;

  @Property({ type: 'text', nullable: true })
  feature: string | null = null;

  @Property({ type: 'text', nullable: true })
  platform: string | null = null;

  @Property({ type: 'text', nullable: true })
  automationId: string | null = null;

  @Property({ type: 'text', nullable: true })
  provider: string | null = null;

  @Property({ type: 'double', nullable: true })
  quantity: number | null = null;

  @Property({ type: 'text', nullable: true })
  unit: string | null = null;

  @Property({ type: 'text', nullable: true })
  idempotencyKey: string | null = null;

  /** SHA-256 of the canonical request, to tell a retry from a conflicting reuse of a key. */
  @Property({ type: 'text', nullable: true })
  requestHash: string | null = null;

  @References('Hold', 'hold_id', { nullable: true })
  holdId: string | null = null;

  /** Buckets this movement drew from or returned to. */
  @Property({ type: JsonType, nullable: true })
  draws: BucketDraw[] | null = null;

  @Property({ type: JsonType, nullable: true })
  metadata: Record<string, unknown> | null = null;
}
