import { print } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import type { Client } from 'graphql-ws';
import type { GqlError } from './app';

/** A live subscription that records every event (with its arrival time) for assertions. */
export class Recorder<R> {
  readonly events: { data: R; at: number }[] = [];
  errors: GqlError[] | null = null;
  completed = false;
  private waiters: (() => void)[] = [];
  private dispose: () => void = () => undefined;

  static start<R, V>(client: Client, doc: TypedDocumentNode<R, V>, variables?: V): Recorder<R> {
    const r = new Recorder<R>();
    r.dispose = client.subscribe<R>(
      { query: print(doc), variables: (variables ?? {}) as Record<string, unknown> },
      {
        next: (v) => {
          if (v.errors) r.errors = v.errors as unknown as GqlError[];
          if (v.data) r.events.push({ data: v.data as R, at: Date.now() });
          r.wake();
        },
        error: (e) => {
          r.errors = Array.isArray(e) ? (e as GqlError[]) : [{ message: String((e as Error)?.message ?? (e as CloseEvent)?.reason ?? e), extensions: { code: String((e as CloseEvent)?.code ?? '') } }];
          r.completed = true;
          r.wake();
        },
        complete: () => {
          r.completed = true;
          r.wake();
        },
      },
    );
    return r;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    w.forEach((f) => f());
  }

  /** Resolves with the first recorded event matching `pred`; rejects after `timeoutMs`. */
  async waitFor(pred: (data: R) => boolean, timeoutMs = 5000): Promise<{ data: R; at: number }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.events.find((e) => pred(e.data));
      if (hit) return hit;
      if (this.completed) throw new Error(`subscription ended before the expected event: ${JSON.stringify(this.errors)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms; events so far: ${JSON.stringify(this.events.map((e) => e.data))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Resolves when the subscription ended (error or complete). */
  async ended(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.completed) {
      if (Date.now() > deadline) throw new Error('subscription did not end');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  stop(): void {
    this.dispose();
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `n` tasks with at most `concurrency` in flight. */
export async function pool<T>(n: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await task(i);
      }
    }),
  );
  return out;
}

/** One signing key for several instances of a test, so a token from one is valid on all (as in production). */
export function sharedJwtEnv(): { JWT_PRIVATE_KEY: string; JWT_PUBLIC_KEY: string } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { generateKeyPairSync } = require('node:crypto') as typeof import('node:crypto');
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    JWT_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    JWT_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}
