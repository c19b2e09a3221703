import { createHash } from 'node:crypto';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../../config';
import { DomainError, ErrorCode, badInput, notFound } from '../../shared/errors';
import { formatCredits } from '../../shared/money';
import { decodeCursor, encodeCursor, pageSize, toPage, type Page } from '../../shared/pagination';
import { isUuid } from '../../shared/ids';
import { Sql } from '../../db/sql';
import { monthKey } from '../../shared/time';
import type { Logger } from '../../shared/logger';
import type { PricingService } from '../pricing/pricing.service';
import { PricingModel } from '../pricing/price-book.presets';
import { CreditBucket, CreditSource } from './credit-bucket.entity';
import { LedgerTransaction, TransactionKind } from './ledger-transaction.entity';
import { Wallet } from './wallet.entity';
import { HoldStatus } from './hold.entity';
import { HOLD_JSON, LedgerEngine, TX_JSON, holdFromJson, type CommitBatch, txFromJson, type HoldRow, type LedgerOp, type OpResult, type TxRow, type UsageMeta, type WalletSnapshot } from './ledger.engine';

export interface UsageInputData {
  feature: string;
  quantity?: number | null;
  providerCost?: bigint | null;
  synfluencerId?: string | null;
  platform?: string | null;
  automationId?: string | null;
  provider?: string | null;
  metadata?: Record<string, unknown> | null;
}

export interface TransactionFilter {
  synfluencerId?: string | null;
  feature?: string | null;
  platform?: string | null;
  automationId?: string | null;
  kinds?: TransactionKind[] | null;
  from?: Date | null;
  to?: Date | null;
}

export enum WalletStatus {
  ACTIVE = 'ACTIVE',
  PAUSED = 'PAUSED',
  CAPPED = 'CAPPED',
}

export interface WalletView extends WalletSnapshot {
  status: WalletStatus;
}

export interface GrantInput {
  source: CreditSource;
  amount: bigint;
  description: string;
  expiresAt?: Date | null;
  idempotencyKey?: string | null;
  paymentIntentId?: string | null;
  amountPaidMinor?: string | null;
  currency?: string | null;
  metadata?: Record<string, unknown> | null;
  replaceSource?: CreditSource;
}

export const MAX_HOLD_SECONDS = 86_400;
export const DEFAULT_HOLD_SECONDS = 900;
const MAX_KEY_LENGTH = 255;
/** JSON.stringify writes a lone surrogate as a \\udXXX escape, which PostgreSQL's jsonb refuses. */
const LONE_SURROGATE = /\\ud[89ab][0-9a-f]{2}(?!\\ud[c-f][0-9a-f]{2})|(?<!\\ud[89ab][0-9a-f]{2})\\ud[c-f][0-9a-f]{2}/i;
/** Idempotency key prefixes used by the service itself (billing); clients may not use them. */
export const RESERVED_KEY_PREFIXES = ['stripe:', 'refund:', 'internal:'];
const MAX_TEXT = 200;

/** Committed wallet changes, for real time and alerts (wired by app.ts). */
export type CommitListener = (results: OpResult[], batch: CommitBatch) => void;

/**
 * The ledger module's API. Lock-free reads (price, synfluencer ownership) happen here,
 * before an operation is queued; every credit movement is one engine operation, applied
 * in one database transaction under the wallet's row lock.
 */
export class LedgerService {
  readonly engine: LedgerEngine;
  private readonly walletIds = new Map<string, string>();
  private readonly ownedSynfluencers = new Set<string>();
  private readonly listeners: CommitListener[] = [];
  private readonly sql: Sql;

  constructor(
    private readonly orm: MikroORM,
    config: Config,
    private readonly pricing: PricingService,
    private readonly log: Logger,
  ) {
    this.sql = new Sql(orm);
    this.engine = new LedgerEngine({
      acquire: () => this.sql.acquire(),
      release: (client, err) => this.sql.release(client, err),
      maxBatch: config.ledgerMaxBatch,
      // Leave pool connections for reads, billing and alerts whatever the setting says.
      maxConcurrentBatches: Math.max(1, Math.min(config.ledgerMaxConcurrentBatches, config.dbPoolSize - 2)),
      batchWindowMs: config.ledgerBatchWindowMs,
      usageRollup: config.usageRollup,
      log,
      onCommit: (results, batch) => {
        for (const l of this.listeners) {
          try {
            l(results, batch);
          } catch (err) {
            log.error({ err }, 'commit listener failed');
          }
        }
      },
    });
  }

