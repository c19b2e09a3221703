import type { BatchParticipant, ParticipantWallet, SqlParams } from '../ledger/engine/participant';
import { jsonText } from '../ledger/engine/participant';
import type { AlertDecisions } from './alert-decisions';
import { decideAlerts, type AlertMarks, type AlertSettings, type NewEmail, type NewMessage } from './alert.rules';

/** The alerts participant's state for one wallet in one ledger batch. */
export interface AlertsPart {
  marks: AlertMarks;
  settings: AlertSettings;
  /** Decided in this batch; written with it. */
  messages: NewMessage[];
  emails: NewEmail[];
}

export interface AlertsParticipantHooks {
  /** After commit: accounts that got messages in the batch (real time delivers them). */
  messagesCommitted(accountIds: string[]): void;
  /** After commit: the batch queued emails (the outbox worker sends them). */
  emailsCommitted(): void;
  /** Where each operation's decision is published for participants registered after this one (webhooks). */
  decisions?: AlertDecisions;
}

/**
 * Alerts in the ledger batch: decided under the wallet lock after each operation
 * (alert.rules.ts), written by the batch's one statement (messages, email outbox rows) with
 * their once-per-cycle markers in the wallet row, announced after commit.
 */
export function alertsParticipant(hooks: AlertsParticipantHooks): BatchParticipant<AlertsPart> {
  return {
    name: 'alerts',
    walletColumns: [
      { name: 'low_credit_fired', sqlType: 'int2' },
      { name: 'burn_alert_month', sqlType: 'text' },
      { name: 'cap_alert_month', sqlType: 'text' },
    ],
    loadColumn: `json_build_object('burn_alert_threshold', a.burn_alert_threshold::text, 'low_credit_emails', a.low_credit_emails, 'email', a.email)`,

    open({ walletRow, loaded }) {
      const account = loaded as { burn_alert_threshold: string | null; low_credit_emails: boolean; email: string };
      return {
        marks: {
          lowCreditFired: Number(walletRow.low_credit_fired),
          burnAlertMonth: (walletRow.burn_alert_month as string | null) ?? null,
          capAlertMonth: (walletRow.cap_alert_month as string | null) ?? null,
        },
        settings: {
          burnAlertThreshold: account.burn_alert_threshold === null ? null : BigInt(account.burn_alert_threshold),
          lowCreditEmails: Boolean(account.low_credit_emails),
          email: account.email,
        },
        messages: [],
        emails: [],
      };
    },

    afterOperation(part, { operation, result, now }) {
      // A credit starts a new low-credit cycle: the ledger made its balance the new reference.
      if (operation.type === 'grant') part.marks.lowCreditFired = 0;
      const decided = decideAlerts(result.before, result.wallet, part.marks, part.settings, now);
      // Most operations decide nothing; only decisions with messages are kept (AlertDecisions.of).
      if (decided.messages.length > 0) hooks.decisions?.record(result, decided);
      part.messages.push(...decided.messages);
      part.emails.push(...decided.emails);
    },

    walletValues: (part) => [part.marks.lowCreditFired, part.marks.burnAlertMonth, part.marks.capAlertMonth],

    writeCtes(wallets, params) {
      return [messagesCte(params, wallets.flatMap((wallet) => wallet.part.messages)), emailsCte(params, wallets.flatMap((wallet) => wallet.part.emails))];
    },

    afterCommit(wallets: readonly ParticipantWallet<AlertsPart>[]) {
      const accountIds = wallets.filter((wallet) => wallet.part.messages.length > 0).map((wallet) => wallet.wallet.accountId);
      if (accountIds.length > 0) hooks.messagesCommitted(accountIds);
      if (wallets.some((wallet) => wallet.part.emails.length > 0)) hooks.emailsCommitted();
    },
  };
}

/** In decision order, so `message.seq` follows it. */
function messagesCte(params: SqlParams, messages: NewMessage[]): string {
  const column = params.columnsOf(messages);
  return `alert_messages as (
    insert into message (id, account_id, kind, title, body, data, created_at)
    select u.id, u.account_id, u.kind, u.title, u.body, u.data::jsonb, u.created_at
      from unnest(${column((message) => message.id, 'uuid[]')}, ${column((message) => message.accountId, 'uuid[]')}, ${column((message) => message.kind, 'text[]')},
                  ${column((message) => message.title, 'text[]')}, ${column((message) => message.body, 'text[]')}, ${column((message) => jsonText(message.data), 'text[]')},
                  ${column((message) => message.createdAt, 'timestamptz[]')}) with ordinality as u(id, account_id, kind, title, body, data, created_at, ord)
     order by u.ord
    returning 1)`;
}

function emailsCte(params: SqlParams, emails: NewEmail[]): string {
  const column = params.columnsOf(emails);
  return `alert_emails as (
    insert into email_outbox (id, account_id, message_id, to_address, subject, body)
    select * from unnest(${column((email) => email.id, 'uuid[]')}, ${column((email) => email.accountId, 'uuid[]')}, ${column((email) => email.messageId, 'uuid[]')},
                         ${column((email) => email.to, 'text[]')}, ${column((email) => email.subject, 'text[]')}, ${column((email) => email.body, 'text[]')})
    returning 1)`;
}
