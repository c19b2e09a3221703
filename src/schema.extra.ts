import { BillingResolver } from './modules/billing/billing.resolver';
import { AccountPlanResolver } from './modules/billing/account-plan.resolver';
import { MessagesResolver } from './modules/alerts/messages.resolver';
import { RealtimeResolver } from './modules/realtime/realtime.resolver';
import { UsageResolver, WalletRunwayResolver } from './modules/usage/usage.resolver';

/** Resolvers of later modules register here (billing, alerts, usage). */
export const extraResolvers: Function[] = [BillingResolver, AccountPlanResolver, MessagesResolver, RealtimeResolver, UsageResolver, WalletRunwayResolver];
