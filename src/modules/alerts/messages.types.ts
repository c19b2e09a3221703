import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Credits, JSON, PageInfo } from '../../shared/graphql';
import { MessageKind } from './message.entity';

registerEnumType(MessageKind, {
  name: 'MessageKind',
  description: 'What a message is about.',
  valuesConfig: {
    BURN_ALERT: { description: "Month-to-date spend reached the account's burnAlertThreshold (once a month)." },
    LOW_CREDITS: { description: 'The balance fell to 25 %, 10 % or 0 % of the balance after the last credit (each once per cycle).' },
    CREDITS_DEPLETED: { description: 'The balance reached zero: generation pauses until credits arrive.' },
    BUDGET_CAP_REACHED: { description: "Month-to-date spend reached the account's monthlyBudgetCap: charges fail until next month or a higher cap." },
    PURCHASE_COMPLETED: { description: 'A credit pack was paid and credited.' },
    REFUND_COMPLETED: { description: 'A refund of purchased credits went through.' },
    PLAN_RENEWED: { description: "A plan period started and its credits were allocated." },
    AUTO_TOP_UP_SUCCEEDED: { description: 'An automatic top-up was paid and its credits were added.' },
    AUTO_TOP_UP_FAILED: { description: 'An automatic top-up could not be paid (declined, or the bank asked for authentication); data.reason says why.' },
    WEBHOOK_ENDPOINT_DISABLED: { description: 'A webhook endpoint kept failing and was disabled; data.endpointId names it.' },
    PAYMENT_DISPUTED: {
      description: 'A payment was disputed with the bank (a chargeback): the credits it bought were removed as far as unused (data.credits, data.alreadyUsed), and auto top-up turned off (data.autoTopUpTurnedOff).',
    },
    DISPUTED_CREDITS_RESTORED: { description: 'A dispute was closed and the payment stands: the credits its dispute removed are back (data.credits).' },
  },
});

@ObjectType('Message', { description: "A notification on the account's Messages page." })
export class MessageType {
  @Field(() => ID, { description: 'Stable message id (markMessagesRead takes it).' })
  id!: string;

  @Field(() => MessageKind, { description: 'What the message is about.' })
  kind!: MessageKind;

  @Field({ description: 'One line, at most 200 characters.' })
  title!: string;

  @Field({ description: 'The text, at most 4000 characters.' })
  body!: string;

  @Field(() => JSON, { nullable: true, description: 'Structured details, e.g. { threshold, balance, reference } for LOW_CREDITS.' })
  data!: Record<string, unknown> | null;

  @Field({ description: 'Whether markMessagesRead marked it read.' })
  read!: boolean;

  @Field({ description: 'When the message was created (with the change that caused it).' })
  createdAt!: Date;
}

@ObjectType({ description: 'A message and its position in the list.' })
export class MessageEdge {
  @Field({ description: 'Opaque; pass it as `after` or `before` to page from here.' })
  cursor!: string;

  @Field(() => MessageType, { description: 'The message.' })
  node!: MessageType;
}

@ObjectType({ description: 'A page of messages, newest first (Relay connection).' })
export class MessageConnection {
  @Field(() => [MessageEdge], { description: 'The messages of this page, newest first.' })
  edges!: MessageEdge[];

  @Field(() => PageInfo, { description: 'Cursors and whether more pages exist in either direction.' })
  pageInfo!: PageInfo;
}

@ObjectType('LowCreditAlert', { description: 'The balance fell to a low-credit threshold.' })
export class LowCreditAlertType {
  @Field(() => Int, { description: 'Percent of the reference the balance fell to: 25, 10 or 0.' })
  threshold!: number;

  @Field(() => Credits, { description: 'The balance after the spend that crossed the threshold.' })
  balance!: bigint;

  @Field(() => Credits, { description: 'The balance after the most recent top-up, allocation or grant.' })
  reference!: bigint;

  @Field({ description: 'When the threshold was crossed.' })
  createdAt!: Date;
}
