import type { PoolClient } from 'pg';
import { SqlParams } from '../ledger/store/params';
import { decodeWallet, WALLET_ACCOUNT_COLUMNS, WALLET_COLUMNS } from '../ledger/store/rows';
import { webhookEvent, type WebhookEventType } from './webhook-event';
import { webhookOutboxCtes } from './webhook-outbox.sql';

/**
 * Outbound events raised outside ledger batches (a refund Stripe confirmed, an auto top-up that
 * failed), written in the raising module's own transaction so they commit with its change.
 */
export class WebhookPublisher {
  constructor(private readonly kickWorker: () => void) {}

  /**
   * Records one event about the account's wallet as it stands, inside `client`'s transaction,
   * which must already hold the wallet's row lock (event order per wallet is commit order:
   * webhook-outbox.sql.ts). Call `committed` after COMMIT.
   */
  async publishWithin(client: PoolClient, accountId: string, type: WebhookEventType, details: Record<string, unknown>): Promise<void> {
    const rows = await client.query(`select ${WALLET_COLUMNS}, ${WALLET_ACCOUNT_COLUMNS} from wallet w join account a on a.id = w.account_id where w.account_id = $1`, [accountId]);
    if (rows.rows.length === 0) return;
    const params = new SqlParams();
    const ctes = webhookOutboxCtes(params, [webhookEvent(type, decodeWallet(rows.rows[0]), details, new Date())], 'published');
    await client.query(`with ${ctes.join(',\n')} select 1`, params.values);
  }

  /** After the COMMIT of a transaction that published: the worker sends what it queued. */
  committed(): void {
    this.kickWorker();
  }
}
