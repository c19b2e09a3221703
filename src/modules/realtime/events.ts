import { parseCredits } from '../../shared/money';
import type { TransactionKind } from '../ledger/domain/kinds';
import type { WalletView } from '../ledger/ledger.service';
import { MessageKind } from '../alerts/message.entity';
import type { MessageRow } from '../alerts/messages.service';

/** What subscribers of the realtime hub receive, and what it tells an observer (metrics). */

export interface BalanceEvent extends WalletView {
  cause: TransactionKind | null;
}

/** Told when a NOTIFY from another instance led to a delivery (metrics); must be cheap and must not throw. */
export interface RealtimeObserver {
  /** Seconds from the publishing instance sending the NOTIFY to this one pushing the event to its subscribers. */
  deliveredAfterNotify(lagSeconds: number): void;
}

export interface LowCreditEvent {
  threshold: number;
  balance: bigint;
  reference: bigint;
  createdAt: Date;
}

/** The lowCreditAlert event a LOW_CREDITS message carries, if it is one. */
export function lowCreditEventOf(m: MessageRow): LowCreditEvent | null {
  if (m.kind !== MessageKind.LOW_CREDITS || !m.data) return null;
  const d = m.data as { threshold?: number; balance?: string; reference?: string };
  if (typeof d.threshold !== 'number' || typeof d.balance !== 'string' || typeof d.reference !== 'string') return null;
  return { threshold: d.threshold, balance: parseCredits(d.balance), reference: parseCredits(d.reference), createdAt: m.createdAt };
}
