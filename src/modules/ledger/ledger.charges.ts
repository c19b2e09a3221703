import type { PricingService } from '../pricing/pricing.service';
import { isSpend } from './domain/kinds';
import type { ChargeOperation, LedgerOperation } from './domain/operations';
import type { OperationOutcome, OperationResult } from './domain/results';
import type { LedgerEntry } from './domain/state';
import { assertClientKey, assertMetadata, requestHash, type ChargeInputData } from './ledger.input';
import { priceKeyed, UnpricedRequest, type Settled, type UnpricedRetry } from './ledger.replays';
import { walletView, type WalletView } from './wallet.view';

/**
 * Charges as the service prepares and answers them: the checks and the price made before a
 * charge is queued (no I/O), and the batch of many charges (chargeUsageBatch), whose items are
 * checked one by one, looked up once per account and synfluencer, and queued all at once.
 */

/** What a charge or a capture answers: its USAGE or CAPTURE entry and the wallet right after it. */
export interface ChargeResult {
  transaction: LedgerEntry;
  wallet: WalletView;
}

/** One item of a batch: its charge, or its own error (a DomainError for anything the client can fix). */
export type BatchChargeOutcome = { ok: true; charge: ChargeResult } | { ok: false; error: unknown };

/** The answer of a charge or capture: on a replay, the entry the original request recorded. */
export function chargeResult(result: OperationResult): ChargeResult {
  const entry = result.replayed ?? result.entries.find((candidate) => isSpend(candidate.kind))!;
  return { transaction: entry, wallet: walletView(result.wallet) };
}

/** A charge checked and priced, ready to queue: BAD_USER_INPUT is raised here, before any batch. */
export function chargeOperation(pricing: PricingService, input: ChargeInputData): ChargeOperation {
  const idempotencyKey = assertClientKey(input.idempotencyKey);
  const priced = priceKeyed(pricing, input, idempotencyKey);
  return { type: 'charge', amount: priced.amount, idempotencyKey, requestHash: chargeRequestHash(input), usage: priced.usage, description: priced.described };
}

/** The hash a charge's key is recorded with; its metadata checked first when that has not been done. */
export function chargeRequestHash(input: ChargeInputData, checkMetadata = false): string {
  if (checkMetadata) assertMetadata(input.metadata);
  return requestHash('charge', input);
}

/**
 * One item of a batch on its way: checked, then looked up, then queued; `error` once it failed,
 * `replayed` when its key replays a charge the current price book can no longer price.
 */
export interface BatchItem {
  accountId: string | null;
  synfluencerId: string | null;
  operation: ChargeOperation | null;
  walletId: string | null;
  error: unknown;
  replayed: ChargeResult | null;
}

/** Checks and prices every item on its own; `accountOf` names its account (and may refuse it). */
export function checkBatch<Input extends ChargeInputData>(pricing: PricingService, inputs: readonly Input[], accountOf: (input: Input) => string): BatchItem[] {
  return inputs.map((input) => {
    let accountId: string | null = null;
    try {
      accountId = accountOf(input);
      return { accountId, synfluencerId: input.synfluencerId ?? null, operation: chargeOperation(pricing, input), walletId: null, error: null, replayed: null };
    } catch (error) {
      return { accountId, synfluencerId: null, operation: null, walletId: null, error, replayed: null };
    }
  });
}

/** The lookups a batch needs from the database, made once per account and per synfluencer. */
export interface BatchLookups {
  walletIdOf(accountId: string): Promise<string>;
  assertOwnSynfluencer(accountId: string, synfluencerId: string): Promise<void>;
  /** For each of an account's refused items, the charge its key replays or the error to answer (ledger.replays.ts). */
  replayUnpriced(accountId: string, retries: readonly UnpricedRetry[]): Promise<Settled<ChargeResult>[]>;
}

const isQueued = (item: BatchItem): boolean => item.error === null && item.replayed === null;

/** Fills in each item's wallet, or the error of its account or synfluencer (NOT_FOUND); replays the unpriced. */
export async function lookUpBatch<Input extends ChargeInputData>(items: BatchItem[], inputs: readonly Input[], lookups: BatchLookups): Promise<void> {
  await replayUnpricedItems(items, inputs, lookups);
  const live = items.filter(isQueued);
  const wallets = await settleEach(new Set(live.map((item) => item.accountId!)), (accountId) => lookups.walletIdOf(accountId));
  const owned = await settleEach(
    new Set(live.filter((item) => item.synfluencerId !== null).map((item) => `${item.accountId}:${item.synfluencerId}`)),
    (pair) => lookups.assertOwnSynfluencer(pair.slice(0, pair.indexOf(':')), pair.slice(pair.indexOf(':') + 1)),
  );
  for (const item of live) {
    const synfluencer = item.synfluencerId === null ? null : owned.get(`${item.accountId}:${item.synfluencerId}`)!;
    const wallet = wallets.get(item.accountId!)!;
    if (synfluencer && !synfluencer.ok) item.error = synfluencer.error;
    else if (!wallet.ok) item.error = wallet.error;
    else item.walletId = wallet.value;
  }
}

/**
 * Items the price book refused replay the charge their key recorded, if it did (rare: after
 * PRICE_BOOK changed): one lookup per account for all its refused items.
 */
async function replayUnpricedItems<Input extends ChargeInputData>(items: BatchItem[], inputs: readonly Input[], lookups: BatchLookups): Promise<void> {
  const byAccount = new Map<string, number[]>();
  items.forEach((item, index) => {
    if (item.error instanceof UnpricedRequest) byAccount.set(item.accountId!, [...(byAccount.get(item.accountId!) ?? []), index]);
  });
  await Promise.all(
    [...byAccount].map(async ([accountId, indexes]) => {
      const retries = indexes.map((index) => ({ error: items[index].error as UnpricedRequest, requestHashOf: () => chargeRequestHash(inputs[index], true) }));
      let settled: Settled<ChargeResult>[];
      try {
        settled = await lookups.replayUnpriced(accountId, retries);
      } catch (error) {
        settled = indexes.map(() => ({ ok: false, error }));
      }
      indexes.forEach((index, n) => {
        const outcome = settled[n];
        items[index].replayed = outcome.ok ? outcome.value : null;
        items[index].error = outcome.ok ? null : outcome.error;
      });
    }),
  );
}

async function settleEach<T>(keys: Set<string>, lookUp: (key: string) => Promise<T>): Promise<Map<string, Settled<T>>> {
  const settled = await Promise.all(
    [...keys].map(async (key): Promise<[string, Settled<T>]> => {
      try {
        return [key, { ok: true, value: await lookUp(key) }];
      } catch (error) {
        return [key, { ok: false, error }];
      }
    }),
  );
  return new Map(settled);
}

/** The operations to queue, in input order (so one wallet's items apply in input order). */
export const queuedOf = (items: readonly BatchItem[]): { walletId: string; operation: LedgerOperation }[] =>
  items.filter(isQueued).map((item) => ({ walletId: item.walletId!, operation: item.operation! }));

/** Every item's outcome in input order: its own error, or what the engine answered for it. */
export function settleBatch(items: readonly BatchItem[], outcomes: readonly OperationOutcome[]): BatchChargeOutcome[] {
  let next = 0;
  return items.map((item): BatchChargeOutcome => {
    if (item.error !== null) return { ok: false, error: item.error };
    if (item.replayed !== null) return { ok: true, charge: item.replayed };
    const outcome = outcomes[next++];
    return outcome.ok ? { ok: true, charge: chargeResult(outcome.result) } : { ok: false, error: outcome.error };
  });
}
