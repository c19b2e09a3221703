import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Credits, JSON, PageInfo } from '../../shared/graphql';
import { MessageKind } from './message.entity';

registerEnumType(MessageKind, { name: 'MessageKind' });

@ObjectType('Message')
export class MessageType {
  @Field(() => ID)
  id!: string;

  @Field(() => MessageKind)
  kind!: MessageKind;

  @Field()
  title!: string;

  @Field()
  body!: string;

  @Field(() => JSON, { nullable: true, description: 'Structured details, e.g. { threshold, balance, reference } for LOW_CREDITS.' })
  data!: Record<string, unknown> | null;

  @Field()
  read!: boolean;

  @Field()
  createdAt!: Date;
}

@ObjectType()
export class MessageEdge {
  @Field()
  cursor!: string;

  @Field(() => MessageType)
  node!: MessageType;
}

@ObjectType()
export class MessageConnection {
  @Field(() => [MessageEdge])
  edges!: MessageEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@ObjectType('LowCreditAlert')
export class LowCreditAlertType {
  @Field(() => Int, { description: 'Percent of the reference the balance fell to: 25, 10 or 0.' })
  threshold!: number;

  @Field(() => Credits)
  balance!: bigint;

  @Field(() => Credits, { description: 'The balance after the most recent top-up, allocation or grant.' })
  reference!: bigint;

  @Field()
  createdAt!: Date;
}
