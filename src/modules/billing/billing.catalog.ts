import type { Config } from '../../config';
import { MICROS } from '../../shared/money';
import type { PriceBookDef } from '../pricing/price-book.presets';

export interface CatalogPack {
  id: string;
  name: string;
  priceMinor: number;
  currency: string;
  credits: bigint;
  /** Configured Stripe price (STRIPE_PRICE_IDS); null: Checkout gets inline price data. */
  stripePriceId: string | null;
}

export interface CatalogPlan {
  id: string;
  name: string;
  monthlyCredits: bigint;
  priceMinor: number;
  currency: string;
  stripePriceId: string | null;
}

/** Currencies without minor units (Stripe's list); everything else has two decimals. */
const ZERO_DECIMAL = new Set(['bif', 'clp', 'djf', 'gnf', 'jpy', 'kmf', 'krw', 'mga', 'pyg', 'rwf', 'ugx', 'vnd', 'vuv', 'xaf', 'xof', 'xpf']);

/** Digits after the decimal point in `currency`'s amounts: 0 for zero-decimal currencies, else 2. */
export function minorDigits(currency: string): number {
  return ZERO_DECIMAL.has(currency.toLowerCase()) ? 0 : 2;
}

/** An amount in the smallest currency unit as a decimal string: 900 usd -> "9.00", 900 jpy -> "900". Integer arithmetic only. */
export function formatMinor(minor: number | bigint, currency: string): string {
  const m = BigInt(minor);
  if (minorDigits(currency) === 0) return m.toString();
  const neg = m < 0n;
  const abs = neg ? -m : m;
  return `${neg ? '-' : ''}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
}

/**
 * What `micros` micro-credits cost at `creditValue` (a decimal string, `currency` per credit), in
 * `currency`'s smallest unit, rounded UP to a whole unit so a top-up never sells credits below the
 * price book. Exact for any number of decimals in `creditValue`: integer arithmetic only.
 */
export function priceInMinor(micros: bigint, creditValue: string, currency: string): bigint {
  const parts = /^(\d+)(?:\.(\d+))?$/.exec(creditValue);
  if (!parts) throw new Error(`credit value "${creditValue}" is not a decimal number`);
  const fraction = parts[2] ?? '';
  // creditValue = valueDigits / 10^fraction.length
  const valueDigits = BigInt(parts[1] + fraction);
  const numerator = micros * valueDigits * 10n ** BigInt(minorDigits(currency));
  const denominator = MICROS * 10n ** BigInt(fraction.length);
  return (numerator + denominator - 1n) / denominator;
}

/** The active preset's packs and plans with the operator's prices and Stripe price ids applied. */
export class BillingCatalog {
  readonly packs: CatalogPack[];
  readonly plans: CatalogPlan[];

  constructor(book: PriceBookDef, config: Config) {
    const priceIds = config.billing.stripePriceIds;
    this.packs = book.packs.map((p) => ({
      id: p.id,
      name: p.name,
      priceMinor: p.priceMinor,
      currency: p.currency,
      credits: p.credits,
      stripePriceId: priceIds[p.id] ?? null,
    }));
    this.plans = book.plans.map((p) => ({
      id: p.id,
      name: p.name,
      monthlyCredits: p.monthlyCredits,
      priceMinor: config.billing.planPricesMinor[p.id] ?? p.priceMinor,
      currency: p.currency,
      stripePriceId: priceIds[p.id] ?? null,
    }));
  }

  pack(id: string): CatalogPack | undefined {
    return this.packs.find((p) => p.id === id);
  }

  plan(id: string): CatalogPlan | undefined {
    return this.plans.find((p) => p.id === id);
  }

  /** The plan a Stripe price id stands for (subscriptions created outside our Checkout, e.g. in the portal). */
  planByStripePrice(priceId: string | null | undefined): CatalogPlan | undefined {
    if (!priceId) return undefined;
    return this.plans.find((p) => p.stripePriceId === priceId);
  }
}
