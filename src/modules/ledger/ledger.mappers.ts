import type { HoldRecord, LedgerEntry } from './domain/state';
import type { WalletView } from './wallet.view';
import type { HoldType, TransactionType, WalletType } from './ledger.types';

export const toWalletType = (w: WalletView): WalletType => ({
  id: w.walletId,
  accountId: w.accountId,
  balance: w.balance,
  held: w.held,
  lifetimeSpend: w.lifetimeSpend,
  lifetimePurchased: w.lifetimePurchased,
  spentThisMonth: w.spentThisMonth,
  version: w.version.toString(),
  status: w.status,
  monthlyBudgetCap: w.monthlyBudgetCap,
});

export const toTransactionType = (t: LedgerEntry): TransactionType => ({
  id: t.id,
  kind: t.kind,
  amount: t.amount,
  balanceAfter: t.balanceAfter,
  walletVersion: t.walletVersion.toString(),
  description: t.description,
  synfluencerId: t.synfluencerId,
  feature: t.feature,
  platform: t.platform,
  automationId: t.automationId,
  provider: t.provider,
  quantity: t.quantity,
  unit: t.unit,
  idempotencyKey: t.idempotencyKey,
  holdId: t.holdId,
  draws: (t.draws ?? []).map((d) => ({ bucketId: d.bucketId, amount: BigInt(d.amount) })),
  metadata: t.metadata,
  createdAt: t.createdAt,
});

export const toHoldType = (h: HoldRecord): HoldType => ({
  id: h.id,
  status: h.status,
  amount: h.amount,
  captured: h.captured,
  expiresAt: h.expiresAt,
  createdAt: h.createdAt,
  feature: h.feature,
  synfluencerId: h.synfluencerId,
});
