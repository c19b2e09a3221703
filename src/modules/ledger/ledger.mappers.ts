import type { HoldRecord, LedgerEntry } from './domain/state';
import type { WalletView } from './wallet.view';
import type { ChargeType, HoldType, TransactionType, WalletType } from './ledger.types';
import type { ChargeResult } from './ledger.service';

export const toWalletType = (wallet: WalletView): WalletType => ({
  id: wallet.walletId,
  accountId: wallet.accountId,
  balance: wallet.balance,
  held: wallet.held,
  lifetimeSpend: wallet.lifetimeSpend,
  lifetimePurchased: wallet.lifetimePurchased,
  spentThisMonth: wallet.spentThisMonth,
  version: wallet.version.toString(),
  status: wallet.status,
  monthlyBudgetCap: wallet.monthlyBudgetCap,
  lowCreditReference: wallet.lowCreditReference,
});

export const toTransactionType = (entry: LedgerEntry): TransactionType => ({
  id: entry.id,
  kind: entry.kind,
  amount: entry.amount,
  balanceAfter: entry.balanceAfter,
  walletVersion: entry.walletVersion.toString(),
  description: entry.description,
  synfluencerId: entry.synfluencerId,
  feature: entry.feature,
  platform: entry.platform,
  automationId: entry.automationId,
  provider: entry.provider,
  quantity: entry.quantity,
  unit: entry.unit,
  idempotencyKey: entry.idempotencyKey,
  holdId: entry.holdId,
  draws: (entry.draws ?? []).map((draw) => ({ bucketId: draw.bucketId, amount: BigInt(draw.amount) })),
  metadata: entry.metadata,
  createdAt: entry.createdAt,
});

export const toHoldType = (hold: HoldRecord): HoldType => ({
  id: hold.id,
  status: hold.status,
  amount: hold.amount,
  captured: hold.captured,
  expiresAt: hold.expiresAt,
  createdAt: hold.createdAt,
  feature: hold.feature,
  synfluencerId: hold.synfluencerId,
});

export const toChargeType = (charge: ChargeResult): ChargeType => ({ transaction: toTransactionType(charge.transaction), wallet: toWalletType(charge.wallet) });
