import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../../config';
import { Sql } from '../../db/sql';
import type { Logger } from '../../shared/logger';
import type { AlertDecisions } from '../alerts/alert-decisions';
import type { MessagesService } from '../alerts/messages.service';
import type { BatchParticipant } from '../ledger/engine/participant';
import { TargetPolicy } from './target-policy';
import { WebhookPublisher } from './webhook.publisher';
import { WebhookWorker } from './webhook.worker';
import { webhooksParticipant, type WebhooksPart } from './webhooks.participant';
import { WebhooksService } from './webhooks.service';

export interface WebhooksModule {
  service: WebhooksService;
  worker: WebhookWorker;
  /** For events raised in other modules' own transactions (billing refunds, failed auto top-ups). */
  publisher: WebhookPublisher;
  /** Register with the ledger after the alerts participant (it reads alerts' decisions). */
  participant: BatchParticipant<WebhooksPart>;
}

/** The outbound webhooks module, built once by app.ts. */
export function webhooksModule(deps: { orm: MikroORM; config: Config; messages: MessagesService; alertDecisions: AlertDecisions; log: Logger }): WebhooksModule {
  const config = deps.config.webhooks;
  const policy = new TargetPolicy(config);
  const worker = new WebhookWorker({ sql: new Sql(deps.orm), config, policy, messages: deps.messages, log: deps.log });
  const kick = () => worker.kick();
  return {
    service: new WebhooksService(deps.orm, config, policy, kick),
    worker,
    publisher: new WebhookPublisher(kick),
    participant: webhooksParticipant({ alertDecisions: deps.alertDecisions, eventsCommitted: kick }),
  };
}
