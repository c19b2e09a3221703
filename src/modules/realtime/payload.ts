/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; stay below with room to spare. */
const MAX_PAYLOAD_BYTES = 7900;

/**
 * Payload of one NOTIFY on `wallet_changes`: changed wallets with their committed version,
 * accounts with new messages, and when it was sent (epoch ms, for the delivery-lag metric; a
 * receiver ignores a payload without it).
 */
export interface ChangePayload {
  w?: [walletId: string, version: string][];
  a?: string[];
  t?: number;
}

/** Splits the changes into JSON payloads that each stay under PostgreSQL's NOTIFY limit. */
export function buildPayloads(wallets: [string, string][], accounts: string[], sentAt?: number): string[] {
  const out: string[] = [];
  const start = (): ChangePayload => (sentAt === undefined ? {} : { t: sentAt });
  const empty = JSON.stringify(start()).length;
  let cur = start();
  let size = empty;
  const push = () => {
    if (size > empty) out.push(JSON.stringify(cur));
    cur = start();
    size = empty;
  };
  for (const entry of wallets) {
    const add = JSON.stringify(entry).length + 1 + (cur.w ? 0 : 6);
    if (size + add > MAX_PAYLOAD_BYTES) push();
    (cur.w ??= []).push(entry);
    size += JSON.stringify(entry).length + 1 + (cur.w.length === 1 ? 6 : 0);
  }
  for (const a of accounts) {
    const add = a.length + 3 + (cur.a ? 0 : 6);
    if (size + add > MAX_PAYLOAD_BYTES) push();
    (cur.a ??= []).push(a);
    size += a.length + 3 + (cur.a.length === 1 ? 6 : 0);
  }
  push();
  return out;
}
