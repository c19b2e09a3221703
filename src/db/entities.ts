import { AppSetting, AppSettingAudit } from '../modules/billing/app-setting.entity';
import { Refund } from '../modules/billing/refund.entity';
import { StripeEvent } from '../modules/billing/stripe-event.entity';
import { StripeSubscription } from '../modules/billing/stripe-subscription.entity';
import { EmailOutbox } from '../modules/alerts/email-outbox.entity';
import { Message } from '../modules/alerts/message.entity';
import { UsageRollup } from '../modules/usage/usage-rollup.entity';
import { LoginThrottle } from '../modules/auth/login-throttle.entity';
import { LiveSocket } from '../modules/realtime/live-socket.entity';

/** Entities of later modules register here so mikro-orm.config.ts stays stable. */
export const extraEntities: Function[] = [AppSetting, AppSettingAudit, StripeEvent, StripeSubscription, Refund, Message, EmailOutbox, UsageRollup, LoginThrottle, LiveSocket];