  onCommit(listener: CommitListener): void {
    this.listeners.push(listener);
  }

  private get em(): EntityManager {
    return this.orm.em.fork() as EntityManager;
  }

  private query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.sql.query<T>(sql, params);
  }

  // ---------------------------------------------------------------- wallet creation

  /**
   * Creates the account's one wallet with its sign-up bonus, inside the caller's transaction
   * (the account and its wallet commit together or not at all).
   */
  openWallet(em: EntityManager, accountId: string, bonus: bigint): Wallet {
    const wallet = em.create(Wallet, { accountId, balance: bonus, version: bonus > 0n ? 1n : 0n, lowCreditReference: bonus } as never);
    if (bonus > 0n) {
      const bucket = em.create(CreditBucket, { walletId: wallet.id, source: CreditSource.SIGNUP_BONUS, granted: bonus, remaining: bonus } as never);
      em.create(LedgerTransaction, {
        walletId: wallet.id,
        accountId,
        kind: TransactionKind.SIGNUP_BONUS,
        amount: bonus,
        balanceAfter: bonus,
        walletVersion: 1n,
        description: `Sign-up bonus of ${formatCredits(bonus)} credits`,
        draws: [{ bucketId: bucket.id, amount: bonus.toString() }],
      } as never);
    }
    return wallet;
  }

  async walletIdOf(accountId: string): Promise<string> {
    const cached = this.walletIds.get(accountId);
    if (cached) return cached;
    const rows = await this.query<{ id: string }>('select id from wallet where account_id = ?', [accountId]);
    if (rows.length === 0) throw notFound('Wallet');
    this.walletIds.set(accountId, rows[0].id);
    return rows[0].id;
  }

  async wallet(accountId: string): Promise<WalletView> {
    const rows = await this.query(
      `select w.*, a.monthly_budget_cap, a.timezone from wallet w join account a on a.id = w.account_id where w.account_id = ?`,
      [accountId],
    );
    if (rows.length === 0) throw notFound('Wallet');
    return toView(snapshotFromRow(rows[0]));
  }

  async walletsByAccount(accountIds: readonly string[]): Promise<Map<string, WalletView>> {
    const rows = await this.query(
      `select w.*, a.monthly_budget_cap, a.timezone from wallet w join account a on a.id = w.account_id where w.account_id = any(?::uuid[])`,
      [accountIds as string[]],
    );
    return new Map(rows.map((r) => [r.account_id as string, toView(snapshotFromRow(r))]));
  }

  async buckets(walletIds: readonly string[]): Promise<Map<string, CreditBucket[]>> {
    const rows = await this.em.find(CreditBucket, { walletId: { $in: walletIds as string[] } }, { orderBy: { createdAt: 'asc', id: 'asc' } });
    const out = new Map<string, CreditBucket[]>();
    for (const b of rows) {
      if (!out.has(b.walletId)) out.set(b.walletId, []);
      out.get(b.walletId)!.push(b);
    }
    return out;
  }

  viewOf(s: WalletSnapshot): WalletView {
    return toView(s);
  }

  // ---------------------------------------------------------------- pricing helpers

  private async usageMeta(accountId: string, input: UsageInputData, unit: string, quantity: number | null, provider: string | null): Promise<UsageMeta> {
    const text = (name: string, v: string | null | undefined) => {
      if (v === null || v === undefined || v === '') return null;
      if (v.length > MAX_TEXT) throw badInput(`${name} must be at most ${MAX_TEXT} characters`);
      if (v.includes('\u0000')) throw badInput(`${name} must not contain NUL characters`);
      return v;
    };
    if (input.synfluencerId) await this.assertOwnSynfluencer(accountId, input.synfluencerId);
    if (input.metadata !== null && input.metadata !== undefined) {
      if (typeof input.metadata !== 'object' || Array.isArray(input.metadata)) throw badInput('metadata must be a JSON object');
      const json = JSON.stringify(input.metadata);
      if (json.length > 4096) throw badInput('metadata must be at most 4 KiB of JSON');
      // PostgreSQL's jsonb refuses \u0000: refuse it here as bad input rather than fail the batch.
      if (json.includes('\\u0000')) throw badInput('metadata must not contain NUL characters');
      // A lone UTF-16 surrogate is valid in a JS string but not in jsonb: bad input, not a failed batch.
      if (LONE_SURROGATE.test(json)) throw badInput('metadata must be valid Unicode text');
    }
    return {
      feature: input.feature,
      synfluencerId: input.synfluencerId ?? null,
      platform: text('platform', input.platform),
      automationId: text('automationId', input.automationId),
      provider: text('provider', provider),
      quantity,
      unit,
      metadata: input.metadata ?? null,
    };
  }

  /** Synfluencers are never deleted or moved between accounts, so a positive answer can be cached. */
  async assertOwnSynfluencer(accountId: string, synfluencerId: string): Promise<void> {
    const k = `${accountId}:${synfluencerId}`;
    if (this.ownedSynfluencers.has(k)) return;
    if (!isUuid(synfluencerId)) throw notFound('Synfluencer');
    const rows = await this.query('select 1 from synfluencer where id = ? and account_id = ?', [synfluencerId, accountId]);
    if (rows.length === 0) throw notFound('Synfluencer');
    if (this.ownedSynfluencers.size > 100_000) this.ownedSynfluencers.clear();
    this.ownedSynfluencers.add(k);
  }

  private assertKey(key: string): string {
    if (typeof key !== 'string' || key.trim() === '' || key.length > MAX_KEY_LENGTH || key.includes('\u0000')) {
      throw badInput(`idempotencyKey must be 1 to ${MAX_KEY_LENGTH} characters`);
    }
    return key;
  }

  /**
   * Keys that clients send. Invariant 4 makes a key apply once per account across every verb,
   * so the prefixes the service uses for its own movements (Stripe events, refunds) are
   * reserved: a client could otherwise burn the key of a payment it has not been credited for.
   */
  assertClientKey(key: string): string {
    this.assertKey(key);
    if (RESERVED_KEY_PREFIXES.some((p) => key.startsWith(p))) {
      throw badInput(`idempotencyKey must not start with ${RESERVED_KEY_PREFIXES.map((p) => `"${p}"`).join(', ')} (reserved)`);
    }
    return key;
  }

  // ---------------------------------------------------------------- verbs

  async charge(accountId: string, input: UsageInputData & { idempotencyKey: string }): Promise<{ transaction: TxRow; wallet: WalletView }> {
    const key = this.assertClientKey(input.idempotencyKey);
    const q = this.pricing.quote(input);
    const meta = await this.usageMeta(accountId, input, q.feature.unit, q.quantity, q.provider);
    const walletId = await this.walletIdOf(accountId);
    const result = await this.engine.submit(walletId, {
      type: 'charge',
      amount: q.amount,
      key,
      requestHash: requestHash('charge', input),
      meta,
      description: describeUsage(q.feature.label, q.quantity, q.feature.unit, q.feature.model),
    });
    const tx = result.replayed ?? result.transactions.find((t) => t.kind === TransactionKind.USAGE)!;
    return { transaction: tx, wallet: toView(result.wallet) };
  }

  async reserve(accountId: string, input: UsageInputData & { idempotencyKey: string; expiresInSeconds?: number | null }): Promise<HoldRow> {
    const key = this.assertClientKey(input.idempotencyKey);
    const seconds = input.expiresInSeconds ?? DEFAULT_HOLD_SECONDS;
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_HOLD_SECONDS) {
      throw badInput(`expiresInSeconds must be between 1 and ${MAX_HOLD_SECONDS}`);
    }
    const q = this.pricing.quote(input);
    const meta = await this.usageMeta(accountId, input, q.feature.unit, q.quantity, q.provider);
    const walletId = await this.walletIdOf(accountId);
    const result = await this.engine.submit(walletId, {
      type: 'reserve',
      amount: q.amount,
      key,
      requestHash: requestHash('reserve', { ...input, expiresInSeconds: seconds }),
      meta,
      expiresAt: new Date(Date.now() + seconds * 1000),
      description: `Hold for ${describeUsage(q.feature.label, q.quantity, q.feature.unit, q.feature.model)}`,
    });
    if (result.replayed) return this.hold(accountId, result.replayed.holdId!);
    return result.hold!;
  }

  async hold(accountId: string, holdId: string): Promise<HoldRow> {
    if (!isUuid(holdId)) throw notFound('Hold');
    const rows = await this.query(
      `select ${HOLD_JSON} as h from hold h where id = ? and account_id = ?`,
      [holdId, accountId],
    );
    if (rows.length === 0) throw notFound('Hold');
    return holdFromJson(rows[0].h as Record<string, unknown>);
  }

  async capture(accountId: string, holdId: string, quantity?: number | null, providerCost?: bigint | null): Promise<{ transaction: TxRow; wallet: WalletView }> {
    const hold = await this.hold(accountId, holdId);
    if (hold.status !== HoldStatus.PENDING) {
      throw new DomainError(ErrorCode.HOLD_NOT_PENDING, `Hold is ${hold.status}, not PENDING`, { status: hold.status });
    }
    const f = this.pricing.feature(hold.feature, hold.provider);
    let amount: bigint;
    let actualQuantity: number | null = quantity ?? null;
    if ((quantity === null || quantity === undefined) && (providerCost === null || providerCost === undefined)) {
      amount = hold.amount; // nothing reported: the estimate was the actual usage
      actualQuantity = hold.quantity;
    } else {
      if (f.model === PricingModel.PASS_THROUGH && (providerCost === null || providerCost === undefined)) {
        throw badInput(`providerCost is required to capture a "${f.feature}" hold`);
      }
      amount = this.pricing.quote({ feature: hold.feature, provider: hold.provider, quantity: quantity ?? (f.model === PricingModel.PASS_THROUGH ? hold.quantity : null), providerCost }).amount;
    }
    const result = await this.engine.submit(hold.walletId, {
      type: 'capture',
      holdId,
      amount,
      quantity: actualQuantity,
      description: describeUsage(f.label, actualQuantity ?? 1, f.unit, f.model),
      metadata: providerCost !== null && providerCost !== undefined ? { providerCost: formatCredits(providerCost) } : null,
    });
    return { transaction: result.transactions.find((t) => t.kind === TransactionKind.CAPTURE)!, wallet: toView(result.wallet) };
  }

  async release(accountId: string, holdId: string): Promise<HoldRow> {
    const hold = await this.hold(accountId, holdId);
    if (hold.status !== HoldStatus.PENDING) {
      throw new DomainError(ErrorCode.HOLD_NOT_PENDING, `Hold is ${hold.status}, not PENDING`, { status: hold.status });
    }
    const result = await this.engine.submit(hold.walletId, { type: 'release', holdId, expired: false });
    return result.hold!;
  }

  /** Grants credits as a new bucket (sign-up, plan allocation, purchase, admin grant). */
  async grant(accountId: string, g: GrantInput): Promise<{ transaction: TxRow; bucketId: string; wallet: WalletView; replayed: boolean }> {
    if (g.amount <= 0n) throw badInput('amount must be greater than 0');
    if (g.source === CreditSource.PURCHASE && g.expiresAt) throw badInput('purchased credits never expire');
    if (g.idempotencyKey) this.assertKey(g.idempotencyKey);
    const walletId = await this.walletIdOf(accountId);
    const result = await this.engine.submit(walletId, {
      type: 'grant',
      source: g.source,
      amount: g.amount,
      expiresAt: g.expiresAt ?? null,
      key: g.idempotencyKey ?? null,
      requestHash: g.idempotencyKey ? requestHash('grant', { source: g.source, amount: g.amount, description: g.description }) : null,
      description: g.description,
      paymentIntentId: g.paymentIntentId,
      amountPaidMinor: g.amountPaidMinor,
      currency: g.currency,
      metadata: g.metadata,
      replaceSource: g.replaceSource,
    });
    if (result.replayed) {
      return { transaction: result.replayed, bucketId: result.replayed.draws?.[0]?.bucketId ?? '', wallet: toView(result.wallet), replayed: true };
    }
    const tx = result.transactions[result.transactions.length - 1];
    return { transaction: tx, bucketId: result.bucketId!, wallet: toView(result.wallet), replayed: false };
  }

  /** Runs any ledger operation on an account's wallet (used by billing for refunds). */
  async submit(accountId: string, op: LedgerOp): Promise<OpResult> {
    return this.engine.submit(await this.walletIdOf(accountId), op);
  }

  /**
   * Expires unsettled holds and buckets past their time. Safe on any number of instances:
   * each candidate is re-checked under the wallet lock, so a hold or bucket is expired once.
   */
  async sweep(limit = 500): Promise<{ holds: number; wallets: number }> {
    const holds = await this.query<{ id: string; wallet_id: string }>(
      `select id, wallet_id from hold where status = 'PENDING' and expires_at <= now() order by expires_at limit ?`,
      [limit],
    );
    let expiredHolds = 0;
    await Promise.all(
      holds.map(async (h) => {
        try {
          await this.engine.submit(h.wallet_id, { type: 'release', holdId: h.id, expired: true });
          expiredHolds++;
        } catch (err) {
          if (!(err instanceof DomainError)) this.log.error({ err, holdId: h.id }, 'hold expiry failed');
        }
      }),
    );
    // Only wallets whose balance can actually cover an expiry (held credits are never expired).
    const wallets = await this.query<{ wallet_id: string }>(
      `select distinct b.wallet_id from credit_bucket b join wallet w on w.id = b.wallet_id
        where b.remaining > 0 and b.expires_at <= now() and w.balance > 0 limit ?`,
      [limit],
    );
    await Promise.all(wallets.map((w) => this.engine.submit(w.wallet_id, { type: 'expire' }).catch((err) => this.log.error({ err }, 'bucket expiry failed'))));
    return { holds: expiredHolds, wallets: wallets.length };
  }

  // ---------------------------------------------------------------- history

  async transactions(accountId: string, filter: TransactionFilter, first?: number | null, after?: string | null): Promise<Page<TxRow>> {
    const limit = pageSize(first);
    const cursor = decodeCursor(after, 1);
    const where: string[] = ['t.account_id = ?'];
    const params: unknown[] = [accountId];
    if (filter.synfluencerId) {
      if (!isUuid(filter.synfluencerId)) throw notFound('Synfluencer');
      await this.assertOwnSynfluencer(accountId, filter.synfluencerId);
      where.push('t.synfluencer_id = ?');
      params.push(filter.synfluencerId);
    }
    if (filter.feature) (where.push('t.feature = ?'), params.push(filter.feature));
    if (filter.platform) (where.push('t.platform = ?'), params.push(filter.platform));
    if (filter.automationId) (where.push('t.automation_id = ?'), params.push(filter.automationId));
    if (filter.kinds && filter.kinds.length > 0) (where.push('t.kind = any(?::text[])'), params.push(filter.kinds));
    if (filter.from) (where.push('t.created_at >= ?'), params.push(filter.from));
    if (filter.to) (where.push('t.created_at < ?'), params.push(filter.to));
    if (cursor) {
      if (!/^\d+$/.test(cursor[0])) throw badInput('after is not a valid cursor');
      where.push('t.seq < ?');
      params.push(cursor[0]);
    }
    params.push(limit + 1);
    const rows = await this.query(
      `select ${TX_JSON} as t
         from ledger_transaction t where ${where.join(' and ')} order by t.seq desc limit ?`,
      params,
    );
    const txs = rows.map((r) => ({ ...txFromJson(r.t as Record<string, unknown>), seq: (r.t as { seq: string }).seq }));
    return toPage(txs, limit, (t) => encodeCursor([t.seq]));
  }

  // ---------------------------------------------------------------- invariants

  /**
   * Checks invariants 1, 2 and 6 for every wallet (or one account). Returns the violations;
   * an empty list means the ledger is consistent.
   */
  async verifyAll(accountId?: string): Promise<{ violations: InvariantViolation[]; walletsChecked: number }> {
    const rows = await this.query(
      `select w.id, w.account_id, w.balance::text, w.held::text, w.spent_month, w.spent_this_month::text, a.monthly_budget_cap::text as cap, a.timezone,
              coalesce((select sum(remaining) from credit_bucket b where b.wallet_id = w.id), 0)::text as bucket_sum,
              coalesce((select min(remaining) from credit_bucket b where b.wallet_id = w.id), 0)::text as bucket_min,
              coalesce((select sum(amount) from ledger_transaction t where t.wallet_id = w.id), 0)::text as ledger_sum,
              (select coalesce(sum(case when status = 'PENDING' then amount else 0 end), 0) from hold h where h.wallet_id = w.id)::text as pending_holds
         from wallet w join account a on a.id = w.account_id ${accountId ? 'where w.account_id = ?' : ''}`,
      accountId ? [accountId] : [],
    );
    const out: InvariantViolation[] = [];
    for (const r of rows) {
      const v = (invariant: number, message: string) => out.push({ walletId: r.id as string, accountId: r.account_id as string, invariant, message });
      const balance = BigInt(r.balance as string);
      const held = BigInt(r.held as string);
      if (balance + held !== BigInt(r.bucket_sum as string)) v(1, `balance ${balance} + held ${held} != sum(bucket.remaining) ${r.bucket_sum}`);
      if (balance !== BigInt(r.ledger_sum as string)) v(1, `balance ${balance} != sum(transaction.amount) ${r.ledger_sum}`);
      if (held !== BigInt(r.pending_holds as string)) v(1, `held ${held} != sum(pending hold amounts) ${r.pending_holds}`);
      if (balance < 0n) v(2, `balance ${balance} is negative`);
      if (held < 0n) v(2, `held ${held} is negative`);
      if (BigInt(r.bucket_min as string) < 0n) v(2, `a bucket has negative remaining ${r.bucket_min}`);
    }
    out.push(...(await this.verifyCaps(accountId)));
    return { violations: out, walletsChecked: rows.length };
  }

  /** Invariant 6, from the ledger itself: spend per calendar month (account timezone) <= cap. */
  private async verifyCaps(accountId?: string): Promise<InvariantViolation[]> {
    const rows = await this.query(
      `select w.id, w.account_id, a.monthly_budget_cap::text as cap,
              to_char(t.created_at at time zone a.timezone, 'YYYY-MM') as month,
              (-sum(t.amount))::text as spent
         from ledger_transaction t join wallet w on w.id = t.wallet_id join account a on a.id = w.account_id
        where a.monthly_budget_cap is not null and t.kind in ('USAGE', 'CAPTURE') ${accountId ? 'and w.account_id = ?' : ''}
        group by 1, 2, 3, 4
       having -sum(t.amount) > max(a.monthly_budget_cap)`,
      accountId ? [accountId] : [],
    );
    return rows.map((r) => ({
      walletId: r.id as string,
      accountId: r.account_id as string,
      invariant: 6,
      message: `spent ${r.spent} in ${r.month}, above the cap ${r.cap}`,
    }));
  }
}

