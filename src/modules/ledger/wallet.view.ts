import { monthKey } from '../../shared/time';
import type { WalletSnapshot } from './domain/state';

export enum WalletStatus {
  ACTIVE = 'ACTIVE',
  PAUSED = 'PAUSED',
  CAPPED = 'CAPPED',
}

/** A wallet as the API shows it: month-to-date spend of the current month only, and a status. */
export interface WalletView extends WalletSnapshot {
  status: WalletStatus;
}

export function walletView(snapshot: WalletSnapshot): WalletView {
  // spentThisMonth counts only the current month in the account's timezone.
  const spent = snapshot.spentMonth === monthKey(new Date(), snapshot.timezone) ? snapshot.spentThisMonth : 0n;
  let status = WalletStatus.ACTIVE;
  if (snapshot.balance === 0n) status = WalletStatus.PAUSED;
  else if (snapshot.monthlyBudgetCap !== null && spent + snapshot.held >= snapshot.monthlyBudgetCap) status = WalletStatus.CAPPED;
  return { ...snapshot, spentThisMonth: spent, status };
}
