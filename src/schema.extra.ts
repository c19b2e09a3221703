import { UsageResolver, WalletRunwayResolver } from './modules/usage/usage.resolver';

/** Resolvers of later modules register here (billing, alerts, usage). */
export const extraResolvers: Function[] = [UsageResolver, WalletRunwayResolver];