export interface InvariantViolation {
  walletId: string;
  accountId: string;
  invariant: number;
  message: string;
}

/** A wallet row joined with its account's cap and timezone, as the API shows it. */
export function walletViewFromRow(r: Record<string, unknown>): WalletView {
  return toView(snapshotFromRow(r));
}

export function snapshotFromRow(r: Record<string, unknown>): WalletSnapshot {
  return {
    walletId: r.id as string,
    accountId: r.account_id as string,
    balance: BigInt(r.balance as string),
    held: BigInt(r.held as string),
    lifetimeSpend: BigInt(r.lifetime_spend as string),
    lifetimePurchased: BigInt(r.lifetime_purchased as string),
    spentMonth: r.spent_month as string,
    spentThisMonth: BigInt(r.spent_this_month as string),
    version: BigInt(r.version as string),
    monthlyBudgetCap: r.monthly_budget_cap === null ? null : BigInt(r.monthly_budget_cap as string),
    timezone: r.timezone as string,
    lowCreditReference: BigInt(r.low_credit_reference as string),
    lowCreditFired: Number(r.low_credit_fired),
  };
}

function toView(s: WalletSnapshot): WalletView {
  // spentThisMonth counts only the current month in the account's timezone.
  const spent = s.spentMonth === monthKey(new Date(), s.timezone) ? s.spentThisMonth : 0n;
  let status = WalletStatus.ACTIVE;
  if (s.balance === 0n) status = WalletStatus.PAUSED;
  else if (s.monthlyBudgetCap !== null && spent + s.held >= s.monthlyBudgetCap) status = WalletStatus.CAPPED;
  return { ...s, spentThisMonth: spent, status };
}

function describeUsage(label: string, quantity: number, unit: string, model: PricingModel): string {
  if (model === PricingModel.PASS_THROUGH) return label;
  return `${label}: ${quantity} ${unit}${quantity === 1 ? '' : 's'}`;
}

/** A stable hash of a request, so a retry with the same key is told apart from a different request. */
export function requestHash(verb: string, input: object): string {
  return createHash('sha256').update(canonicalJson({ verb, ...input, idempotencyKey: undefined })).digest('hex');
}

function canonicalJson(v: unknown): string {
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'bigint') return JSON.stringify(v.toString());
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v instanceof Date) return JSON.stringify(v.toISOString());
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined && x !== null)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}
