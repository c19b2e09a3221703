import { buildSchema, type PubSub } from 'type-graphql';
import { GraphQLDateTime } from 'graphql-scalars';
import type { GraphQLSchema } from 'graphql';
import { authChecker } from './modules/auth/context';
import { AuthResolver } from './modules/auth/auth.resolver';
import { AccountsResolver } from './modules/accounts/accounts.resolver';
import { SynfluencersResolver } from './modules/synfluencers/synfluencers.resolver';
import { HoldResolver, LedgerResolver, TransactionResolver, WalletResolver } from './modules/ledger/ledger.resolver';
import { PricingResolver } from './modules/pricing/pricing.resolver';
import { extraResolvers } from './schema.extra';
import { guardInputs } from './shared/input-guard';

export const resolvers = [AuthResolver, AccountsResolver, SynfluencersResolver, LedgerResolver, WalletResolver, TransactionResolver, HoldResolver, PricingResolver, ...extraResolvers] as const;

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

/** The schema every transport serves: type-graphql's build, with every argument checked at the edge (shared/input-guard.ts). */
export async function buildGraphQLSchema(): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: resolvers as unknown as [Function, ...Function[]],
    authChecker,
    authMode: 'error',
    scalarsMap: [{ type: Date, scalar: GraphQLDateTime }],
    validate: false,
    emitSchemaFile: false,
    pubSub: noTopicPubSub,
  });
  return guardInputs(schema);
}
