import { DomainError, ErrorCode } from '../../../../shared/errors';
import { HoldStatus } from '../kinds';
import type { Staging } from '../batch';
import type { HoldState, LedgerEntry } from '../state';

/** A pending hold about to be settled, its credits already returned from held to balance. */
export interface SettlingHold {
  hold: HoldState;
  /** Its expiry has passed (by the database clock). */
  pastExpiry: boolean;
  /** The entry fields that tie a settlement to its hold. */
  holdFields: Partial<LedgerEntry>;
}

/**
 * The first step of both capture and release: the hold must be PENDING; everything it held goes
 * back to the balance (the caller then records the RELEASE and, for a capture, spends).
 */
export function startSettling(stage: Staging, holdId: string): SettlingHold {
  const hold = stage.hold(holdId);
  if (!hold) throw new DomainError(ErrorCode.NOT_FOUND, 'Hold not found');
  if (hold.status !== HoldStatus.PENDING) {
    throw new DomainError(ErrorCode.HOLD_NOT_PENDING, `Hold is ${hold.status}, not PENDING`, { status: hold.status });
  }
  const pastExpiry = hold.expiresAt.getTime() <= stage.now.getTime();
  stage.wallet.held -= hold.amount;
  stage.wallet.balance += hold.amount;
  hold.dirty = true;
  hold.settledAt = stage.now;
  const holdFields = {
    holdId: hold.id,
    synfluencerId: hold.synfluencerId,
    feature: hold.feature,
    platform: hold.platform,
    automationId: hold.automationId,
    provider: hold.provider,
  };
  return { hold, pastExpiry, holdFields };
}
