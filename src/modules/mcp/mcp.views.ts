import { formatCredits } from '../../shared/money';
import type { HoldRecord, LedgerEntry } from '../ledger/domain/state';
import type { WalletView } from '../ledger/ledger.service';
import type { PriceBookView, QuoteView } from '../pricing/pricing.service';
import type { UsageBreakdownRow, UsageSummaryResult } from '../usage/usage.service';

/**
 * What the MCP tools answer, as JSON: the same fields and names as the GraphQL types, with
 * credits as exact decimal strings (the `Credits` format, never a float) and versions and
 * instants as strings.
 */

const credits = (micros: bigint | null): string | null => (micros === null ? null : formatCredits(micros));

export const walletJson = (wallet: WalletView) => ({
  id: wallet.walletId,
  balance: formatCredits(wallet.balance),
  held: formatCredits(wallet.held),
  spentThisMonth: formatCredits(wallet.spentThisMonth),
  lifetimeSpend: formatCredits(wallet.lifetimeSpend),
  lifetimePurchased: formatCredits(wallet.lifetimePurchased),
  monthlyBudgetCap: credits(wallet.monthlyBudgetCap),
  status: wallet.status,
  version: wallet.version.toString(),
});

export const transactionJson = (entry: LedgerEntry) => ({
  id: entry.id,
  kind: entry.kind,
  amount: formatCredits(entry.amount),
  balanceAfter: formatCredits(entry.balanceAfter),
  walletVersion: entry.walletVersion.toString(),
  description: entry.description,
  feature: entry.feature,
  quantity: entry.quantity,
  unit: entry.unit,
  provider: entry.provider,
  synfluencerId: entry.synfluencerId,
  platform: entry.platform,
  automationId: entry.automationId,
  idempotencyKey: entry.idempotencyKey,
  holdId: entry.holdId,
  createdAt: entry.createdAt.toISOString(),
});

export const holdJson = (hold: HoldRecord) => ({
  id: hold.id,
  status: hold.status,
  amount: formatCredits(hold.amount),
  captured: credits(hold.captured),
  feature: hold.feature,
  synfluencerId: hold.synfluencerId,
  expiresAt: hold.expiresAt.toISOString(),
  createdAt: hold.createdAt.toISOString(),
});

export const priceBookJson = (book: PriceBookView) => ({
  ...book,
  signupBonus: formatCredits(book.signupBonus),
  features: book.features.map((feature) => ({ ...feature, rate: credits(feature.rate) })),
});

export const quoteJson = (quote: QuoteView) => ({ ...quote, rate: credits(quote.rate), providerCost: credits(quote.providerCost), amount: formatCredits(quote.amount) });

const breakdownJson = (rows: UsageBreakdownRow[]) => rows.map((row) => ({ ...row, total: formatCredits(row.total) }));

export const usageSummaryJson = (summary: UsageSummaryResult) => ({
  period: summary.period,
  timezone: summary.timezone,
  from: summary.from.toISOString(),
  to: summary.to.toISOString(),
  total: formatCredits(summary.total),
  count: summary.count,
  buckets: summary.buckets.map((bucket) => ({ start: bucket.start.toISOString(), total: formatCredits(bucket.total), count: bucket.count })),
  byFeature: breakdownJson(summary.byFeature),
  byPlatform: breakdownJson(summary.byPlatform),
  byAutomation: breakdownJson(summary.byAutomation),
  bySynfluencer: breakdownJson(summary.bySynfluencer),
});
