import { buildSchema, type PubSub } from 'type-graphql';
import { GraphQLDateTime } from 'graphql-scalars';
import type { GraphQLSchema } from 'graphql';
import { authChecker } from './modules/auth/context';
import { AuthResolver } from './modules/auth/auth.resolver';
import { AccountsResolver } from './modules/accounts/accounts.resolver';
import { SynfluencersResolver } from './modules/synfluencers/synfluencers.resolver';
import { HoldResolver, LedgerResolver, TransactionResolver, WalletResolver } from './modules/ledger/ledger.resolver';
import { PricingResolver } from './modules/pricing/pricing.resolver';
import { BillingResolver } from './modules/billing/billing.resolver';
import { MessagesResolver } from './modules/alerts/messages.resolver';
import { RealtimeResolver } from './modules/realtime/realtime.resolver';
import { UsageResolver, WalletRunwayResolver } from './modules/usage/usage.resolver';

/** Every resolver of the API, one list. */
export const resolvers = [
  AuthResolver,
  AccountsResolver,
  SynfluencersResolver,
  LedgerResolver,
  WalletResolver,
  TransactionResolver,
  HoldResolver,
  PricingResolver,
  BillingResolver,
  MessagesResolver,
  RealtimeResolver,
  UsageResolver,
  WalletRunwayResolver,
] as const;

/**
 * Every subscription brings its own `subscribe` (per-account scoping, afterVersion catch-up,
 * coalescing: modules/realtime), so no topic pub/sub exists; type-graphql still wants one.
 */
const noTopicPubSub: PubSub = {
  publish: () => undefined,
  subscribe: () => {
    throw new Error('topic subscriptions are not used: give @Subscription a subscribe function');
  },
};

export function buildGraphQLSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: resolvers as unknown as [Function, ...Function[]],
    authChecker,
    authMode: 'error',
    scalarsMap: [{ type: Date, scalar: GraphQLDateTime }],
    validate: false,
    emitSchemaFile: false,
    pubSub: noTopicPubSub,
  });
}
