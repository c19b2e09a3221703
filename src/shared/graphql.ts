import { Field, ObjectType } from 'type-graphql';
import { GraphQLJSON } from 'graphql-scalars';

export { CreditsScalar as Credits } from './money';
/** The contract's `JSON` scalar; services check the shape they accept (e.g. metadata must be an object). */
export const JSON = GraphQLJSON;

@ObjectType()
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}
