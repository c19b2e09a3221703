import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

/**
 * Child process of bench/realtime.ts: holds the WebSocket subscribers, so their event
 * timestamps are not delayed by the instance that charges (which runs in the parent).
 * Timestamps are wall-clock milliseconds with sub-millisecond precision, comparable with
 * the parent's (same machine clock).
 */

const SUBSCRIPTION = 'subscription($v: String) { balanceChanged(afterVersion: $v) { accountId version } }';
export const now = () => performance.timeOrigin + performance.now();

interface Sub {
  ws: WebSocket;
  accountId: string;
  events: [string, number][];
}

function open(url: string, token: string, accountId: string): Promise<Sub> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, 'graphql-transport-ws');
    const sub: Sub = { ws, accountId, events: [] };
    ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
    ws.on('message', (raw) => {
      const at = now();
      const m = JSON.parse(raw.toString());
      if (m.type === 'connection_ack') ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: SUBSCRIPTION, variables: { v: '0' } } }));
      else if (m.type === 'next') {
        const e = m.payload?.data?.balanceChanged;
        if (!e) return reject(new Error(JSON.stringify(m.payload?.errors)));
        sub.events.push([e.version, at]);
        resolve(sub); // the catch-up event (afterVersion 0) proves the subscription is live
      } else if (m.type === 'ping') ws.send(JSON.stringify({ type: 'pong' }));
      else if (m.type === 'error') reject(new Error(JSON.stringify(m.payload)));
    });
    ws.on('error', reject);
    ws.on('close', (code) => reject(new Error(`socket closed ${code}`)));
  });
}

if (require.main === module && process.send) {
  const subs: Sub[] = [];
  process.on('message', async (msg: { type: string; url?: string; users?: { token: string; accountId: string }[]; count?: number }) => {
    try {
      if (msg.type === 'open') {
        const users = msg.users!;
        let next = 0;
        await Promise.all(
          Array.from({ length: 50 }, async () => {
            while (next < msg.count!) {
              const u = users[next++ % users.length];
              subs.push(await open(msg.url!, u.token, u.accountId));
            }
          }),
        );
        process.send!({ type: 'opened', count: subs.length });
      } else if (msg.type === 'report') {
        process.send!({ type: 'events', subs: subs.map((s) => [s.accountId, s.events]) });
      } else if (msg.type === 'close') {
        for (const s of subs) s.ws.terminate();
        process.exit(0);
      }
    } catch (err) {
      process.send!({ type: 'error', message: String((err as Error).message ?? err) });
    }
  });
}
