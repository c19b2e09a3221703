import { randomUUID } from 'node:crypto';
import { formatCredits } from '../../shared/money';
import type { WalletSnapshot } from '../ledger/domain/state';
import { walletView } from '../ledger/wallet.view';

/** What an outbound webhook reports; endpoints subscribe to a list of these. */
export enum WebhookEventType {
  LOW_CREDITS = 'LOW_CREDITS',
  CREDITS_DEPLETED = 'CREDITS_DEPLETED',
  WALLET_PAUSED = 'WALLET_PAUSED',
  WALLET_RESUMED = 'WALLET_RESUMED',
  BUDGET_CAP_REACHED = 'BUDGET_CAP_REACHED',
  BURN_ALERT = 'BURN_ALERT',
  PURCHASE_COMPLETED = 'PURCHASE_COMPLETED',
  REFUND_COMPLETED = 'REFUND_COMPLETED',
  PLAN_RENEWED = 'PLAN_RENEWED',
  AUTO_TOP_UP_SUCCEEDED = 'AUTO_TOP_UP_SUCCEEDED',
  AUTO_TOP_UP_FAILED = 'AUTO_TOP_UP_FAILED',
  PAYMENT_DISPUTED = 'PAYMENT_DISPUTED',
  DISPUTED_CREDITS_RESTORED = 'DISPUTED_CREDITS_RESTORED',
}

/** The `type` of the payload, dot-delimited as the Standard Webhooks specification recommends. */
export const WIRE_TYPE: Record<WebhookEventType, string> = {
  [WebhookEventType.LOW_CREDITS]: 'wallet.low_credits',
  [WebhookEventType.CREDITS_DEPLETED]: 'wallet.depleted',
  [WebhookEventType.WALLET_PAUSED]: 'wallet.paused',
  [WebhookEventType.WALLET_RESUMED]: 'wallet.resumed',
  [WebhookEventType.BUDGET_CAP_REACHED]: 'wallet.budget_cap_reached',
  [WebhookEventType.BURN_ALERT]: 'wallet.burn_alert',
  [WebhookEventType.PURCHASE_COMPLETED]: 'billing.purchase_completed',
  [WebhookEventType.REFUND_COMPLETED]: 'billing.refund_completed',
  [WebhookEventType.PLAN_RENEWED]: 'billing.plan_renewed',
  [WebhookEventType.AUTO_TOP_UP_SUCCEEDED]: 'billing.auto_top_up_succeeded',
  [WebhookEventType.AUTO_TOP_UP_FAILED]: 'billing.auto_top_up_failed',
  [WebhookEventType.PAYMENT_DISPUTED]: 'billing.payment_disputed',
  [WebhookEventType.DISPUTED_CREDITS_RESTORED]: 'billing.disputed_credits_restored',
};

/** One event to record in the outbox (webhook_event), with the wallet state it refers to. */
export interface NewWebhookEvent {
  /** Also the `webhook-id` header of every delivery and retry of it. */
  id: string;
  accountId: string;
  walletId: string;
  walletVersion: bigint;
  type: WebhookEventType;
  /** The exact body every delivery sends (signed per attempt). */
  payload: string;
  createdAt: Date;
}

/** The wallet as every payload carries it: its full state at `version`. */
function walletJson(wallet: WalletSnapshot): Record<string, unknown> {
  const view = walletView(wallet);
  return {
    id: wallet.walletId,
    version: wallet.version.toString(),
    balance: formatCredits(wallet.balance),
    held: formatCredits(wallet.held),
    spentThisMonth: formatCredits(view.spentThisMonth),
    lifetimeSpend: formatCredits(wallet.lifetimeSpend),
    lifetimePurchased: formatCredits(wallet.lifetimePurchased),
    monthlyBudgetCap: wallet.monthlyBudgetCap === null ? null : formatCredits(wallet.monthlyBudgetCap),
    status: view.status,
  };
}

/**
 * An event about `wallet` as it stood after the change that caused it. The payload follows the
 * Standard Webhooks shape `{ type, timestamp, data }`; `data.wallet.version` lets a receiver
 * order events and drop a replayed older one.
 */
export function webhookEvent(type: WebhookEventType, wallet: WalletSnapshot, details: Record<string, unknown>, createdAt: Date): NewWebhookEvent {
  const id = randomUUID();
  const payload = {
    type: WIRE_TYPE[type],
    timestamp: createdAt.toISOString(),
    data: { eventId: id, accountId: wallet.accountId, wallet: walletJson(wallet), ...details },
  };
  return { id, accountId: wallet.accountId, walletId: wallet.walletId, walletVersion: wallet.version, type, payload: JSON.stringify(payload), createdAt };
}
