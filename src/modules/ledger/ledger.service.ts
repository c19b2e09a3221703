import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../../config';
import { Sql } from '../../db/sql';
import { DomainError, ErrorCode, badInput, notFound } from '../../shared/errors';
import { isUuid } from '../../shared/ids';
import type { Logger } from '../../shared/logger';
import { formatCredits } from '../../shared/money';
import type { PricingService } from '../pricing/pricing.service';
import { CreditBucket } from './credit-bucket.entity';
import { CreditSource, HoldStatus, TransactionKind } from './domain/kinds';
import type { ChargeOperation, LedgerOperation, ReserveOperation } from './domain/operations';
import type { OperationResult } from './domain/results';
import type { BucketRecord, HoldRecord, LedgerEntry, WalletSnapshot } from './domain/state';
import type { CommittedWallet } from './engine/batch';
import type { BatchParticipant } from './engine/participant';
import { LedgerEngine } from './engine/scheduler';
import { LedgerTransaction } from './ledger-transaction.entity';
import { MonthTurns } from './month-turns';
import { expireDueBuckets, expireDueHolds } from './expiry-sweep';
import { CreditRefusals } from './ledger.refusals';
import { captureOperation, heldCaptureTerms, pricedCaptureTerms, refuseUnpricedUsage, reserveOperation, reserveRequestHash, type CaptureTerms, type ReserveInputData } from './ledger.holds';
import { replayUnpriced, replayUnpricedAll, type Settled, type UnpricedRetry } from './ledger.replays';
import { chargeOperation, chargeRequestHash, chargeResult, checkBatch, lookUpBatch, queuedOf, settleBatch, type BatchChargeOutcome, type ChargeResult } from './ledger.charges';
import {
  assertClientKey,
  assertKey,
  MAX_BATCH_ITEMS,
  optionalClientKey,
  requestHash,
  type CaptureInputData,
  type ChargeInputData,
  type GrantInput,
  type PlanAllocation,
  type PurchaseGrant,
  type RefundDebit,
  type RefundRestore,
} from './ledger.input';
import { verifyLedger, type InvariantViolation } from './ledger.verify';
import { BUCKET_JSON, decodeBucket, decodeHold, decodeWallet, HOLD_JSON, WALLET_ACCOUNT_COLUMNS, WALLET_COLUMNS } from './store/rows';
import { transactionFilterSql, type TransactionFilter } from './store/transaction-filter';
import { Wallet } from './wallet.entity';
import { walletView, type WalletView } from './wallet.view';

export { WalletStatus, walletView, type WalletView } from './wallet.view';

export type { CaptureInputData, ChargeInputData, GrantInput, PlanAllocation, PurchaseGrant, RefundDebit, RefundRestore, UsageInputData } from './ledger.input';
export { MAX_BATCH_ITEMS } from './ledger.input';
export type { BatchChargeOutcome, ChargeResult } from './ledger.charges';
export type { TransactionFilter } from './store/transaction-filter';
export type { InvariantViolation } from './ledger.verify';

/** Committed wallet changes, for real time (wired by app.ts). */
export type CommitListener = (committed: CommittedWallet) => void;

/**
 * The ledger module's API: one method per verb. Lock-free reads (price, synfluencer ownership,
 * hold status) happen here before an operation is queued; every credit movement is one engine
 * operation, applied in one database transaction under the wallet's row lock.
 */
export class LedgerService {
  /** The queue every operation goes through; tests submit operations to it directly. */
  readonly engine: LedgerEngine;
  private readonly walletIds = new Map<string, string>();
  private readonly ownedSynfluencers = new Set<string>();
  private readonly listeners: CommitListener[] = [];
  private readonly refusals: CreditRefusals;
  private readonly monthTurns: MonthTurns;
  private readonly sql: Sql;

