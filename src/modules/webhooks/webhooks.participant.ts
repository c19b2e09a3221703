import type { AlertDecisions } from '../alerts/alert-decisions';
import { MessageKind } from '../alerts/message.entity';
import { TransactionKind } from '../ledger/domain/kinds';
import type { LedgerEntry, WalletSnapshot } from '../ledger/domain/state';
import type { AppliedOperation, BatchParticipant } from '../ledger/engine/participant';
import { formatCredits } from '../../shared/money';
import { webhookEvent, WebhookEventType, type NewWebhookEvent } from './webhook-event';
import { webhookOutboxCtes } from './webhook-outbox.sql';

/** The webhooks participant's state for one wallet in one batch: the events its operations raised. */
export interface WebhooksPart {
  events: NewWebhookEvent[];
}

export interface WebhooksParticipantHooks {
  /** What alerts decided per operation (alerts must be registered before this participant). */
  alertDecisions: AlertDecisions;
  /** After commit: the batch queued deliveries (the worker sends them). */
  eventsCommitted(): void;
}

/** Alert messages that are also webhook events. */
const ALERT_EVENTS: Partial<Record<MessageKind, WebhookEventType>> = {
  [MessageKind.LOW_CREDITS]: WebhookEventType.LOW_CREDITS,
  [MessageKind.CREDITS_DEPLETED]: WebhookEventType.CREDITS_DEPLETED,
  [MessageKind.BURN_ALERT]: WebhookEventType.BURN_ALERT,
  [MessageKind.BUDGET_CAP_REACHED]: WebhookEventType.BUDGET_CAP_REACHED,
};

/** Fields of a credit's ledger metadata that a receiver may use to match it with its own records. */
const pick = (metadata: Record<string, unknown> | null, keys: readonly string[]) =>
  Object.fromEntries(keys.filter((key) => metadata?.[key] !== undefined && metadata?.[key] !== null).map((key) => [key, metadata![key]]));

/** Events raised by the credits an operation recorded: purchases, auto top-ups, plan allocations, refunds made at Stripe. */
function entryEvents(entry: LedgerEntry, wallet: WalletSnapshot, now: Date): NewWebhookEvent[] {
  const details = { transactionId: entry.id, credits: formatCredits(entry.amount < 0n ? -entry.amount : entry.amount) };
  const metadata = entry.metadata;
  if (entry.kind === TransactionKind.PURCHASE) {
    const type = metadata?.autoTopUpAttemptId ? WebhookEventType.AUTO_TOP_UP_SUCCEEDED : WebhookEventType.PURCHASE_COMPLETED;
    return [webhookEvent(type, wallet, { ...details, ...pick(metadata, ['packId', 'paymentIntentId', 'checkoutSessionId', 'autoTopUpAttemptId']) }, now)];
  }
  if (entry.kind === TransactionKind.PLAN_ALLOCATION) {
    return [webhookEvent(WebhookEventType.PLAN_RENEWED, wallet, { ...details, ...pick(metadata, ['planId', 'invoiceId', 'subscriptionId', 'expiresAt']) }, now)];
  }
  // Refunds requested through this API complete when Stripe confirms them (billing's own
  // transaction); a refund made in the Stripe dashboard completes with its debit.
  if (entry.kind === TransactionKind.REFUND && metadata?.source === 'stripe') {
    return [webhookEvent(WebhookEventType.REFUND_COMPLETED, wallet, { ...details, ...pick(metadata, ['paymentIntentId', 'chargeId']) }, now)];
  }
  // A dispute's debit and, if the payment stands after all, the credits given back. A debit that
  // found nothing to take (all of it held) moved no credits: nothing to announce.
  if (entry.kind === TransactionKind.REFUND && metadata?.source === 'stripe-dispute' && entry.amount !== 0n) {
    return [webhookEvent(WebhookEventType.PAYMENT_DISPUTED, wallet, { ...details, ...pick(metadata, ['paymentIntentId', 'chargeId', 'disputeId']) }, now)];
  }
  if (entry.kind === TransactionKind.ADJUSTMENT && metadata?.source === 'stripe-dispute-reinstated') {
    return [webhookEvent(WebhookEventType.DISPUTED_CREDITS_RESTORED, wallet, { ...details, ...pick(metadata, ['paymentIntentId', 'chargeId', 'disputeId']) }, now)];
  }
  return [];
}

/** WALLET_PAUSED when an operation takes the balance to zero, WALLET_RESUMED when it leaves zero. */
function statusEvents(before: WalletSnapshot, after: WalletSnapshot, now: Date): NewWebhookEvent[] {
  if (before.balance > 0n && after.balance === 0n) return [webhookEvent(WebhookEventType.WALLET_PAUSED, after, {}, now)];
  if (before.balance === 0n && after.balance > 0n) return [webhookEvent(WebhookEventType.WALLET_RESUMED, after, {}, now)];
  return [];
}

/**
 * Outbound webhook events in the ledger batch: raised under the wallet lock after each
 * operation, each carrying the wallet state right after it, and inserted into the outbox by the
 * batch's one write statement (webhook-outbox.sql.ts), so an event exists if and only if its
 * change committed. After commit the delivery worker is kicked; nothing is sent before.
 */
export function webhooksParticipant(hooks: WebhooksParticipantHooks): BatchParticipant<WebhooksPart> {
  return {
    name: 'webhooks',
    open: () => ({ events: [] }),

    afterOperation(part, { result, now }: AppliedOperation) {
      for (const entry of result.entries) part.events.push(...entryEvents(entry, result.wallet, now));
      for (const message of hooks.alertDecisions.of(result)?.messages ?? []) {
        const type = ALERT_EVENTS[message.kind];
        if (type) part.events.push(webhookEvent(type, result.wallet, message.data ?? {}, now));
      }
      part.events.push(...statusEvents(result.before, result.wallet, now));
    },

    writeCtes: (wallets, params) => webhookOutboxCtes(params, wallets.flatMap((wallet) => wallet.part.events), 'webhook'),

    afterCommit(wallets) {
      if (wallets.some((wallet) => wallet.part.events.length > 0)) hooks.eventsCommitted();
    },
  };
}
