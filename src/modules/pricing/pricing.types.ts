import { Field, Float, ID, ObjectType, registerEnumType } from 'type-graphql';
import { Credits } from '../../shared/graphql';
import { PricingModel } from './price-book.presets';

registerEnumType(PricingModel, {
  name: 'PricingModel',
  description: 'How a feature is priced.',
  valuesConfig: {
    FIXED: { description: 'Credits per operation.' },
    PER_SECOND: { description: 'Credits per second of output, per provider.' },
    PASS_THROUGH: { description: "The provider's actual cost in credits times a markup." },
  },
});

@ObjectType('FeaturePrice', { description: 'The price of one billable AI feature.' })
export class FeaturePriceType {
  @Field(() => ID, { description: 'Stable id: the price book, the feature and its provider.' })
  id!: string;

  @Field({ description: 'The name to send as UsageInput.feature, e.g. "talking_head".' })
  feature!: string;

  @Field({ description: 'Display name, e.g. "Talking head video (HeyGen)".' })
  label!: string;

  @Field(() => PricingModel, { description: 'How the feature is priced.' })
  model!: PricingModel;

  @Field({ description: 'What a quantity counts: "second", "image", "provider cost", ...' })
  unit!: string;

  @Field(() => Credits, { nullable: true, description: 'Credits per unit; null for PASS_THROUGH (priced at the provider cost times the markup).' })
  rate!: bigint | null;

  @Field(() => String, { nullable: true, description: 'The AI provider the price applies to; null when any provider is priced alike.' })
  provider!: string | null;
}

@ObjectType('PriceBook', { description: 'What every feature costs on this service (one price book is active, chosen by PRICE_BOOK).' })
export class PriceBookType {
  @Field(() => ID, { description: 'The price book name again, as a cache id.' })
  id!: string;

  @Field({ description: 'The price book: "synfluencer" or "influgen".' })
  name!: string;

  @Field({ description: 'ISO 4217 currency of prices, lower-case, e.g. "usd".' })
  currency!: string;

  @Field({ description: 'What one credit is worth in `currency`.' })
  creditValue!: string;

  @Field(() => Credits, { description: 'Credits granted at sign-up.' })
  signupBonus!: bigint;

  @Field(() => String, { nullable: true, description: 'Multiplier applied to PASS_THROUGH provider costs; null when no feature is PASS_THROUGH.' })
  passThroughMarkup!: string | null;

  @Field(() => [FeaturePriceType], { description: 'Every billable feature.' })
  features!: FeaturePriceType[];
}

@ObjectType('Quote', { description: 'What a charge would cost now, with how the amount was computed.' })
export class QuoteType {
  @Field({ description: 'The feature quoted.' })
  feature!: string;

  @Field(() => PricingModel, { description: 'How it is priced.' })
  model!: PricingModel;

  @Field({ description: 'What quantity counts.' })
  unit!: string;

  @Field(() => Float, { description: 'The quantity priced (the default applied when none was given).' })
  quantity!: number;

  @Field(() => Credits, { nullable: true, description: 'Credits per unit; null for PASS_THROUGH.' })
  rate!: bigint | null;

  @Field(() => Credits, { nullable: true, description: 'PASS_THROUGH: the provider cost given.' })
  providerCost!: bigint | null;

  @Field(() => String, { nullable: true, description: 'PASS_THROUGH: the markup applied to the provider cost.' })
  markup!: string | null;

  @Field(() => String, { nullable: true, description: 'The provider the price is for.' })
  provider!: string | null;

  @Field(() => Credits, { description: 'What the charge would cost, rounded half up to the micro-credit.' })
  amount!: bigint;
}
