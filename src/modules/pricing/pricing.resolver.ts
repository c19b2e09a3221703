import { Arg, Authorized, Ctx, Query, Resolver } from 'type-graphql';
import type { Context } from '../auth/context';
import { UsageInput } from '../ledger/ledger.types';
import { PriceBookType, QuoteType } from './pricing.types';
import { PricingModel } from './price-book.presets';

@Resolver()
export class PricingResolver {
  @Query(() => PriceBookType, { description: 'The active price book. Public: prices are not secret.' })
  priceBook(@Ctx() ctx: Context): PriceBookType {
    const p = ctx.services.pricing;
    return {
      id: p.book.name,
      name: p.book.name,
      currency: p.book.currency,
      creditValue: p.book.creditValue,
      signupBonus: p.signupBonus,
      passThroughMarkup: p.book.features.some((f) => f.model === PricingModel.PASS_THROUGH) ? ctx.services.config.passThroughMarkup : null,
      features: p.book.features.map((f) => ({ id: [p.book.name, f.feature, f.provider].filter(Boolean).join(':'), feature: f.feature, label: f.label, model: f.model, unit: f.unit, rate: f.rate, provider: f.provider })),
    };
  }

  @Authorized('USAGE_WRITE', 'WALLET_READ')
  @Query(() => QuoteType, { description: 'What a charge would cost, without charging (the same pricing and the same BAD_USER_INPUT errors as chargeUsage).' })
  quote(@Arg('input', () => UsageInput, { description: 'The usage to price.' }) input: UsageInput, @Ctx() ctx: Context): QuoteType {
    const q = ctx.services.pricing.quote(input);
    return {
      feature: q.feature.feature,
      model: q.feature.model,
      unit: q.feature.unit,
      quantity: q.quantity,
      rate: q.feature.rate,
      providerCost: q.providerCost,
      markup: q.markup,
      provider: q.provider,
      amount: q.amount,
    };
  }
}
