import pino, { type DestinationStream, type Logger } from 'pino';
import type { Config } from '../config';

export type { Logger };

/** JSON lines on stdout, or on `destination` (the stdio MCP entry keeps stdout for its protocol and logs to stderr). */
export function createLogger(config: Pick<Config, 'logLevel' | 'nodeEnv'>, destination?: DestinationStream): Logger {
  const options = {
    level: config.logLevel,
    base: { service: 'synfluencer-credits' },
    redact: ['req.headers.authorization', 'req.headers.cookie', 'password', 'newPassword', 'currentPassword', 'refreshToken'],
  };
  return destination ? pino(options, destination) : pino(options);
}