  constructor(
    private readonly orm: MikroORM,
    config: Config,
    private readonly pricing: PricingService,
    private readonly log: Logger,
  ) {
    this.sql = new Sql(orm);
    this.refusals = new CreditRefusals(log);
    this.engine = new LedgerEngine({
      acquire: () => this.sql.acquire(),
      release: (client, err) => this.sql.release(client, err),
      maxBatch: config.ledgerMaxBatch,
      // Leave pool connections for reads, billing and alerts whatever the setting says.
      maxConcurrentBatches: Math.max(1, Math.min(config.ledgerMaxConcurrentBatches, config.dbPoolSize - 2)),
      batchWindowMs: config.ledgerBatchWindowMs,
      log,
      onCommit: (committed) => this.listeners.forEach((listener) => this.notifyListener(listener, committed)),
    });
    this.monthTurns = new MonthTurns(this.sql, (walletId) =>
      this.engine.submit(walletId, { type: 'review', publish: false }).catch((err) => this.log.error({ err, walletId }, 'month turn failed')),
    );
  }

  private notifyListener(listener: CommitListener, committed: CommittedWallet): void {
    try {
      listener(committed);
    } catch (err) {
      this.log.error({ err }, 'commit listener failed');
    }
  }

  onCommit(listener: CommitListener): void {
    this.listeners.push(listener);
  }

  /** Told (on the request's path: must be cheap) when a spend of the account was refused with INSUFFICIENT_CREDITS. */
  onRefusedForCredits(listener: (accountId: string) => void): void {
    this.refusals.listen(listener);
  }

  /** Another module's part in every batch (alerts, usage rollup); see BatchParticipant. Before the first operation. */
  addParticipant<Part>(participant: BatchParticipant<Part>): void {
    this.engine.addParticipant(participant);
  }

  /** Resolves when every queued operation has settled (graceful stop). */
  drain(): Promise<void> {
    return this.engine.drain();
  }

  private get em(): EntityManager {
    return this.orm.em.fork() as EntityManager;
  }

  // ---------------------------------------------------------------- wallets

  /**
   * Creates the account's one wallet with its sign-up bonus, inside the caller's transaction
   * (the account and its wallet commit together or not at all).
   */
  openWallet(em: EntityManager, accountId: string, bonus: bigint): Wallet {
    const wallet = em.create(Wallet, { accountId, balance: bonus, version: bonus > 0n ? 1n : 0n, lowCreditReference: bonus });
    if (bonus > 0n) {
      const bucket = em.create(CreditBucket, { walletId: wallet.id, source: CreditSource.SIGNUP_BONUS, granted: bonus, remaining: bonus });
      em.create(LedgerTransaction, {
        walletId: wallet.id,
        accountId,
        kind: TransactionKind.SIGNUP_BONUS,
        amount: bonus,
        balanceAfter: bonus,
        walletVersion: 1n,
        description: `Sign-up bonus of ${formatCredits(bonus)} credits`,
        draws: [{ bucketId: bucket.id, amount: bonus.toString() }],
      });
    }
    return wallet;
  }

  async walletIdOf(accountId: string): Promise<string> {
    const cached = this.walletIds.get(accountId);
    if (cached) return cached;
    const rows = await this.sql.query<{ id: string }>('select id from wallet where account_id = ?', [accountId]);
    if (rows.length === 0) throw notFound('Account'); // every account has its wallet: the caller named an account that does not exist
    this.walletIds.set(accountId, rows[0].id);
    return rows[0].id;
  }

  /**
   * Lets every participant look at the wallet again after an account setting the ledger reads
   * changed (budget cap, burn alert threshold, timezone): an alert that is now due is raised
   * once, exactly as after a charge, under the wallet lock. Records nothing; `publish` when the
   * change was one the wallet shows (its cap, its month), which gave it a new version: subscribers
   * receive its state after the review.
   */
  async review(accountId: string, asked: { publish?: boolean; topUpCheck?: boolean }): Promise<void> {
    await this.engine.submit(await this.walletIdOf(accountId), { type: 'review', publish: asked.publish ?? false, topUpCheck: asked.topUpCheck ?? false });
  }

  async wallet(accountId: string): Promise<WalletView> {
    const views = await this.walletsByAccount([accountId]);
    const view = views.get(accountId);
    if (!view) throw notFound('Wallet');
    return view;
  }

  async walletsByAccount(accountIds: readonly string[]): Promise<Map<string, WalletView>> {
    const rows = await this.sql.query(
      `select ${WALLET_COLUMNS}, ${WALLET_ACCOUNT_COLUMNS} from wallet w join account a on a.id = w.account_id where w.account_id = any(?::uuid[])`,
      [accountIds as string[]],
    );
    return new Map(rows.map((row) => [row.account_id as string, walletView(decodeWallet(row))]));
  }

