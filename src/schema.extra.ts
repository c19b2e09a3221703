import { BillingResolver } from './modules/billing/billing.resolver';

/** Resolvers of later modules register here (billing, alerts, usage). */
export const extraResolvers: Function[] = [BillingResolver];
