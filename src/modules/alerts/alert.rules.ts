import { randomUUID } from 'node:crypto';
import { formatCredits } from '../../shared/money';
import type { WalletSnapshot } from '../ledger/domain/state';
import { MessageKind } from './message.entity';

/**
 * Alert decisions. The alerts participant (alerts.participant.ts) calls `decideAlerts` after
 * every operation of a ledger batch, under the wallet's row lock, and writes the resulting
 * messages, emails and "already fired" markers in the same statement as the ledger entries. An
 * alert therefore exists if and only if the change that crossed its threshold committed, and
 * the markers make it fire once: concurrent charges on other instances wait for the lock and
 * see them set.
 */

/** Low-credit thresholds as a percentage of the wallet's `lowCreditReference`, with their bit in `lowCreditFired`. */
export const LOW_CREDIT_THRESHOLDS = [
  { percent: 25, bit: 1 },
  { percent: 10, bit: 2 },
  { percent: 0, bit: 4 },
] as const;

/** What already fired, kept in the wallet row (columns owned by the alerts participant). */
export interface AlertMarks {
  /** Bit mask of low-credit thresholds fired in this cycle (LOW_CREDIT_THRESHOLDS); a credit clears it. */
  lowCreditFired: number;
  /** "YYYY-MM" (account timezone) in which BURN_ALERT last fired. */
  burnAlertMonth: string | null;
  /** "YYYY-MM" in which BUDGET_CAP_REACHED last fired. */
  capAlertMonth: string | null;
}

/** The account's alert settings, read under the wallet lock. */
export interface AlertSettings {
  burnAlertThreshold: bigint | null;
  lowCreditEmails: boolean;
  email: string;
}

export interface NewMessage {
  id: string;
  accountId: string;
  kind: MessageKind;
  title: string;
  body: string;
  data: Record<string, unknown> | null;
  createdAt: Date;
}

export interface NewEmail {
  id: string;
  accountId: string;
  messageId: string | null;
  to: string;
  subject: string;
  body: string;
}

export interface AlertDecision {
  messages: NewMessage[];
  emails: NewEmail[];
}

/**
 * The reference is the balance right after the latest credit of any kind (a purchase, an auto
 * top-up, a plan allocation, an admin grant, the sign-up bonus: domain/verbs/grant.ts), so the
 * texts say "when credits were last added", never "your last purchase" or "top-up".
 */
const lowCreditText = (percent: number, balance: bigint, reference: bigint) =>
  percent === 0
    ? {
        title: 'You are out of credits',
        body: `Your balance has reached 0 credits (0 % of the ${formatCredits(reference)} credits you had when credits were last added). Generation pauses until you add credits.`,
      }
    : {
        title: `Credits running low: ${percent} % left`,
        body: `Your balance is ${formatCredits(balance)} credits, ${percent} % or less of the ${formatCredits(reference)} credits you had when credits were last added.`,
      };

/**
 * Compares the wallet before and after one operation and returns the alerts it triggers, each
 * once per cycle: sets their bits and months in `marks`, which the participant then persists.
 */
export function decideAlerts(before: WalletSnapshot, after: WalletSnapshot, marks: AlertMarks, settings: AlertSettings, now: Date): AlertDecision {
  const out: AlertDecision = { messages: [], emails: [] };
  const message = (kind: MessageKind, title: string, body: string, data: Record<string, unknown>): NewMessage => {
    const m = { id: randomUUID(), accountId: after.accountId, kind, title, body, data, createdAt: now };
    out.messages.push(m);
    return m;
  };

  // Low credits: each threshold once per cycle; a credit (grant, purchase, allocation) starts
  // a new cycle: the ledger resets the reference (domain/verbs/grant.ts), the participant the bits.
  const reference = after.lowCreditReference;
  for (const level of LOW_CREDIT_THRESHOLDS) {
    if ((marks.lowCreditFired & level.bit) !== 0) continue;
    const reached = level.percent === 0 ? after.balance === 0n && (reference > 0n || before.balance > 0n) : reference > 0n && after.balance * 100n <= reference * BigInt(level.percent);
    if (!reached) continue;
    marks.lowCreditFired |= level.bit;
    if (reference > 0n) {
      const text = lowCreditText(level.percent, after.balance, reference);
      const m = message(MessageKind.LOW_CREDITS, text.title, text.body, {
        threshold: level.percent,
        balance: formatCredits(after.balance),
        reference: formatCredits(reference),
      });
      if (settings.lowCreditEmails) {
        out.emails.push({ id: randomUUID(), accountId: after.accountId, messageId: m.id, to: settings.email, subject: text.title, body: text.body });
      }
    }
    if (level.percent === 0) {
      message(MessageKind.CREDITS_DEPLETED, 'Credits depleted', 'Your balance is 0 credits. Generation is paused until you add credits.', {
        balance: formatCredits(after.balance),
        held: formatCredits(after.held),
      });
    }
  }

  // Burn alert: month-to-date spend reached the account's threshold; once per calendar month.
  const month = after.spentMonth;
  const threshold = settings.burnAlertThreshold;
  if (threshold !== null && threshold > 0n && after.spentThisMonth >= threshold && marks.burnAlertMonth !== month) {
    marks.burnAlertMonth = month;
    message(
      MessageKind.BURN_ALERT,
      'Burn alert: monthly spend threshold reached',
      `You have spent ${formatCredits(after.spentThisMonth)} credits this month, reaching your burn alert threshold of ${formatCredits(threshold)}.`,
      { month, spentThisMonth: formatCredits(after.spentThisMonth), threshold: formatCredits(threshold) },
    );
  }

  // Budget cap: what is spent and held this month reached the cap; once per calendar month.
  const cap = after.monthlyBudgetCap;
  if (cap !== null && after.spentThisMonth + after.held >= cap && marks.capAlertMonth !== month) {
    marks.capAlertMonth = month;
    message(
      MessageKind.BUDGET_CAP_REACHED,
      'Monthly budget cap reached',
      `Spending this month (${formatCredits(after.spentThisMonth)} spent, ${formatCredits(after.held)} held) has reached your cap of ${formatCredits(cap)}. Further charges are refused until next month or a higher cap.`,
      { month, spentThisMonth: formatCredits(after.spentThisMonth), held: formatCredits(after.held), cap: formatCredits(cap) },
    );
  }
  return out;
}