  async buckets(walletIds: readonly string[]): Promise<Map<string, BucketRecord[]>> {
    const rows = await this.sql.query<{ bucket: Record<string, unknown> }>(
      `select ${BUCKET_JSON} as bucket from credit_bucket b where b.wallet_id = any(?::uuid[]) order by b.created_at, b.id`,
      [walletIds as string[]],
    );
    const byWallet = new Map<string, BucketRecord[]>();
    for (const bucket of rows.map((row) => decodeBucket(row.bucket))) {
      if (!byWallet.has(bucket.walletId)) byWallet.set(bucket.walletId, []);
      byWallet.get(bucket.walletId)!.push(bucket);
    }
    return byWallet;
  }

  /** When the account's current plan allocation expires (the next refill); null without one. */
  async planAllocationEnd(accountId: string): Promise<Date | null> {
    const rows = await this.sql.query<{ ends: Date | null }>(
      `select max(b.expires_at) as ends from credit_bucket b join wallet w on w.id = b.wallet_id
        where w.account_id = ? and b.source = 'PLAN_ALLOCATION' and b.expires_at > now()`,
      [accountId],
    );
    return rows[0]?.ends ? new Date(rows[0].ends) : null;
  }

  viewOf(snapshot: WalletSnapshot): WalletView {
    return walletView(snapshot);
  }

  // ---------------------------------------------------------------- checks before queuing

  /** Synfluencers are never deleted or moved between accounts, so a positive answer can be cached. */
  async assertOwnSynfluencer(accountId: string, synfluencerId: string): Promise<void> {
    const cacheKey = `${accountId}:${synfluencerId}`;
    if (this.ownedSynfluencers.has(cacheKey)) return;
    if (!isUuid(synfluencerId)) throw notFound('Synfluencer');
    const rows = await this.sql.query('select 1 from synfluencer where id = ? and account_id = ?', [synfluencerId, accountId]);
    if (rows.length === 0) throw notFound('Synfluencer');
    if (this.ownedSynfluencers.size > 100_000) this.ownedSynfluencers.clear();
    this.ownedSynfluencers.add(cacheKey);
  }

  /** See ledger.input.ts: client keys may not use the service's reserved prefixes. */
  assertClientKey(key: string): string {
    return assertClientKey(key);
  }

  /**
   * Every client verb's way into the engine: a spend refused with INSUFFICIENT_CREDITS is told to
   * the refusal listeners (auto top-up reviews the wallet). `walletId` when the caller knows it.
   */
  private async submit(accountId: string, operation: LedgerOperation, walletId?: string): Promise<OperationResult> {
    const target = walletId ?? (await this.walletIdOf(accountId));
    try {
      return await this.engine.submit(target, operation);
    } catch (error) {
      this.refusals.noteError(accountId, error);
      throw error;
    }
  }

  // ---------------------------------------------------------------- usage verbs

  async charge(accountId: string, input: ChargeInputData): Promise<ChargeResult> {
    let operation: ChargeOperation;
    try {
      operation = chargeOperation(this.pricing, input);
    } catch (error) {
      return this.replayUnpricedCharge(accountId, error, input);
    }
    if (input.synfluencerId != null) await this.assertOwnSynfluencer(accountId, input.synfluencerId);
    return chargeResult(await this.submit(accountId, operation));
  }

  /**
   * Many charges in one call (chargeUsageBatch), each its own atomic, idempotent charge with its
   * own outcome, in input order (ledger.charges.ts). Every item is checked and priced on its own,
   * wallets and synfluencers are looked up once each, then all items are queued at once, in input
   * order: they share the engine's group commits (one database transaction carries up to
   * LEDGER_MAX_BATCH operations) and the items of one wallet apply in input order, each against
   * the balance the ones before it left. `accountOf` names an item's account and may refuse it.
   */
  async chargeBatch<Input extends ChargeInputData>(inputs: readonly Input[], accountOf: (input: Input) => string): Promise<BatchChargeOutcome[]> {
    if (inputs.length > MAX_BATCH_ITEMS) throw badInput(`A batch holds at most ${MAX_BATCH_ITEMS} charges (got ${inputs.length}); split it`);
    const items = checkBatch(this.pricing, inputs, accountOf);
    await lookUpBatch(items, inputs, {
      walletIdOf: (accountId) => this.walletIdOf(accountId),
      assertOwnSynfluencer: (accountId, synfluencerId) => this.assertOwnSynfluencer(accountId, synfluencerId),
      replayUnpriced: (accountId, retries) => this.replayUnpricedCharges(accountId, retries),
    });
    const outcomes = settleBatch(items, await this.engine.submitAll(queuedOf(items)));
    this.refusals.noteBatch(items, outcomes);
    return outcomes;
  }

