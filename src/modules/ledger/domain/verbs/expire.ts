import { formatCredits } from '../../../../shared/money';
import { CreditSource, TransactionKind } from '../kinds';
import { backs, type Staging } from '../batch';
import type { BucketState } from '../state';
import { outcome, type VerbOutcome } from '../results';

/**
 * How much of each due bucket the pending holds still need (docs/invariants.md #8). A hold is
 * backed only by buckets that were live when it was made, the earliest-expiring first (the order
 * a capture draws them in): the holds a later-expiring bucket may back include every hold an
 * earlier one may, so shares taken in expiry order are the most the holds can claim. Without
 * every pending hold loaded (a batch that had no due bucket at load), all held credits count.
 */
function heldShares(stage: Staging, due: BucketState[]): Map<string, bigint> {
  const holds = stage.pendingHolds();
  const shares = new Map<string, bigint>();
  let claimed = 0n;
  for (const bucket of due) {
    const backable = holds === null ? stage.wallet.held : holds.filter((hold) => backs(bucket, hold)).reduce((sum, hold) => sum + hold.amount, 0n);
    const unclaimed = backable > claimed ? backable - claimed : 0n;
    const share = bucket.remaining < unclaimed ? bucket.remaining : unclaimed;
    shares.set(bucket.id, share);
    claimed += share;
  }
  return shares;
}

/**
 * Expires what is left of due buckets (past `expiresAt`) as PLAN_EXPIRY entries, except what
 * pending holds made before their expiry need: that part expires once those holds are settled
 * (capture and release end with this).
 */
export function expireDue(stage: Staging): void {
  const due = stage.liveBuckets().filter((bucket) => stage.isDue(bucket));
  if (due.length === 0) return;
  const protectedShare = heldShares(stage, due);
  for (const candidate of due) {
    // balance == sum(remaining) - held (docs/invariants.md #1), and the holds not backed by due
    // buckets are backed by live ones, so this never takes the balance below 0 (#2); the bound
    // only makes sure of it.
    const unprotected = candidate.remaining - (protectedShare.get(candidate.id) ?? 0n);
    const amount = unprotected < stage.wallet.balance ? unprotected : stage.wallet.balance;
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

/**
 * Makes every live bucket of `source` due now (a plan renewal does not roll over): what pending
 * holds need of them expires when those holds are settled, never later.
 */
export function endSource(stage: Staging, source: CreditSource): void {
  for (const live of stage.liveBuckets()) {
    if (live.source !== source || stage.isDue(live)) continue;
    const bucket = stage.bucket(live.id)!;
    bucket.expiresAt = stage.now;
    bucket.dirty = true;
  }
}

/** The `expire` verb: expires every due bucket of the wallet. */
export function expire(stage: Staging): VerbOutcome {
  expireDue(stage);
  return outcome();
}
