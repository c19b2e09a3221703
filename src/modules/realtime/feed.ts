/**
 * One subscriber's event stream, consumed by graphql-ws with `for await`.
 *  - 'latest': holds at most one undelivered event, the newest (balance: a slow client gets
 *    the latest committed state, intermediate versions are coalesced).
 *  - 'queue': keeps every event up to `max` (messages are distinct; the oldest are dropped
 *    only if a client stops reading).
 * `return()` (client completed or socket closed) unregisters it.
 */
export class Feed<T> implements AsyncIterableIterator<T> {
  private readonly buffered: T[] = [];
  private waiting: ((r: IteratorResult<T>) => void) | null = null;
  private closed = false;

  constructor(
    private readonly mode: 'latest' | 'queue',
    private readonly onClose: () => void,
    private readonly max = 100,
  ) {}

  get isClosed(): boolean {
    return this.closed;
  }

  push(value: T): void {
    if (this.closed) return;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      w({ value, done: false });
      return;
    }
    if (this.mode === 'latest') this.buffered.length = 0;
    else if (this.buffered.length >= this.max) this.buffered.shift();
    this.buffered.push(value);
  }

  next(): Promise<IteratorResult<T>> {
    if (this.buffered.length > 0) return Promise.resolve({ value: this.buffered.shift()!, done: false });
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  return(): Promise<IteratorResult<T>> {
    if (!this.closed) {
      this.closed = true;
      this.buffered.length = 0;
      this.onClose();
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = null;
        w({ value: undefined, done: true });
      }
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(): Promise<IteratorResult<T>> {
    return this.return();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
