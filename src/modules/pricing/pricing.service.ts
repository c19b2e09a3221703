import type { Config } from '../../config';
import { badInput } from '../../shared/errors';
import { exactDecimal, formatCredits, mulRoundHalfUp } from '../../shared/money';
import { PRICE_BOOKS, PricingModel, type FeaturePriceDef, type PriceBookDef } from './price-book.presets';

export interface UsageRequest {
  feature: string;
  quantity?: number | null;
  providerCost?: bigint | null;
  provider?: string | null;
}

/** The active price book as clients see it (GraphQL `priceBook`, the MCP tool `price_book`). */
export interface PriceBookView {
  id: string;
  name: string;
  currency: string;
  creditValue: string;
  signupBonus: bigint;
  /** The PASS_THROUGH markup; null when the book has no such feature. */
  passThroughMarkup: string | null;
  features: { id: string; feature: string; label: string; model: PricingModel; unit: string; rate: bigint | null; provider: string | null }[];
}

/** A quote as clients see it (GraphQL `quote`, the MCP tool `quote`). */
export interface QuoteView {
  feature: string;
  model: PricingModel;
  unit: string;
  quantity: number;
  rate: bigint | null;
  providerCost: bigint | null;
  markup: string | null;
  provider: string | null;
  amount: bigint;
}

export interface PriceQuote {
  feature: FeaturePriceDef;
  quantity: number;
  amount: bigint;
  providerCost: bigint | null;
  markup: string | null;
  provider: string | null;
}

/** Largest provider cost accepted for one pass-through charge: one million credits. */
const MAX_PROVIDER_COST = 1_000_000n * 1_000_000n;

/**
 * Prices are computed once, here, and rounded once: half up to the micro-credit.
 * Quantities are turned into exact decimals before multiplying, so 30.1 s is exactly 30.1.
 */
export class PricingService {
  readonly book: PriceBookDef;
  private readonly markup: { mantissa: bigint; scale: number };

  constructor(private readonly config: Config) {
    this.book = PRICE_BOOKS[config.priceBook];
    this.markup = exactDecimal(Number(config.passThroughMarkup));
  }

  get signupBonus(): bigint {
    return this.config.signupBonusMicros ?? this.book.signupBonus;
  }

  priceBookView(): PriceBookView {
    const book = this.book;
    return {
      id: book.name,
      name: book.name,
      currency: book.currency,
      creditValue: book.creditValue,
      signupBonus: this.signupBonus,
      passThroughMarkup: book.features.some((f) => f.model === PricingModel.PASS_THROUGH) ? this.config.passThroughMarkup : null,
      features: book.features.map((f) => ({
        id: [book.name, f.feature, f.provider].filter(Boolean).join(':'),
        feature: f.feature,
        label: f.label,
        model: f.model,
        unit: f.unit,
        rate: f.rate,
        provider: f.provider,
      })),
    };
  }

  /** What a charge of this usage would cost (the same checks and errors as a charge). */
  quoteView(req: UsageRequest): QuoteView {
    const q = this.quote(req);
    return { feature: q.feature.feature, model: q.feature.model, unit: q.feature.unit, quantity: q.quantity, rate: q.feature.rate, providerCost: q.providerCost, markup: q.markup, provider: q.provider, amount: q.amount };
  }

  /**
   * The price book's definition of a feature, or null when the book has no such feature (or not
   * from that provider): a hold reserved under an earlier price book outlives a switch of books.
   */
  featureIfPriced(name: string, provider?: string | null): FeaturePriceDef | null {
    const matches = this.book.features.filter((f) => f.feature === name);
    if (matches.length === 0 || (provider && matches[0].provider && !matches.some((f) => f.provider === provider))) return null;
    return matches.find((f) => !provider || f.provider === provider) ?? matches[0];
  }

  feature(name: string, provider?: string | null): FeaturePriceDef {
    const matches = this.book.features.filter((f) => f.feature === name);
    if (matches.length === 0) {
      throw badInput(`Unknown feature "${name}"; known features: ${[...new Set(this.book.features.map((f) => f.feature))].join(', ')}`);
    }
    if (provider && matches[0].provider && !matches.some((f) => f.provider === provider)) {
      throw badInput(`Feature "${name}" is not offered by provider "${provider}"`);
    }
    return this.featureIfPriced(name, provider)!;
  }

  /**
   * The price of a charge or hold (and of `quote`, which answers what a charge would): like
   * `priceOf`, but usage that rounds to 0 credits is BAD_USER_INPUT. A charge must move credits;
   * the ledger never records a free row (docs/decisions.md, "Zero-priced usage"). Only a capture
   * may price to 0 (it returns the whole hold).
   */
  quote(req: UsageRequest): PriceQuote {
    const quote = this.priceOf(req);
    if (quote.amount === 0n) {
      throw badInput(
        `This usage of "${quote.feature.feature}" prices to 0 credits (prices round half up to 0.000001): there is nothing to charge. Report usage worth at least 0.000001 credits, for example by adding small usages up into one charge.`,
      );
    }
    return quote;
  }

  /** The price of any usage, rounded once, half up to the micro-credit; may be 0 (captures). */
  priceOf(req: UsageRequest): PriceQuote {
    const f = this.feature(req.feature, req.provider);
    const q = req.quantity;
    if (q !== null && q !== undefined) {
      // A number past a double's range (1e400) reads as Infinity: out of range, not "negative".
      if (!Number.isFinite(q)) throw badInput(`quantity is out of range (not a finite number): it must be from 0 to ${f.maxQuantity} ${f.unit}s for "${f.feature}"`);
      if (q < 0) throw badInput('quantity must be a non-negative number');
      if (q > f.maxQuantity) throw badInput(`quantity ${q} is above the maximum of ${f.maxQuantity} ${f.unit}s for "${f.feature}"`);
    }
    if (f.model !== PricingModel.PASS_THROUGH && req.providerCost !== null && req.providerCost !== undefined) {
      throw badInput(`providerCost is only accepted for PASS_THROUGH features; "${f.feature}" is ${f.model}`);
    }
    const provider = req.provider ?? f.provider;
    switch (f.model) {
      case PricingModel.FIXED: {
        const quantity = q ?? 1;
        if (!Number.isInteger(quantity) || quantity < 1) throw badInput(`quantity for "${f.feature}" counts operations: a whole number of at least 1`);
        return { feature: f, quantity, amount: f.rate! * BigInt(quantity), providerCost: null, markup: null, provider };
      }
      case PricingModel.PER_SECOND: {
        if (q === null || q === undefined) throw badInput(`quantity (seconds of output) is required for "${f.feature}"`);
        if (q <= 0) throw badInput('quantity must be greater than 0 seconds');
        return { feature: f, quantity: q, amount: mulRoundHalfUp(f.rate!, exactDecimal(q)), providerCost: null, markup: null, provider };
      }
      case PricingModel.PASS_THROUGH: {
        const cost = req.providerCost;
        if (cost === null || cost === undefined) throw badInput(`providerCost is required for "${f.feature}" (its price is the provider's actual cost)`);
        if (cost < 0n) throw badInput('providerCost must not be negative');
        if (cost > MAX_PROVIDER_COST) throw badInput(`providerCost ${formatCredits(cost)} is above the maximum of ${formatCredits(MAX_PROVIDER_COST)}`);
        return { feature: f, quantity: q ?? 1, amount: mulRoundHalfUp(cost, this.markup), providerCost: cost, markup: this.config.passThroughMarkup, provider };
      }
    }
  }
}