  /** A charge the price book refused: the one its key recorded under an earlier price book, or the refusal (ledger.replays.ts). */
  private async replayUnpricedCharge(accountId: string, error: unknown, input: ChargeInputData): Promise<ChargeResult> {
    const transaction = await replayUnpriced(this.sql, accountId, error, () => chargeRequestHash(input, true));
    return { transaction, wallet: await this.wallet(accountId) };
  }

  /** The same for a batch's refused items of one account: one lookup, and the wallet read once. */
  private async replayUnpricedCharges(accountId: string, retries: readonly UnpricedRetry[]): Promise<Settled<ChargeResult>[]> {
    const replayed = await replayUnpricedAll(this.sql, accountId, retries);
    const wallet = replayed.some((outcome) => outcome.ok) ? await this.wallet(accountId) : null;
    return replayed.map((outcome) => (outcome.ok ? { ok: true, value: { transaction: outcome.value, wallet: wallet! } } : outcome));
  }

  async reserve(accountId: string, input: ReserveInputData): Promise<HoldRecord> {
    let operation: ReserveOperation;
    try {
      operation = reserveOperation(this.pricing, input);
    } catch (error) {
      return this.hold(accountId, (await replayUnpriced(this.sql, accountId, error, () => reserveRequestHash(input, true))).holdId!);
    }
    if (input.synfluencerId != null) await this.assertOwnSynfluencer(accountId, input.synfluencerId);
    const result = await this.submit(accountId, operation);
    if (result.replayed) return this.hold(accountId, result.replayed.holdId!);
    return result.hold!;
  }

  async hold(accountId: string, holdId: string): Promise<HoldRecord> {
    if (!isUuid(holdId)) throw notFound('Hold');
    const rows = await this.sql.query<{ hold: Record<string, unknown> }>(`select ${HOLD_JSON} as hold from hold h where id = ? and account_id = ?`, [holdId, accountId]);
    if (rows.length === 0) throw notFound('Hold');
    return decodeHold(rows[0].hold);
  }

  /**
   * The hold to settle. Without an idempotency key a hold that is no longer PENDING is refused
   * here, before queuing; with one the batch decides under the lock, because a retry of a
   * settlement that committed must replay it (docs/invariants.md #4).
   */
  private async holdToSettle(accountId: string, holdId: string, idempotencyKey: string | null): Promise<HoldRecord> {
    const hold = await this.hold(accountId, holdId);
    if (idempotencyKey === null && hold.status !== HoldStatus.PENDING) {
      throw new DomainError(ErrorCode.HOLD_NOT_PENDING, `Hold is ${hold.status}, not PENDING`, { status: hold.status });
    }
    return hold;
  }

  /** Settles a hold at its actual usage (ledger.holds.ts), or at the price held if the price book no longer has its feature. */
  async capture(accountId: string, holdId: string, actual: CaptureInputData = {}): Promise<ChargeResult> {
    const idempotencyKey = optionalClientKey(actual.idempotencyKey);
    const hold = await this.holdToSettle(accountId, holdId, idempotencyKey);
    const feature = this.pricing.featureIfPriced(hold.feature, hold.provider);
    const terms = feature ? pricedCaptureTerms(this.pricing, feature, hold, actual) : await this.heldCaptureTerms(hold, actual);
    // Through submit: a capture over its hold refused for credits is a refused spend (auto top-up).
    return chargeResult(await this.submit(accountId, captureOperation(hold, holdId, actual, idempotencyKey, terms), hold.walletId));
  }

