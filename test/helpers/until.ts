import { sleep } from './subscriptions';

/**
 * Polls `read` every `pollMs` until `done` holds and returns that value; throws (with the last
 * value, cut short) once `timeoutMs` has passed. For what arrives after commit: deliveries,
 * emails, top-ups.
 */
export async function until<T>(read: () => Promise<T> | T, done: (value: T) => boolean, timeoutMs = 10_000, pollMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms: ${JSON.stringify(value)}`.slice(0, 2000));
    await sleep(pollMs);
  }
}
