import type { Config } from '../../config';
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
