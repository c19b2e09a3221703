import type { MikroORM } from '@mikro-orm/postgresql';
import type { PoolClient } from 'pg';
import { Sql } from '../../db/sql';
import { badInput, notFound } from '../../shared/errors';
import { isUuid } from '../../shared/ids';
import { encodeCursor, seqWindow, seqWindowSql, toSeqPage, type Page, type PageArgs } from '../../shared/pagination';
import { lockWalletOfAccount } from '../ledger/store/wallet-lock';
import { MessageKind } from './message.entity';

export interface MessageRow {
  id: string;
  seq: bigint;
  accountId: string;
  kind: MessageKind;
  title: string;
  body: string;
  data: Record<string, unknown> | null;
  readAt: Date | null;
  createdAt: Date;
}

const COLUMNS = 'id, seq::text as seq, account_id, kind, title, body, data, read_at, created_at';

function rowOf(r: Record<string, unknown>): MessageRow {
  return {
    id: r.id as string,
    seq: BigInt(r.seq as string),
    accountId: r.account_id as string,
    kind: r.kind as MessageKind,
    title: r.title as string,
    body: r.body as string,
    data: (r.data as Record<string, unknown>) ?? null,
    readAt: r.read_at ? new Date(r.read_at as string) : null,
    createdAt: new Date(r.created_at as string),
  };
}

/** A message written in another module's transaction (`recordWithin`), optionally emailed too. */
export interface MessageWithin {
  accountId: string;
  kind: MessageKind;
  title: string;
  body: string;
  data: Record<string, unknown> | null;
  /** Queue an email with the same subject and text to the account's address. */
  email?: boolean;
}

/** Called after a message committed, with the accounts that got one (real time publishes them). */
export type MessageListener = (accountIds: string[]) => void;

const MAX_TITLE = 200;
const MAX_BODY = 4000;

/**
 * The Messages page. Alert messages are written inside the ledger batch that triggered them
 * (alerts.participant.ts); other modules (billing) add messages through `notify`.
 */
export class MessagesService {
  private readonly sql: Sql;
  private readonly listeners: MessageListener[] = [];

  constructor(orm: MikroORM) {
    this.sql = new Sql(orm);
  }

  onAdded(listener: MessageListener): void {
    this.listeners.push(listener);
  }

  /** Tells listeners about messages that committed (also called for the alert messages of ledger batches). */
  added(accountIds: string[]): void {
    for (const l of this.listeners) l(accountIds);
  }

  /**
   * Adds a message for an account, e.g. PURCHASE_COMPLETED from billing. The insert holds the
   * account's wallet row lock, like the alert messages of ledger batches, so message `seq` order
   * per account is commit order and real time's seq cursor never skips a message. With an
   * `effectKey` (the effect it announces), the account gets one message per key: a repeat returns
   * the first (billing announces an effect again when Stripe retries an event after a crash).
   */
  async notify(accountId: string, kind: MessageKind, title: string, body: string, data: Record<string, unknown> | null = null, effectKey: string | null = null): Promise<MessageRow> {
    if (!Object.values(MessageKind).includes(kind)) throw badInput(`unknown message kind ${kind}`);
    const { message, added } = await this.sql.withTransaction(async (client) => {
      if (!(await lockWalletOfAccount(client, accountId))) throw notFound('Account');
      const inserted = await client.query(
        `insert into message (id, account_id, kind, title, body, data, effect_key) values (gen_random_uuid(), $1, $2, $3, $4, $5::jsonb, $6)
         on conflict (account_id, effect_key) where effect_key is not null do nothing returning ${COLUMNS}`,
        [accountId, kind, title.slice(0, MAX_TITLE), body.slice(0, MAX_BODY), data === null ? null : JSON.stringify(data), effectKey],
      );
      if (inserted.rows.length > 0) return { message: rowOf(inserted.rows[0]), added: true };
      const first = await client.query(`select ${COLUMNS} from message where account_id = $1 and effect_key = $2`, [accountId, effectKey]);
      return { message: rowOf(first.rows[0]), added: false };
    });
    if (added) this.added([accountId]);
    return message;
  }

