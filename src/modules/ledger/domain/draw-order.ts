import { CreditSource } from './kinds';
import type { BucketState } from './state';

/** Plan allocation before promotional before purchased, on equal expiry. */
const SOURCE_RANK: Record<CreditSource, number> = {
  [CreditSource.PLAN_ALLOCATION]: 0,
  [CreditSource.SIGNUP_BONUS]: 1,
  [CreditSource.ADMIN_GRANT]: 1,
  [CreditSource.PURCHASE]: 2,
};

const expiryTime = (bucket: BucketState): number => (bucket.expiresAt ? bucket.expiresAt.getTime() : Number.POSITIVE_INFINITY);

/**
 * Consumption order, for Array.sort: the bucket that expires first (never-expiring last), then
 * plan allocation before promotional before purchased, then the oldest, then the id (a total order,
 * so every instance draws the same buckets).
 */
export function drawOrder(first: BucketState, second: BucketState): number {
  const firstExpiry = expiryTime(first);
  const secondExpiry = expiryTime(second);
  if (firstExpiry !== secondExpiry) return firstExpiry < secondExpiry ? -1 : 1;
  const rankDifference = SOURCE_RANK[first.source] - SOURCE_RANK[second.source];
  if (rankDifference !== 0) return rankDifference;
  const ageDifference = first.createdAt.getTime() - second.createdAt.getTime();
  if (ageDifference !== 0) return ageDifference;
  return first.id < second.id ? -1 : first.id > second.id ? 1 : 0;
}
