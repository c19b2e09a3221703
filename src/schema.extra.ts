import { BillingResolver } from './modules/billing/billing.resolver';
import { UsageResolver, WalletRunwayResolver } from './modules/usage/usage.resolver';

/** Resolvers of later modules register here (billing, alerts, usage). */
export const extraResolvers: Function[] = [BillingResolver, UsageResolver, WalletRunwayResolver];
