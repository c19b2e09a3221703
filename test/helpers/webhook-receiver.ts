import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One request the receiver got. */
export interface Receipt {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  payload: { type: string; timestamp: string; data: Record<string, unknown> & { wallet: { version: string; balance: string; status: string } } };
  at: number;
  /** What the receiver answered (null: it hung). */
  status: number | null;
}

/** What to answer a request: a status (and optional body, text or raw bytes), or 'hang' to never answer. */
export type Answer = number | { status: number; body: string | Buffer; headers?: Record<string, string> } | 'hang';

/**
 * A local HTTP receiver for outbound webhooks: records every request and answers as `answer`
 * says (per request, so a test can fail an event a few times and then accept it). `verify`
 * checks a receipt with the `standardwebhooks` library, as a customer's receiver would.
 */
export class WebhookReceiver {
  readonly receipts: Receipt[] = [];
  /** Every TCP connection made to it (also ones that never became an HTTP request). */
  connections = 0;
  answer: (receipt: Receipt, attemptOfThisEvent: number) => Answer = () => 200;
  /** Runs before answering (e.g. to look at the database at that moment). */
  onReceipt: ((receipt: Receipt) => Promise<void> | void) | null = null;
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  url = '';

  constructor() {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => void this.handle(req, Buffer.concat(chunks).toString('utf8'), res));
    });
    this.server.on('connection', (socket) => {
      this.connections++;
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  private async handle(req: http.IncomingMessage, body: string, res: http.ServerResponse): Promise<void> {
    let payload: Receipt['payload'];
    try {
      payload = JSON.parse(body);
    } catch {
      payload = { type: 'unparsable', timestamp: '', data: { wallet: { version: '0', balance: '0', status: '' } } };
    }
    const receipt: Receipt = {
      id: String(req.headers['webhook-id'] ?? ''),
      timestamp: String(req.headers['webhook-timestamp'] ?? ''),
      signature: String(req.headers['webhook-signature'] ?? ''),
      body,
      payload,
      at: Date.now(),
      status: null,
    };
    this.receipts.push(receipt);
    await this.onReceipt?.(receipt);
    const answer = this.answer(receipt, this.receipts.filter((other) => other.id === receipt.id).length);
    if (answer === 'hang') return;
    const { status, body: text, headers = {} } = typeof answer === 'number' ? { status: answer, body: 'ok' } : answer;
    receipt.status = status;
    res.writeHead(status, { 'content-type': 'text/plain', ...headers });
    res.end(text);
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
    return this;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Whether `secret` verifies this receipt (Standard Webhooks: signature over id.timestamp.body, fresh timestamp). */
  static verifies(secret: string, receipt: Receipt): boolean {
    try {
      new Webhook(secret).verify(receipt.body, { 'webhook-id': receipt.id, 'webhook-timestamp': receipt.timestamp, 'webhook-signature': receipt.signature });
      return true;
    } catch {
      return false;
    }
  }

  /** Receipts of one event id, in arrival order. */
  of(eventId: string): Receipt[] {
    return this.receipts.filter((receipt) => receipt.id === eventId);
  }
}

/** Receivers a test file starts as it needs them (`start`), all stopped in its afterAll (`stopAll`). */
export class WebhookReceivers {
  private readonly started: WebhookReceiver[] = [];

  async start(): Promise<WebhookReceiver> {
    const receiver = await new WebhookReceiver().start();
    this.started.push(receiver);
    return receiver;
  }

  async stopAll(): Promise<void> {
    for (const receiver of this.started) await receiver.stop();
  }
}
