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

/**
 * The platform to filter the history by. The API's filter is exact: a transaction matches when
 * its platform is the text given with the usage, case included ("Instagram" finds nothing
 * recorded as "instagram"). A typed platform that is not one of the account's known platforms
 * but equals one ignoring case is taken as that spelling (the first, i.e. the most spent, when
 * several differ only in case); anything else is sent as typed.
 */
export function platformFilter(typed: string, known: readonly string[]): string {
  const t = typed.trim();
  if (t === '' || known.includes(t)) return t;
  const lower = t.toLowerCase();
  return known.find((k) => k.toLowerCase() === lower) ?? t;
}

/** The price book's label for a feature key ("talking_head" -> "Talking head video (HeyGen)"); the key itself when the book no longer has it. */
export function featureLabel(feature: string, features: readonly { feature: string; label: string }[]): string {
  return features.find((f) => f.feature === feature)?.label ?? feature;
}
