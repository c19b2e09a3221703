import fs from 'node:fs';
import path from 'node:path';
import { defineConfig, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { Account } from '../modules/accounts/account.entity';
import { ApiKey } from '../modules/auth/api-key.entity';
import { RefreshToken } from '../modules/auth/refresh-token.entity';
import { Synfluencer } from '../modules/synfluencers/synfluencer.entity';
import { Wallet } from '../modules/ledger/wallet.entity';
import { CreditBucket } from '../modules/ledger/credit-bucket.entity';
import { LedgerTransaction } from '../modules/ledger/ledger-transaction.entity';
import { Hold } from '../modules/ledger/hold.entity';
import { AppSetting, AppSettingAudit } from '../modules/billing/app-setting.entity';
import { Refund } from '../modules/billing/refund.entity';
import { BillingDispute } from '../modules/billing/billing-dispute.entity';
import { StripeEvent } from '../modules/billing/stripe-event.entity';
import { StripeSubscription } from '../modules/billing/stripe-subscription.entity';
import { EmailOutbox } from '../modules/alerts/email-outbox.entity';
import { Message } from '../modules/alerts/message.entity';
import { UsageRollup } from '../modules/usage/usage-rollup.entity';
import { LoginThrottle } from '../modules/auth/login-throttle.entity';
import { LiveSocket } from '../modules/realtime/live-socket.entity';
import { WebhookEndpoint } from '../modules/webhooks/webhook-endpoint.entity';
import { WebhookEvent } from '../modules/webhooks/webhook-event.entity';
import { WebhookDelivery } from '../modules/webhooks/webhook-delivery.entity';
import { WebhookAttempt } from '../modules/webhooks/webhook-attempt.entity';
import { AutoTopUp } from '../modules/auto-top-up/auto-top-up.entity';
import { AutoTopUpAttempt } from '../modules/auto-top-up/auto-top-up-attempt.entity';

/** The repository root, found from either src/db (tests) or dist/src/db (compiled). */
function projectRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('package.json not found above ' + __dirname);
    dir = up;
  }
  return dir;
}
/** Compiled migrations live in dist/migrations (plain node); sources in migrations/ (TypeScript runners such as jest). */
const root = projectRoot();
const distMigrations = path.join(root, 'dist', 'migrations');
const srcMigrations = path.join(root, 'migrations');

/** Every entity (table) of the service, one list. */
export const entities = [
  Account,
  ApiKey,
  RefreshToken,
  Synfluencer,
  Wallet,
  CreditBucket,
  LedgerTransaction,
  Hold,
  AppSetting,
  AppSettingAudit,
  StripeEvent,
  StripeSubscription,
  Refund,
  BillingDispute,
  Message,
  EmailOutbox,
  UsageRollup,
  LoginThrottle,
  LiveSocket,
  WebhookEndpoint,
  WebhookEvent,
  WebhookDelivery,
  WebhookAttempt,
  AutoTopUp,
  AutoTopUpAttempt,
];

/** How long a query waits for the database before failing (an unreachable database answers 503, not a hang). */
export interface DbTimeouts {
  /** Longest wait for a pooled connection (knex's acquireTimeoutMillis). @default 30000 */
  acquireMs: number;
  /** Longest wait for a new connection to be established (pg's connectionTimeoutMillis). @default 10000 */
  connectMs: number;
}

/** Shared by the app, the scripts and the tests; the URL always comes from config.ts. */
export function ormConfig(clientUrl: string, poolSize = 20, debug = false, timeouts: DbTimeouts = { acquireMs: 30_000, connectMs: 10_000 }): Options {
  return defineConfig({
    clientUrl,
    entities,
    extensions: [Migrator],
    pool: { min: 0, max: poolSize, acquireTimeoutMillis: timeouts.acquireMs },
    driverOptions: { connection: { connectionTimeoutMillis: timeouts.connectMs } },
    debug,
    allowGlobalContext: false,
    forceUtcTimezone: true,
    migrations: {
      tableName: 'mikro_orm_migrations',
      path: distMigrations,
      pathTs: srcMigrations,
      glob: '!(*.d).{js,ts}',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      silent: true, // applied migrations are logged through pino by the caller
      emit: 'ts',
    },
  });
}
