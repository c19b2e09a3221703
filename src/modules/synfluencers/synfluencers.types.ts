import { Field, ID, InputType, ObjectType } from 'type-graphql';

@ObjectType('Synfluencer', { description: 'An AI persona run by the account. All of an account\'s synfluencers share its one wallet; usage can name one for reports.' })
export class SynfluencerType {
  @Field(() => ID, { description: 'Stable synfluencer id; pass it as synfluencerId with usage.' })
  id!: string;

  @Field({ description: 'Display name, 1 to 100 characters.' })
  name!: string;

  @Field({ description: 'Social handle without the leading "@": 1 to 64 letters, digits, ".", "_" or "-".' })
  handle!: string;

  @Field(() => [String], { description: 'Platforms it posts on, lower-cased, e.g. ["instagram", "tiktok"].' })
  platforms!: string[];

  @Field({ description: 'Archived synfluencers are hidden from lists by default; their history stays.' })
  archived!: boolean;

  @Field({ description: 'When the synfluencer was created.' })
  createdAt!: Date;
}

@InputType({ description: 'A new synfluencer.' })
export class CreateSynfluencerInput {
  @Field({ description: 'Display name, 1 to 100 characters (trimmed).' })
  name!: string;

  @Field({ description: '1 to 64 letters, digits, ".", "_" or "-", with an optional leading "@" (dropped).' })
  handle!: string;

  @Field(() => [String], { nullable: true, description: 'At most 20 platforms of 1 to 40 characters each (stored lower-cased, without duplicates).' })
  platforms?: string[] | null;
}

@InputType({ description: 'Changes to a synfluencer; omitted (or null) fields stay as they are.' })
export class UpdateSynfluencerInput {
  @Field(() => String, { nullable: true, description: 'Display name, 1 to 100 characters.' })
  name?: string | null;

  @Field(() => String, { nullable: true, description: '1 to 64 letters, digits, ".", "_" or "-", with an optional leading "@".' })
  handle?: string | null;

  @Field(() => [String], { nullable: true, description: 'Replaces the list: at most 20 platforms of 1 to 40 characters each.' })
  platforms?: string[] | null;
}
