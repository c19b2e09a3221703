import type { PoolClient } from 'pg';

/**
 * How billing tells the account owner what happened (a Message, and whatever the messages
 * module does with it). Billing only depends on this interface: `services.notifier` is
 * wired by the messages module when it exists; absent, notifications are skipped.
 * Notifications are sent after the ledger committed, once per applied effect: a notification
 * with an `effectKey` (the effect's idempotency key) is sent again when Stripe retries an event
 * whose effect committed before a crash, and the messages module keeps one per key. A refund
 * requested through the API is announced inside the transaction that completes it (`notifyWithin`).
 */
export type BillingMessageKind = 'PURCHASE_COMPLETED' | 'REFUND_COMPLETED' | 'PLAN_RENEWED' | 'PAYMENT_DISPUTED' | 'DISPUTED_CREDITS_RESTORED';

export interface Notifier {
  notify(accountId: string, kind: BillingMessageKind, title: string, body: string, data: Record<string, unknown>, effectKey?: string): Promise<unknown> | unknown;
  /**
   * The message written inside the caller's transaction, which holds the account's wallet lock:
   * it commits with the effect it announces, or not at all (docs/invariants.md "Message order").
   * `announced` after COMMIT. A notifier without them is told after the commit, by `notify`.
   */
  notifyWithin?(client: PoolClient, accountId: string, kind: BillingMessageKind, title: string, body: string, data: Record<string, unknown>): Promise<unknown>;
  announced?(accountId: string): void;
}

/** Notifications never fail a billing effect that has already committed: errors are logged. */
export async function notifySafely(
  notifier: Notifier | undefined,
  log: { error: (obj: object, msg: string) => void },
  ...args: Parameters<Notifier['notify']>
): Promise<void> {
  if (!notifier) return;
  try {
    await notifier.notify(...args);
  } catch (err) {
    log.error({ err }, 'billing notification failed');
  }
}

/** Outbound events billing raises inside its own transactions (implemented by the webhooks module). */
export interface BillingEvents {
  /** A refund Stripe confirmed; `client`'s transaction holds the account's wallet lock. */
  refundCompleted(client: PoolClient, accountId: string, details: Record<string, unknown>): Promise<void>;
  /** After the COMMIT of a transaction that raised events. */
  committed(): void;
}
