import { buildSchema } from 'type-graphql';
import { GraphQLDateTime } from 'graphql-scalars';
import type { GraphQLSchema } from 'graphql';
import { authChecker } from './modules/auth/context';
import { AuthResolver } from './modules/auth/auth.resolver';
import { AccountsResolver } from './modules/accounts/accounts.resolver';
import { SynfluencersResolver } from './modules/synfluencers/synfluencers.resolver';
import { HoldResolver, LedgerResolver, TransactionResolver, WalletResolver } from './modules/ledger/ledger.resolver';
import { PricingResolver } from './modules/pricing/pricing.resolver';
import { extraResolvers } from './schema.extra';

export const resolvers = [AuthResolver, AccountsResolver, SynfluencersResolver, LedgerResolver, WalletResolver, TransactionResolver, HoldResolver, PricingResolver, ...extraResolvers] as const;

export function buildGraphQLSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: resolvers as unknown as [Function, ...Function[]],
    authChecker,
    authMode: 'error',
    scalarsMap: [{ type: Date, scalar: GraphQLDateTime }],
    validate: false,
    emitSchemaFile: false,
  });
}
