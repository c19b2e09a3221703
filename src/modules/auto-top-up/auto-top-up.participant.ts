import { randomUUID } from 'node:crypto';
import { monthKey } from '../../shared/time';
import { SELF_SERVICE_ON_SQL } from '../billing/billing.service';
import type { BatchParticipant, OpenedWallet, SqlParams } from '../ledger/engine/participant';
import { countStarted, retryLapsed, topUpDue, type TopUpSettings } from './auto-top-up.rules';

/** A top-up a batch starts: the auto_top_up_attempt row it inserts. */
export interface StartedTopUp {
  id: string;
  accountId: string;
  walletId: string;
  credits: bigint;
  amountMinor: bigint;
  currency: string;
  packId: string | null;
  walletVersion: bigint;
  balanceAtStart: bigint;
  monthKey: string;
}

/** The participant's state for one wallet in one batch. */
export interface AutoTopUpPart {
  accountId: string;
  settings: TopUpSettings | null;
  /** The attempt in flight (the wallet's marker), null when none. */
  inFlight: string | null;
  started: StartedTopUp | null;
  /** Attempts whose credits this batch granted. */
  succeeded: string[];
  /** The spacing after a failure had ended when this batch decided: its `retry_after` is cleared (the retry was considered). */
  retryLapsed: boolean;
}

export interface AutoTopUpParticipantHooks {
  maxFailures: number;
  /** After commit: the batch started a top-up (the worker creates its PaymentIntent). */
  started(): void;
}

interface LoadedTopUp {
  settings: Record<string, string | number | null> | null;
  inFlightStatus: string | null;
}

/**
 * An account whose top-ups may start (`t` its auto_top_up row): enabled, with a saved card and
 * complete settings, while self-service billing is switched on (billing's SELF_SERVICE_ON_SQL).
 * With self-service off no top-up starts, so none is started only for the worker to cancel it;
 * one started just before the switch is cancelled by the worker.
 */
export const TOP_UP_ARMED_SQL = `t.enabled and t.payment_method_id is not null and t.threshold is not null and t.credits is not null and t.amount_minor is not null and ${SELF_SERVICE_ON_SQL}`;

/**
 * The settings of an account whose top-ups may start (TOP_UP_ARMED_SQL), and the status of the
 * attempt the wallet's marker names: all read after the wallet lock, like every loaded column
 * (store/load.ts).
 */
const LOAD = `json_build_object(
  'settings', (select json_build_object('threshold', t.threshold::text, 'credits', t.credits::text, 'amountMinor', t.amount_minor::text, 'currency', t.currency,
                                        'packId', t.pack_id, 'monthlyMaximum', t.monthly_maximum, 'monthKey', t.month_key,
                                        'startedThisMonth', t.started_this_month, 'consecutiveFailures', t.consecutive_failures,
                                        'retryAfterMs', (extract(epoch from t.retry_after) * 1000)::float8)
                 from auto_top_up t where t.account_id = a.id and ${TOP_UP_ARMED_SQL}),
  'inFlightStatus', (select x.status from auto_top_up_attempt x where x.id = w.auto_top_up_attempt_id))`;

function decodeSettings(raw: LoadedTopUp['settings']): TopUpSettings | null {
  if (!raw || raw.threshold === null || raw.credits === null || raw.amountMinor === null) return null;
  return {
    threshold: BigInt(raw.threshold),
    credits: BigInt(raw.credits),
    amountMinor: BigInt(raw.amountMinor),
    currency: String(raw.currency),
    packId: (raw.packId as string | null) ?? null,
    monthlyMaximum: Number(raw.monthlyMaximum),
    monthKey: String(raw.monthKey),
    startedThisMonth: Number(raw.startedThisMonth),
    consecutiveFailures: Number(raw.consecutiveFailures),
    retryAfterMs: typeof raw.retryAfterMs === 'number' ? raw.retryAfterMs : null,
  };
}

/**
 * Auto top-up in the ledger batch, decided like alerts: under the wallet lock after each
 * operation (auto-top-up.rules.ts), with the wallet's marker `auto_top_up_attempt_id` naming the
 * one top-up in flight. A started top-up is an attempt row written by the batch's one statement
 * with the marker, so it exists if and only if the spend that caused it committed; its
 * PaymentIntent is created after commit (auto-top-up.worker.ts). The grant of its credits
 * (metadata `autoTopUpAttemptId`) settles it in the batch that records the grant.
 */
