import { formatCount } from './money';

/** How a ledger entry's usage reads in a table: its quantity with the unit in the right number, and the feature's label. */

/** Units priced at the provider's actual cost carry no count worth showing. */
const AT_COST_UNIT = 'provider cost';

/** "1 second", "30 seconds", "at cost"; null when the entry has no quantity. */
export function quantityText(quantity: number | null | undefined, unit: string | null | undefined): string | null {
  if (unit === AT_COST_UNIT) return 'at cost';
  if (quantity === null || quantity === undefined) return null;
  if (!unit) return formatCount(quantity);
  return `${formatCount(quantity)} ${quantity === 1 || unit.endsWith('s') ? unit : `${unit}s`}`;
}

/** The price book's label for a feature key ("talking_head" -> "Talking head video (HeyGen)"); the key itself when the book no longer has it. */
export function featureLabel(feature: string, features: readonly { feature: string; label: string }[]): string {
  return features.find((f) => f.feature === feature)?.label ?? feature;
}
