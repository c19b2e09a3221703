import { randomBytes } from 'node:crypto';
import net from 'node:net';

/**
 * A WebSocket client written on a bare TCP socket, speaking graphql-transport-ws, that keeps
 * sending whatever the server says: it never answers a close frame. It plays a careless or
 * hostile client, which the stock clients (which stop sending once the server closes) cannot.
 */
export class RawSocket {
  /** Text messages the server sent, parsed. */
  readonly messages: Record<string, unknown>[] = [];
  /** The code of the server's close frame, once one came. */
  closeCode: number | null = null;
  /** The TCP connection ended (the server cut it). */
  ended = false;
  private pending = Buffer.alloc(0);
  private upgraded = false;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (data: Buffer) => this.receive(data));
    socket.on('close', () => (this.ended = true));
    socket.on('error', () => undefined);
  }

  /** Opens `wsUrl` (ws://host:port/graphql) and completes connection_init with `authorization`. */
  static async open(wsUrl: string, authorization: string): Promise<RawSocket> {
    const url = new URL(wsUrl);
    const tcp = net.connect(Number(url.port), url.hostname);
    await new Promise<void>((resolve, reject) => tcp.once('connect', resolve).once('error', reject));
    const raw = new RawSocket(tcp);
    tcp.write(
      `GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n`,
    );
    raw.send({ type: 'connection_init', payload: { authorization } });
    await raw.waitFor((m) => m.type === 'connection_ack');
    return raw;
  }

  /** Sends one message as a masked text frame, whatever state the connection is in. */
  send(message: object): void {
    const payload = Buffer.from(JSON.stringify(message));
    const mask = randomBytes(4);
    const header = payload.length < 126 ? Buffer.from([0x81, 0x80 | payload.length]) : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff]);
    const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]));
    if (!this.socket.destroyed) this.socket.write(Buffer.concat([header, mask, masked]));
  }

  /** Resolves with the first message (past or future) that `match` accepts; fails after `timeoutMs`. */
  async waitFor(match: (m: Record<string, unknown>) => boolean, timeoutMs = 5000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching message within ${timeoutMs} ms; got ${JSON.stringify(this.messages).slice(0, 500)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  destroy(): void {
    this.socket.destroy();
  }

  private receive(data: Buffer): void {
    this.pending = Buffer.concat([this.pending, data]);
    if (!this.upgraded) {
      const end = this.pending.indexOf('\r\n\r\n');
      if (end < 0) return;
      this.upgraded = true;
      this.pending = this.pending.subarray(end + 4);
    }
    // Server frames are unmasked: opcode, length (7 bits, or 16 or 64 bits after it), payload.
    while (this.pending.length >= 2) {
      const opcode = this.pending[0] & 0x0f;
      let length = this.pending[1] & 0x7f;
      let offset = 2;
      if (length === 126) [length, offset] = [this.pending.readUInt16BE(2), 4];
      else if (length === 127) [length, offset] = [Number(this.pending.readBigUInt64BE(2)), 10];
      if (this.pending.length < offset + length) return;
      const payload = this.pending.subarray(offset, offset + length);
      this.pending = this.pending.subarray(offset + length);
      if (opcode === 0x1) this.messages.push(JSON.parse(payload.toString('utf8')) as Record<string, unknown>);
      if (opcode === 0x8 && payload.length >= 2) this.closeCode = payload.readUInt16BE(0);
    }
  }
}
