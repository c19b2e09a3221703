import { Arg, Authorized, Ctx, Query, Resolver } from 'type-graphql';
import type { Context } from '../auth/context';
import { UsageInput } from '../ledger/ledger.types';
import { PriceBookType, QuoteType } from './pricing.types';

@Resolver()
export class PricingResolver {
  @Query(() => PriceBookType, { description: 'The active price book. Public: prices are not secret.' })
  priceBook(@Ctx() ctx: Context): PriceBookType {
    return ctx.services.pricing.priceBookView();
  }

  @Authorized('USAGE_WRITE', 'WALLET_READ')
  @Query(() => QuoteType, { description: 'What a charge would cost, without charging (the same pricing and the same BAD_USER_INPUT errors as chargeUsage).' })
  quote(@Arg('input', () => UsageInput, { description: 'The usage to price.' }) input: UsageInput, @Ctx() ctx: Context): QuoteType {
    return ctx.services.pricing.quoteView(input);
  }
}
