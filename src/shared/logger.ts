import pino, { type Logger } from 'pino';
import type { Config } from '../config';

export type { Logger };

export function createLogger(config: Pick<Config, 'logLevel' | 'nodeEnv'>): Logger {
  return pino({
    level: config.logLevel,
    base: { service: 'synfluencer-credits' },
    redact: ['req.headers.authorization', 'req.headers.cookie', 'password', 'newPassword', 'currentPassword', 'refreshToken'],
  });
}
