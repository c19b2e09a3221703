import { buildSchema, type PubSub } from 'type-graphql';
import { GraphQLDateTime } from 'graphql-scalars';
import type { GraphQLSchema } from 'graphql';
import { authChecker } from './modules/auth/context';
import { AuthResolver } from './modules/auth/auth.resolver';
import { AccountsResolver } from './modules/accounts/accounts.resolver';
import { SynfluencersResolver } from './modules/synfluencers/synfluencers.resolver';
import { ChargeResolver, HoldResolver, LedgerResolver, TransactionResolver, WalletResolver } from './modules/ledger/ledger.resolver';
import { PricingResolver } from './modules/pricing/pricing.resolver';
import { BillingResolver } from './modules/billing/billing.resolver';
import { AccountPlanResolver } from './modules/billing/account-plan.resolver';
import { MessagesResolver } from './modules/alerts/messages.resolver';
import { RealtimeResolver } from './modules/realtime/realtime.resolver';
import { UsageResolver, WalletRunwayResolver } from './modules/usage/usage.resolver';
import { guardInputs } from './shared/input-guard';
import { WebhooksResolver } from './modules/webhooks/webhooks.resolver';
import { AutoTopUpResolver } from './modules/auto-top-up/auto-top-up.resolver';

/** Every resolver of the API, one list. */
export const resolvers = [
  AuthResolver,
  AccountsResolver,
  SynfluencersResolver,
  LedgerResolver,
  WalletResolver,
  TransactionResolver,
  ChargeResolver,
  HoldResolver,
  PricingResolver,
  BillingResolver,
  AccountPlanResolver,
  MessagesResolver,
  RealtimeResolver,
  UsageResolver,
  WalletRunwayResolver,
  WebhooksResolver,
  AutoTopUpResolver,
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

/** type-graphql cannot describe the root types; every type of the schema has a description. */
const ROOT_DESCRIPTIONS = {
  Query: 'Reads. Send `Authorization: Bearer <access token or API key>`; only priceBook, creditPacks and plans are public.',
  Mutation: 'Writes. Money-moving mutations take an idempotencyKey, so a retry after a network error never charges twice.',
  Subscription: 'Live events over graphql-ws on /graphql (connectionParams.authorization = "Bearer <token>").',
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
  for (const root of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
    if (root) root.description = ROOT_DESCRIPTIONS[root.name as keyof typeof ROOT_DESCRIPTIONS];
  }
  return guardInputs(schema);
}
