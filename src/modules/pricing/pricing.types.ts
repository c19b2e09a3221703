import { Field, Float, ObjectType, registerEnumType } from 'type-graphql';
import { Credits } from '../../shared/graphql';
import { PricingModel } from './price-book.presets';

registerEnumType(PricingModel, {
  name: 'PricingModel',
  valuesConfig: {
    FIXED: { description: 'Credits per operation.' },
    PER_SECOND: { description: 'Credits per second of output, per provider.' },
    PASS_THROUGH: { description: "The provider's actual cost in credits times a markup." },
  },
});

@ObjectType('FeaturePrice')
export class FeaturePriceType {
  @Field()
  feature!: string;

  @Field()
  label!: string;

  @Field(() => PricingModel)
  model!: PricingModel;

  @Field()
  unit!: string;

  @Field(() => Credits, { nullable: true })
  rate!: bigint | null;

  @Field(() => String, { nullable: true })
  provider!: string | null;
}

@ObjectType('PriceBook')
export class PriceBookType {
  @Field()
  name!: string;

  @Field()
  currency!: string;

  @Field({ description: 'What one credit is worth in `currency`.' })
  creditValue!: string;

  @Field(() => Credits, { description: 'Credits granted at sign-up.' })
  signupBonus!: bigint;

  @Field(() => String, { nullable: true, description: 'Multiplier applied to PASS_THROUGH provider costs.' })
  passThroughMarkup!: string | null;

  @Field(() => [FeaturePriceType])
  features!: FeaturePriceType[];
}

@ObjectType('Quote')
export class QuoteType {
  @Field()
  feature!: string;

  @Field(() => PricingModel)
  model!: PricingModel;

  @Field()
  unit!: string;

  @Field(() => Float)
  quantity!: number;

  @Field(() => Credits, { nullable: true })
  rate!: bigint | null;

  @Field(() => Credits, { nullable: true })
  providerCost!: bigint | null;

  @Field(() => String, { nullable: true })
  markup!: string | null;

  @Field(() => String, { nullable: true })
  provider!: string | null;

  @Field(() => Credits, { description: 'What the charge would cost, rounded half up to the micro-credit.' })
  amount!: bigint;
}
