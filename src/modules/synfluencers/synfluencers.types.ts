import { Field, ID, InputType, ObjectType } from 'type-graphql';

@ObjectType('Synfluencer')
export class SynfluencerType {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field()
  handle!: string;

  @Field(() => [String])
  platforms!: string[];

  @Field()
  archived!: boolean;

  @Field()
  createdAt!: Date;
}

@InputType()
export class CreateSynfluencerInput {
  @Field()
  name!: string;

  @Field()
  handle!: string;

  @Field(() => [String], { nullable: true })
  platforms?: string[] | null;
}

@InputType()
export class UpdateSynfluencerInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  handle?: string | null;

  @Field(() => [String], { nullable: true })
  platforms?: string[] | null;
}