  /**
   * Adds a message (and its email to the outbox) inside the caller's transaction, which must
   * already hold the account's wallet lock (docs/invariants.md "Message order"). The caller calls
   * `added` after COMMIT and kicks the email outbox when it queued one.
   */
  async recordWithin(client: PoolClient, message: MessageWithin): Promise<MessageRow> {
    const inserted = await client.query(
      `insert into message (id, account_id, kind, title, body, data) values (gen_random_uuid(), $1, $2, $3, $4, $5::jsonb) returning ${COLUMNS}`,
      [message.accountId, message.kind, message.title.slice(0, MAX_TITLE), message.body.slice(0, MAX_BODY), message.data === null ? null : JSON.stringify(message.data)],
    );
    const row = rowOf(inserted.rows[0]);
    if (message.email) {
      await client.query(
        `insert into email_outbox (id, account_id, message_id, to_address, subject, body)
         select gen_random_uuid(), a.id, $2, a.email, $3, $4 from account a where a.id = $1`,
        [message.accountId, row.id, row.title, row.body],
      );
    }
    return row;
  }

  /** Newest first. */
  async list(accountId: string, unreadOnly: boolean, args: PageArgs): Promise<Page<MessageRow>> {
    const window = seqWindow(args);
    // Qualified: the bare name would compare and sort the text alias `seq` ("10" < "9").
    const bounds = seqWindowSql(window, 'message.seq');
    const where = ['account_id = ?', ...(unreadOnly ? ['read_at is null'] : []), ...bounds.conditions];
    const rows = await this.sql.query(`select ${COLUMNS} from message where ${where.join(' and ')} order by ${bounds.order} limit ?`, [
      accountId,
      ...bounds.params,
      window.limit + 1,
    ]);
    return toSeqPage(rows.map(rowOf), window, (m) => encodeCursor([m.seq]));
  }

  /** Marks the caller's own unread messages read; returns how many changed. Other ids are ignored. */
  async markRead(accountId: string, ids: string[]): Promise<number> {
    if (ids.length > 1000) throw badInput('at most 1000 ids at once');
    const valid = ids.filter(isUuid);
    if (valid.length === 0) return 0;
    const rows = await this.sql.query<{ n: number }>(
      `with u as (update message set read_at = now() where account_id = ? and id = any(?::uuid[]) and read_at is null returning 1)
       select count(*)::int as n from u`,
      [accountId, valid],
    );
    return rows[0].n;
  }

  /**
   * Marks every unread message of the account read, up to and including `upToId` (the newest the
   * reader has seen: a message that arrived after it stays unread), or all of them without it.
   * Returns how many changed. NOT_FOUND when `upToId` is not one of the account's messages.
   */
  async markAllRead(accountId: string, upToId: string | null): Promise<number> {
    const upTo = upToId === null ? null : await this.byId(accountId, upToId);
    if (upToId !== null && !upTo) throw notFound('Message');
    const rows = await this.sql.query<{ n: number }>(
      `with u as (update message set read_at = now() where account_id = ? and read_at is null and (?::bigint is null or seq <= ?::bigint) returning 1)
       select count(*)::int as n from u`,
      [accountId, upTo?.seq.toString() ?? null, upTo?.seq.toString() ?? null],
    );
    return rows[0].n;
  }

  async unreadCount(accountId: string): Promise<number> {
    const rows = await this.sql.query<{ n: number }>('select count(*)::int as n from message where account_id = ? and read_at is null', [accountId]);
    return rows[0].n;
  }

  async byId(accountId: string, id: string): Promise<MessageRow | null> {
    if (!isUuid(id)) return null;
    const rows = await this.sql.query(`select ${COLUMNS} from message where id = ? and account_id = ?`, [id, accountId]);
    return rows.length ? rowOf(rows[0]) : null;
  }

  /** The newest message seq of each account (0 if none): where a new real-time watcher starts. */
  async latestSeq(accountId: string): Promise<bigint> {
    const rows = await this.sql.query<{ s: string }>('select coalesce(max(seq), 0)::text as s from message where account_id = ?', [accountId]);
    return BigInt(rows[0].s);
  }

  /** Messages after each account's cursor, oldest first (one query for many accounts). */
  async after(cursors: Map<string, bigint>): Promise<MessageRow[]> {
    if (cursors.size === 0) return [];
    const ids = [...cursors.keys()];
    const seqs = ids.map((id) => cursors.get(id)!.toString());
    const rows = await this.sql.query(
      `select ${COLUMNS.split(', ').map((c) => `m.${c}`).join(', ')}
         from unnest(?::uuid[], ?::bigint[]) as c(account_id, seq)
         join message m on m.account_id = c.account_id and m.seq > c.seq
        order by m.seq`,
      [ids, seqs],
    );
    return rows.map(rowOf);
  }
}
