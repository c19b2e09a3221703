import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from './config';
import type { Logger } from './shared/logger';
import type { AccountsService } from './modules/accounts/accounts.service';
import type { AuthService } from './modules/auth/auth.service';
import type { LedgerService } from './modules/ledger/ledger.service';
import type { PricingService } from './modules/pricing/pricing.service';
import type { SynfluencersService } from './modules/synfluencers/synfluencers.service';
import type { BillingService } from './modules/billing/billing.service';
import type { Notifier } from './modules/billing/billing.notifier';
import type { MessagesService } from './modules/alerts/messages.service';
import type { RealtimeHub } from './modules/realtime/realtime.hub';
import type { UsageService } from './modules/usage/usage.service';
import type { HistoryService } from './modules/usage/history.service';
import type { WebhooksService } from './modules/webhooks/webhooks.service';
import type { AutoTopUpService } from './modules/auto-top-up/auto-top-up.service';

/** The service container built once by app.ts and handed to every request's context. */
export interface Services {
  config: Config;
  log: Logger;
  orm: MikroORM;
  accounts: AccountsService;
  auth: AuthService;
  synfluencers: SynfluencersService;
  pricing: PricingService;
  ledger: LedgerService;
  billing: BillingService;
  /** Set by the messages module when present; billing's PURCHASE_COMPLETED etc. are skipped without it. */
  notifier?: Notifier;
  /** Messages page; `notify(accountId, kind, title, body, data)` adds one (billing). */
  messages: MessagesService;
  /** Subscriptions across instances (LISTEN/NOTIFY plus a repair poll). */
  realtime: RealtimeHub;
  usage: UsageService;
  /** The usage history (`transactions`), paged both ways. */
  history: HistoryService;
  /** Outbound webhook endpoints and their delivery log. */
  webhooks: WebhooksService;
  /** Auto top-up settings, saved cards, and the payment of started top-ups. */
  autoTopUp: AutoTopUpService;
}
