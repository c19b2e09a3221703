import { Field, ObjectType } from 'type-graphql';
import { GraphQLJSON } from 'graphql-scalars';

export { CreditsScalar as Credits } from './money';
/** The contract's `JSON` scalar; services check the shape they accept (e.g. metadata must be an object). */
export const JSON = GraphQLJSON;

@ObjectType({ description: 'Where a page of a connection sits in the whole list (Relay Cursor Connections).' })
export class PageInfo {
  @Field({ description: 'More edges follow this page: pass `endCursor` as `after` (with `first`) to read them.' })
  hasNextPage!: boolean;

  @Field({ description: 'More edges precede this page: pass `startCursor` as `before` (with `last`) to read them.' })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Cursor of the first edge of this page; null when the page is empty.' })
  startCursor!: string | null;

  @Field(() => String, { nullable: true, description: 'Cursor of the last edge of this page; null when the page is empty.' })
  endCursor!: string | null;
}