  /** The credits held, with the unit its HOLD entry recorded; reported usage is refused first. */
  private async heldCaptureTerms(hold: HoldRecord, actual: CaptureInputData): Promise<CaptureTerms> {
    refuseUnpricedUsage(hold, actual);
    const reserved = await this.sql.query<{ unit: string | null }>(`select unit from ledger_transaction where hold_id = ? and kind = ? limit 1`, [hold.id, TransactionKind.HOLD]);
    return heldCaptureTerms(hold, reserved[0]?.unit ?? null);
  }

  async release(accountId: string, holdId: string, idempotencyKeyInput?: string | null): Promise<HoldRecord> {
    const idempotencyKey = optionalClientKey(idempotencyKeyInput);
    const hold = await this.holdToSettle(accountId, holdId, idempotencyKey);
    const result = await this.engine.submit(hold.walletId, {
      type: 'release',
      holdId: hold.id, // as stored: the batch finds holds by it (an id may be sent in capitals)
      expired: false,
      idempotencyKey,
      requestHash: idempotencyKey === null ? null : requestHash('releaseHold', { holdId }),
    });
    if (result.replayed) return this.hold(accountId, holdId);
    return result.hold!;
  }

  // ---------------------------------------------------------------- credit verbs

  /** Grants credits as a new bucket (admin grants). */
  async grant(accountId: string, input: GrantInput): Promise<{ transaction: LedgerEntry; bucketId: string; wallet: WalletView; replayed: boolean }> {
    if (input.amount <= 0n) throw badInput('amount must be greater than 0');
    if (input.source === CreditSource.PURCHASE && input.expiresAt) throw badInput('purchased credits never expire');
    if (input.idempotencyKey) assertKey(input.idempotencyKey);
    return this.grantResult(
      await this.submit(accountId, {
        type: 'grant',
        source: input.source,
        amount: input.amount,
        expiresAt: input.expiresAt ?? null,
        idempotencyKey: input.idempotencyKey ?? null,
        requestHash: input.idempotencyKey ? requestHash('grant', { source: input.source, amount: input.amount, description: input.description }) : null,
        description: input.description,
        metadata: input.metadata,
      }),
    );
  }

  /** Credits a verified, paid purchase (docs/invariants.md #8): a PURCHASE bucket that never expires, applied once per key. */
  async grantPurchase(accountId: string, purchase: PurchaseGrant): Promise<{ bucketId: string; replayed: boolean }> {
    if (purchase.credits <= 0n) throw badInput('amount must be greater than 0');
    const result = await this.submit(accountId, {
      type: 'grant',
      source: CreditSource.PURCHASE,
      amount: purchase.credits,
      expiresAt: null,
      idempotencyKey: assertKey(purchase.idempotencyKey),
      requestHash: requestHash('grant', { source: CreditSource.PURCHASE, amount: purchase.credits, description: purchase.description }),
      description: purchase.description,
      paymentIntentId: purchase.paymentIntentId,
      amountPaidMinor: purchase.amountPaidMinor,
      currency: purchase.currency,
      metadata: purchase.metadata,
    });
    return this.grantResult(result);
  }

  /** A plan period's credits until `expiresAt`; what is left of the previous allocation expires in the same transaction (no rollover). */
  async allocatePlanCredits(accountId: string, allocation: PlanAllocation): Promise<{ bucketId: string; replayed: boolean }> {
    if (allocation.credits <= 0n) throw badInput('amount must be greater than 0');
    const result = await this.submit(accountId, {
      type: 'grant',
      source: CreditSource.PLAN_ALLOCATION,
      amount: allocation.credits,
      expiresAt: allocation.expiresAt,
      idempotencyKey: assertKey(allocation.idempotencyKey),
      requestHash: requestHash('grant', { source: CreditSource.PLAN_ALLOCATION, amount: allocation.credits, description: allocation.description }),
      description: allocation.description,
      metadata: allocation.metadata,
      replaceSource: CreditSource.PLAN_ALLOCATION,
    });
    return this.grantResult(result);
  }

  private grantResult(result: OperationResult): { transaction: LedgerEntry; bucketId: string; wallet: WalletView; replayed: boolean } {
    const wallet = walletView(result.wallet);
    if (result.replayed) return { transaction: result.replayed, bucketId: result.replayed.draws?.[0]?.bucketId ?? '', wallet, replayed: true };
    return { transaction: result.entries[result.entries.length - 1], bucketId: result.bucketId!, wallet, replayed: false };
  }

