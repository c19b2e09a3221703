import { formatCredits } from '../../../../shared/money';
import { CreditSource, TransactionKind } from '../kinds';
import type { Staging } from '../batch';
import type { BucketState } from '../state';
import { outcome, type VerbOutcome } from '../results';

/**
 * How much of each live bucket backs the held credits. Held credits are backed by the buckets a
 * capture would draw first (draw order), so those are protected first.
 */
function heldShares(live: BucketState[], held: bigint): Map<string, bigint> {
  const shares = new Map<string, bigint>();
  let heldLeft = held;
  for (const bucket of live) {
    if (heldLeft === 0n) break;
    const share = bucket.remaining < heldLeft ? bucket.remaining : heldLeft;
    shares.set(bucket.id, share);
    heldLeft -= share;
  }
  return shares;
}

/**
 * Expires what is left of due buckets (past `expiresAt`, or every bucket of `onlySource`) as
 * PLAN_EXPIRY entries, never touching held credits: only the part of a due bucket that no hold
 * needs expires now; the rest expires once its hold is settled.
 */
export function expireDue(stage: Staging, onlySource?: CreditSource): void {
  const live = stage.liveBuckets();
  const protectedShare = heldShares(live, stage.wallet.held);
  const nowMs = stage.now.getTime();
  for (const candidate of live) {
    const due = onlySource ? candidate.source === onlySource : candidate.expiresAt !== null && candidate.expiresAt.getTime() <= nowMs;
    if (!due) continue;
    // sum(remaining - protected) == balance (docs/invariants.md #1): this never takes the balance below 0 (#2).
    const amount = candidate.remaining - (protectedShare.get(candidate.id) ?? 0n);
    if (amount <= 0n) continue;
    const bucket = stage.bucket(candidate.id)!;
    bucket.remaining -= amount;
    bucket.dirty = true;
    stage.wallet.balance -= amount;
    stage.record(TransactionKind.PLAN_EXPIRY, -amount, {
      description: `${formatCredits(amount)} unused ${bucket.source === CreditSource.PLAN_ALLOCATION ? 'plan allocation' : 'credits'} expired`,
      draws: [{ bucketId: bucket.id, amount: amount.toString() }],
    });
  }
}

/** The `expire` verb: expires every due bucket of the wallet. */
export function expire(stage: Staging): VerbOutcome {
  expireDue(stage);
  return outcome();
}
