import http from 'node:http';
import https from 'node:https';
import { StringDecoder } from 'node:string_decoder';
import { storableText } from '../../shared/storable-text';
import type { TargetPolicy } from './target-policy';

/** How one HTTP attempt ended. */
export interface AttemptOutcome {
  /** The receiver's status code; null when no response arrived (refused, network error, timeout). */
  statusCode: number | null;
  /** 2xx only; a redirect is a failure (never followed). */
  ok: boolean;
  /** The start of the response body, at most `responseLogBytes` bytes, as storable text (`storableText`). */
  responseBody: string | null;
  /** Why it failed, as storable text. */
  error: string | null;
  durationMs: number;
}

export interface SendOptions {
  policy: TargetPolicy;
  /** Connect to last byte, whatever the receiver does (slow headers, a trickled body). */
  timeoutMs: number;
  responseLogBytes: number;
}

const USER_AGENT = 'synfluencer-credits-webhooks/1';

/**
 * The kept start of a body as storable text: whatever the bytes (binary, invalid UTF-8), invalid
 * sequences become U+FFFD, and a character the byte limit cut in half is left out (the decoder
 * keeps an incomplete last sequence back instead of emitting it). An attempt's outcome must
 * always be recordable: one that is not is sent again (webhook.worker.ts), so a receiver's answer
 * must never be able to make recording fail.
 */
function bodyText(chunks: Buffer[]): string {
  return storableText(new StringDecoder('utf8').write(Buffer.concat(chunks)));
}

/**
 * POSTs one signed payload. The target is checked at connection time (policy.refusalFor for
 * address literals, policy.guardedLookup for names), no redirect is followed, the whole attempt
 * is bounded by `timeoutMs`, and only the first `responseLogBytes` of the answer are read and kept.
 */
export function sendWebhook(target: string, headers: Record<string, string>, body: string, options: SendOptions): Promise<AttemptOutcome> {
  const started = Date.now();
  const finish = (outcome: Omit<AttemptOutcome, 'durationMs'>): AttemptOutcome => ({ ...outcome, durationMs: Date.now() - started });
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return Promise.resolve(finish({ statusCode: null, ok: false, responseBody: null, error: 'invalid url' }));
  }
  const refusal = options.policy.refusalFor(url);
  if (refusal) return Promise.resolve(finish({ statusCode: null, ok: false, responseBody: null, error: refusal }));

  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: Omit<AttemptOutcome, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      resolve(finish(outcome));
    };
    const transport = url.protocol === 'https:' ? https : http;
    const request = transport.request(url, {
      method: 'POST',
      agent: false, // a fresh, checked connection per attempt; never a pooled one opened for another host
      lookup: options.policy.guardedLookup(url.hostname),
      headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': USER_AGENT },
    });
    const timer = setTimeout(() => settle({ statusCode: null, ok: false, responseBody: null, error: `timeout after ${options.timeoutMs} ms` }), options.timeoutMs);
    request.on('error', (err: Error) => settle({ statusCode: null, ok: false, responseBody: null, error: storableText(err.message, 500) }));
    request.on('response', (response) => {
      const statusCode = response.statusCode ?? 0;
      const chunks: Buffer[] = [];
      let kept = 0;
      const done = () => {
        const ok = statusCode >= 200 && statusCode < 300;
        const redirect = statusCode >= 300 && statusCode < 400;
        settle({
          statusCode,
          ok,
          responseBody: bodyText(chunks),
          error: ok ? null : redirect ? `redirect to ${storableText(String(response.headers.location ?? '?'), 200)} not followed` : `HTTP ${statusCode}`,
        });
      };
      response.on('data', (chunk: Buffer) => {
        if (kept < options.responseLogBytes) chunks.push(chunk.subarray(0, options.responseLogBytes - kept));
        kept += chunk.length;
        if (kept >= options.responseLogBytes) done(); // enough for the log: stop reading
      });
      response.on('end', done);
      response.on('error', done);
    });
    request.end(body);
  });
}
