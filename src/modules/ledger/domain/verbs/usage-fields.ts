import type { LedgerEntry, UsageDetails } from '../state';

/** The entry fields that say what a charge or hold was for. */
export const usageFields = (usage: UsageDetails): Partial<LedgerEntry> => ({
  synfluencerId: usage.synfluencerId,
  feature: usage.feature,
  platform: usage.platform,
  automationId: usage.automationId,
  provider: usage.provider,
  quantity: usage.quantity,
  unit: usage.unit,
  metadata: usage.metadata,
});