export function autoTopUpParticipant(hooks: AutoTopUpParticipantHooks): BatchParticipant<AutoTopUpPart> {
  return {
    name: 'auto-top-up',
    walletColumns: [{ name: 'auto_top_up_attempt_id', sqlType: 'uuid' }],
    loadColumn: LOAD,

    open({ wallet, walletRow, loaded }: OpenedWallet): AutoTopUpPart {
      const topUp = loaded as LoadedTopUp;
      const marker = (walletRow.auto_top_up_attempt_id as string | null) ?? null;
      // A marker whose attempt failed or was cancelled (settled outside a batch) is no longer in flight.
      return { accountId: wallet.accountId, settings: decodeSettings(topUp.settings), inFlight: topUp.inFlightStatus === 'PENDING' ? marker : null, started: null, succeeded: [], retryLapsed: false };
    },

    afterOperation(part, { operation, result, now }) {
      const creditedAttempt = operation.type === 'grant' ? operation.metadata?.autoTopUpAttemptId : undefined;
      if (typeof creditedAttempt === 'string') {
        part.succeeded.push(creditedAttempt);
        if (part.inFlight === creditedAttempt) part.inFlight = null;
      }
      const settings = part.settings;
      if (!settings) return;
      const month = monthKey(now, result.wallet.timezone);
      const change = { operation: operation.type, topUpCheck: operation.type === 'review' && operation.topUpCheck === true, before: result.before, after: result.wallet };
      const due = topUpDue(settings, part.inFlight !== null, change, { now, month, maxFailures: hooks.maxFailures });
      if (retryLapsed(settings, now)) {
        // Decided under the wallet lock with the spacing over: the worker's sweep of lapsed
        // spacings (auto-top-up.worker.ts) has nothing left to ask for this account.
        settings.retryAfterMs = null;
        part.retryLapsed = true;
      }
      if (!due) return;
      countStarted(settings, month);
      part.started = {
        id: randomUUID(),
        accountId: result.wallet.accountId,
        walletId: result.wallet.walletId,
        credits: settings.credits,
        amountMinor: settings.amountMinor,
        currency: settings.currency,
        packId: settings.packId,
        walletVersion: result.wallet.version,
        balanceAtStart: result.wallet.balance,
        monthKey: month,
      };
      part.inFlight = part.started.id;
    },

    walletValues: (part) => [part.inFlight],

    writeCtes(wallets, params) {
      const parts = wallets.map((wallet) => wallet.part);
      return [
        startedCte(params, parts.flatMap((part) => (part.started ? [part.started] : []))),
        succeededCte(params, parts.flatMap((part) => part.succeeded)),
        countersCte(params, parts.filter((part) => part.started || part.succeeded.length > 0 || part.retryLapsed)),
      ];
    },

    afterCommit(wallets) {
      if (wallets.some((wallet) => wallet.part.started)) hooks.started();
    },
  };
}

function startedCte(params: SqlParams, started: StartedTopUp[]): string {
  const column = params.columnsOf(started);
  return `auto_top_up_started as (
    insert into auto_top_up_attempt (id, account_id, wallet_id, credits, amount_minor, currency, pack_id, wallet_version, balance_at_start, month_key)
    select * from unnest(${column((attempt) => attempt.id, 'uuid[]')}, ${column((attempt) => attempt.accountId, 'uuid[]')}, ${column((attempt) => attempt.walletId, 'uuid[]')},
                         ${column((attempt) => attempt.credits, 'bigint[]')}, ${column((attempt) => attempt.amountMinor, 'bigint[]')},
                         ${column((attempt) => attempt.currency, 'text[]')}, ${column((attempt) => attempt.packId, 'text[]')},
                         ${column((attempt) => attempt.walletVersion, 'bigint[]')}, ${column((attempt) => attempt.balanceAtStart, 'bigint[]')},
                         ${column((attempt) => attempt.monthKey, 'text[]')})
    returning 1)`;
}

function succeededCte(params: SqlParams, attemptIds: string[]): string {
  return `auto_top_up_succeeded as (
    update auto_top_up_attempt set status = 'SUCCEEDED', completed_at = now()
     where id = any(${params.add(attemptIds, 'uuid[]')}) and status <> 'SUCCEEDED'
    returning 1)`;
}

/**
 * One row per account (a statement may change a row once): the month counter, a success resets
 * the failure count and its retry spacing, and a spacing found over is cleared.
 */
function countersCte(params: SqlParams, parts: AutoTopUpPart[]): string {
  const column = params.columnsOf(parts);
  return `auto_top_up_counted as (
    update auto_top_up t set
           started_this_month = case when u.started_month is null then t.started_this_month when t.month_key = u.started_month then t.started_this_month + 1 else 1 end,
           month_key = coalesce(u.started_month, t.month_key),
           consecutive_failures = case when u.succeeded then 0 else t.consecutive_failures end,
           retry_after = case when u.succeeded or u.retry_lapsed then null else t.retry_after end,
           updated_at = now()
      from unnest(${column((part) => part.accountId, 'uuid[]')}, ${column((part) => part.started?.monthKey ?? null, 'text[]')},
                  ${column((part) => part.succeeded.length > 0, 'bool[]')}, ${column((part) => part.retryLapsed, 'bool[]')})
           as u(account_id, started_month, succeeded, retry_lapsed)
     where t.account_id = u.account_id
    returning 1)`;
}
