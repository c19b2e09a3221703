import { EmailOutbox } from '../modules/alerts/email-outbox.entity';
import { Message } from '../modules/alerts/message.entity';

/** Entities of later modules register here so mikro-orm.config.ts stays stable. */
export const extraEntities: Function[] = [Message, EmailOutbox];