  /**
   * Removes up to `credits` of a bucket for a refund: only what is neither spent nor held
   * (min(remaining, balance), under the wallet lock). A REFUND entry, applied once per key;
   * none when nothing is free (`debited` 0). NOT_FOUND when the bucket has nothing left.
   */
  async debitForRefund(accountId: string, debit: RefundDebit): Promise<{ debited: bigint; entryId: string | null; replayed: boolean }> {
    const result = await this.submit(accountId, {
      type: 'debitBucket',
      bucketId: debit.bucketId,
      amount: debit.credits,
      kind: TransactionKind.REFUND,
      allowPartial: true,
      idempotencyKey: assertKey(debit.idempotencyKey),
      description: debit.description,
      metadata: debit.metadata,
    });
    // Nothing free records nothing (verbs/debit-bucket.ts): no entry, and the key stays unused.
    const entry = result.replayed ?? result.entries[0] ?? null;
    return entry ? { debited: -entry.amount, entryId: entry.id, replayed: result.replayed !== null } : { debited: 0n, entryId: null, replayed: false };
  }

  /**
   * Gives back credits a refund removed when Stripe refused to pay it: an ADJUSTMENT (not counted
   * as purchased) into a new never-expiring PURCHASE bucket on the same payment intent, priced at
   * what was not refunded. Applied once per key.
   */
  async restoreRefundedCredits(accountId: string, restore: RefundRestore): Promise<void> {
    await this.submit(accountId, {
      type: 'grant',
      source: CreditSource.PURCHASE,
      kind: TransactionKind.ADJUSTMENT,
      amount: restore.credits,
      expiresAt: null,
      idempotencyKey: assertKey(restore.idempotencyKey),
      requestHash: requestHash('restoreRefundedCredits', { credits: restore.credits, paymentIntentId: restore.paymentIntentId }),
      description: restore.description,
      paymentIntentId: restore.paymentIntentId,
      amountPaidMinor: restore.amountPaidMinor,
      currency: restore.currency,
      metadata: restore.metadata,
    });
  }

  /**
   * Expires unsettled holds and buckets past their time, then turns the month of wallets whose
   * month ended (month-turns.ts). Safe on any number of instances: each candidate is re-checked under
   * the wallet lock, so a hold or bucket is expired, and a month turned, once.
   */
  async sweep(limit = 500): Promise<{ holds: number; wallets: number }> {
    const submit = (walletId: string, operation: LedgerOperation) => this.engine.submit(walletId, operation);
    const holds = await expireDueHolds(this.sql, submit, this.log, limit);
    const wallets = await expireDueBuckets(this.sql, submit, this.log, limit);
    await this.monthTurns.run(limit);
    return { holds, wallets };
  }

  // ---------------------------------------------------------------- history and checks

  /**
   * The WHERE conditions of an account's history for `filter`, after checking its range (`from`
   * inclusive before `to` exclusive: an empty range is a client's mistake, never an empty page)
   * and that its synfluencer is the account's own.
   */
  async historyConditions(accountId: string, filter: TransactionFilter): Promise<{ conditions: string[]; params: unknown[] }> {
    if (filter.from && filter.to && filter.from.getTime() >= filter.to.getTime()) {
      throw badInput(`from (${filter.from.toISOString()}) must be before to (${filter.to.toISOString()}): from is inclusive and to exclusive, so this range holds no transactions`);
    }
    if (filter.synfluencerId) await this.assertOwnSynfluencer(accountId, filter.synfluencerId);
    return transactionFilterSql(accountId, filter);
  }

  /** Checks docs/invariants.md #1, #2, #6 and #8 (ledger.verify.ts); NOT_FOUND for an account that has no wallet. */
  async verifyAll(accountId?: string): Promise<{ violations: InvariantViolation[]; walletsChecked: number }> {
    if (accountId !== undefined && !isUuid(accountId)) throw notFound('Account');
    const checked = await verifyLedger(this.sql, accountId);
    if (accountId !== undefined && checked.walletsChecked === 0) throw notFound('Account');
    return checked;
  }
}
