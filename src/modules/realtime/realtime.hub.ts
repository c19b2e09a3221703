import { Client } from 'pg';
import type { Config } from '../../config';
import type { Sql } from '../../db/sql';
import type { Logger } from '../../shared/logger';
import type { TransactionKind } from '../ledger/domain/kinds';
import type { CommittedWallet } from '../ledger/engine/batch';
import type { LedgerService } from '../ledger/ledger.service';
import { decodeWallet, WALLET_ACCOUNT_COLUMNS, WALLET_COLUMNS } from '../ledger/store/rows';
import type { MessageRow, MessagesService } from '../alerts/messages.service';
import { Feed } from './feed';
import { lowCreditEventOf, type BalanceEvent, type LowCreditEvent, type RealtimeObserver } from './events';
import { buildPayloads, type ChangePayload } from './payload';

export { buildPayloads } from './payload';
export type { BalanceEvent, LowCreditEvent, RealtimeObserver } from './events';

/** The one PostgreSQL channel every instance LISTENs on. */
export const CHANNEL = 'wallet_changes';
/** The LISTEN connection's application_name: other instances see this instance alive while it is in pg_stat_activity. */
export const listenerName = (instanceId: string): string => `credits-realtime-listen:${instanceId}`;

interface BalanceSub {
  feed: Feed<BalanceEvent>;
  /** Highest version this subscriber was sent (or its starting point): versions only go up (docs/invariants.md #5). */
  last: bigint;
}

interface WalletWatch {
  walletId: string;
  /** Highest committed version this instance has seen for the wallet. */
  known: bigint;
  subs: Set<BalanceSub>;
}

interface AccountWatch {
  accountId: string;
  /** Highest message seq delivered to this account's feeds (per account, seq order is commit order). */
  cursor: bigint;
  messages: Set<Feed<MessageRow>>;
  alerts: Set<Feed<LowCreditEvent>>;
}

const WALLET_EVENT_COLUMNS = `${WALLET_COLUMNS}, ${WALLET_ACCOUNT_COLUMNS},
  (select case when t.wallet_version = w.version then t.kind end
     from ledger_transaction t where t.account_id = w.account_id order by t.seq desc limit 1) as cause`;

/**
 * Real time across instances, with PostgreSQL as the only bus (design.md).
 *
 * Publishing: after a ledger batch commits, its wallet id and version are gathered for
 * `coalesceMs` and sent in ONE `NOTIFY wallet_changes` (never inside the charge transaction,
 * where NOTIFY's commit-time lock would serialize every charge). Nothing is published
 * before commit, so a rolled-back charge sends nothing.
 *
 * Receiving: one dedicated LISTEN connection per instance (not from the pool). A
 * notification for a wallet with local subscribers triggers one query that reads the
 * current state of all such wallets, pushed to each subscriber whose last version is lower.
 *
 * Crash gap: an instance that dies between commit and NOTIFY publishes nothing, so every
 * instance also polls the versions of its watched wallets every `pollMs` and fetches any
 * that moved; a committed change reaches every connected subscriber within about one poll
 * interval even if no notification ever comes. Messages are delivered by a per-account
 * seq cursor through the same two paths.
 */
export class RealtimeHub {
  private readonly wallets = new Map<string, WalletWatch>();
  private readonly accounts = new Map<string, AccountWatch>();
  private listener: Client | null = null;
  private stopping = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private polling = false;

  private readonly outWallets = new Map<string, bigint>();
  private readonly outAccounts = new Set<string>();
  private flushTimer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;

  private readonly dirtyWallets = new Set<string>();
  private refreshingWallets: Promise<void> | null = null;
  private readonly dirtyAccounts = new Set<string>();
  private refreshingMessages: Promise<void> | null = null;

  /** Counters for the benchmark and operators. */
  readonly stats = { notifiesSent: 0, notificationsReceived: 0, pollRepairs: 0 };
  private observer: RealtimeObserver | null = null;
  /** Wallets marked by a NOTIFY, with the earliest send time (epoch ms) of the notifications that named them. */
  private readonly notifiedAt = new Map<string, number>();

  /** Other modules' channels on the same LISTEN connection (credential revocations), and who wants to know it is up. */
  private readonly channels = new Map<string, (payload: string) => void>();
  private readonly listeningHandlers: ((listening: boolean) => void)[] = [];
  private readonly setListening = (listening: boolean) => this.listeningHandlers.forEach((h) => h(listening));

  constructor(
    private readonly deps: {
      databaseUrl: string;
      instanceId: string; // named in the LISTEN connection's application_name
      config: Config;
      log: Logger;
      sql: Sql;
      ledger: LedgerService;
      messages: MessagesService;
    },
  ) {}

  /** See RealtimeObserver (metrics). */
  observe(observer: RealtimeObserver): void {
    this.observer = observer;
  }

  private get cfg() {
    return this.deps.config.realtime;
  }

  /** Also LISTEN on `channel` (register before start) and hand its payloads to `handler`. */
  listen(channel: string, handler: (payload: string) => void): void {
    this.channels.set(channel, handler);
  }

  /** Told when the LISTEN connection comes up (true) and when it is lost (false): notifications may have been missed in between. */
  onListening(handler: (listening: boolean) => void): void {
    this.listeningHandlers.push(handler);
  }

  async start(): Promise<void> {
    await this.connect();
    this.pollTimer = setInterval(() => void this.poll(), this.cfg.pollMs);
    this.pollTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = null;
    }
    await this.flushing;
    await this.flush(); // changes committed here must still reach the other instances
    for (const w of this.wallets.values()) for (const s of w.subs) void s.feed.return();
    for (const a of this.accounts.values()) {
      for (const f of a.messages) void f.return();
      for (const f of a.alerts) void f.return();
    }
    await Promise.allSettled([this.refreshingWallets, this.refreshingMessages]);
    const l = this.listener;
    this.listener = null;
    if (l) await l.end().catch(() => undefined);
  }

  // ------------------------------------------------------------------ LISTEN connection

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.deps.databaseUrl, application_name: listenerName(this.deps.instanceId) });
    client.on('notification', (msg) => {
      if (!msg.payload) return;
      if (msg.channel === CHANNEL) this.onNotification(msg.payload);
      else this.channels.get(msg.channel)?.(msg.payload);
    });
    const lost = (err?: Error) => {
      if (this.listener !== client) return;
      this.listener = null;
      this.setListening(false);
      if (this.stopping) return;
      this.deps.log.warn({ err }, 'realtime LISTEN connection lost; reconnecting (polling covers the gap)');
      client.end().catch(() => undefined);
      this.scheduleReconnect();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    try {
      await client.connect();
      // NOTIFY gives its transaction an xid, so its commit would wait for a WAL flush (an
      // fsync competing with the charges' commits). Notifications are not durable anyway:
      // a lost one is repaired by the poll, so this connection's commits need not wait.
      await client.query('set synchronous_commit = off');
      await client.query([CHANNEL, ...this.channels.keys()].map((c) => `listen ${c};`).join(' '));
      this.listener = client;
      this.setListening(true);
    } catch (err) {
      client.end().catch(() => undefined);
      if (this.stopping) return;
      this.deps.log.error({ err }, 'realtime LISTEN connection failed; retrying');
      this.scheduleReconnect();
      return;
    }
    // Anything committed while we were not listening: re-read everything we watch.
    this.markWallets([...this.wallets.keys()]);
    this.markAccounts([...this.accounts.keys()]);
  }

  private scheduleReconnect(): void {
    if (this.reconnectTimer || this.stopping) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.connect();
    }, 1000);
    this.reconnectTimer.unref();
  }

  private onNotification(payload: string): void {
    this.stats.notificationsReceived++;
    let p: ChangePayload;
    try {
      p = JSON.parse(payload) as ChangePayload;
    } catch {
      this.deps.log.warn({ payload: payload.slice(0, 200) }, 'ignoring malformed realtime notification');
      return;
    }
    const wallets: string[] = [];
    for (const [walletId, version] of p.w ?? []) {
      const watch = this.wallets.get(walletId);
      if (watch && BigInt(version) > watch.known) wallets.push(walletId);
    }
    if (this.observer && typeof p.t === 'number') for (const walletId of wallets) this.notifiedAt.set(walletId, Math.min(p.t, this.notifiedAt.get(walletId) ?? p.t));
    this.markWallets(wallets);
    this.markAccounts((p.a ?? []).filter((a) => this.accounts.has(a)));
  }

  // ------------------------------------------------------------------ publishing

  /** Ledger commit hook: deliver locally at once, and queue one coalesced NOTIFY for the others. */
  committed({ wallet, cause }: CommittedWallet): void {
    const watch = this.wallets.get(wallet.walletId);
    if (watch) this.deliverWallet(watch, { ...this.deps.ledger.viewOf(wallet), cause });
    if (!this.cfg.publish) return;
    const prev = this.outWallets.get(wallet.walletId);
    if (prev === undefined || wallet.version > prev) this.outWallets.set(wallet.walletId, wallet.version);
    this.scheduleFlush();
  }

  /** Messages committed: alert messages of a ledger batch, or billing's `notify`. */
  messagesAdded(accountIds: string[]): void {
    this.markAccounts(accountIds.filter((a) => this.accounts.has(a)));
    if (!this.cfg.publish) return;
    for (const a of accountIds) this.outAccounts.add(a);
    this.scheduleFlush();
  }

  /**
   * At most one NOTIFY in flight: changes committed while one is being sent wait for the
   * next, so under load each NOTIFY carries more wallets instead of more NOTIFYs competing
   * for PostgreSQL's commit-time notify lock.
   */
  private scheduleFlush(): void {
    if (this.flushTimer || this.flushing) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      this.flushing = this.flush().finally(() => {
        this.flushing = null;
        if (this.outWallets.size > 0 || this.outAccounts.size > 0) this.scheduleFlush();
      });
    }, this.cfg.coalesceMs);
  }

  private async flush(): Promise<void> {
    if (this.outWallets.size === 0 && this.outAccounts.size === 0) return;
    const payloads = buildPayloads([...this.outWallets].map(([id, v]) => [id, v.toString()]), [...this.outAccounts], Date.now());
    this.outWallets.clear();
    this.outAccounts.clear();
    const text = `select pg_notify('${CHANNEL}', p) from unnest($1::text[]) as p`;
    try {
      // Its own short transaction, after the ledger commit; all payloads in one round trip.
      // Sent on the dedicated LISTEN connection when it is up, so it never waits behind
      // charges for a pool connection.
      if (this.listener) await this.listener.query(text, [payloads]);
      else await this.deps.sql.query(text.replace('$1', '?'), [payloads]);
      this.stats.notifiesSent += payloads.length;
    } catch (err) {
      // Not fatal: every instance's poll delivers the change within one poll interval.
      this.deps.log.error({ err }, 'realtime NOTIFY failed');
    }
  }

  // ------------------------------------------------------------------ repair poll

  private async poll(): Promise<void> {
    if (this.polling || this.stopping) return;
    this.polling = true;
    try {
      const ids = [...this.wallets.keys()];
      if (ids.length > 0) {
        const rows = await this.deps.sql.query<{ id: string; version: string }>('select id, version::text as version from wallet where id = any(?::uuid[])', [ids]);
        const moved = rows.filter((r) => {
          const w = this.wallets.get(r.id);
          return w !== undefined && BigInt(r.version) > w.known;
        });
        if (moved.length > 0) {
          this.stats.pollRepairs += moved.length;
          this.markWallets(moved.map((r) => r.id));
        }
      }
      if (this.accounts.size > 0) this.markAccounts([...this.accounts.keys()]);
    } catch (err) {
      this.deps.log.error({ err }, 'realtime poll failed');
    } finally {
      this.polling = false;
    }
  }

  // ------------------------------------------------------------------ fetching and delivery

  private markWallets(ids: string[]): void {
    if (ids.length === 0) return;
    for (const id of ids) this.dirtyWallets.add(id);
    this.refreshingWallets ??= this.refreshWallets().finally(() => (this.refreshingWallets = null));
  }

  /** One query reads the current state of every dirty wallet; repeats while more arrive. */
  private async refreshWallets(): Promise<void> {
    while (this.dirtyWallets.size > 0 && !this.stopping) {
      const ids = [...this.dirtyWallets].filter((id) => this.wallets.has(id));
      this.dirtyWallets.clear();
      if (ids.length === 0) continue;
      try {
        const rows = await this.deps.sql.query(`select ${WALLET_EVENT_COLUMNS} from wallet w join account a on a.id = w.account_id where w.id = any(?::uuid[])`, [ids]);
        for (const r of rows) {
          const watch = this.wallets.get(r.id as string);
          if (watch) this.deliverWallet(watch, this.eventOf(r));
        }
        this.reportNotifyLag(ids);
      } catch (err) {
        this.deps.log.error({ err }, 'realtime wallet refresh failed (the poll retries)');
      }
    }
  }

  /** The wallets just delivered that a NOTIFY had announced: their lag from the NOTIFY's send time. */
  private reportNotifyLag(delivered: string[]): void {
    if (this.notifiedAt.size === 0) return;
    const now = Date.now();
    for (const walletId of delivered) {
      const sentAt = this.notifiedAt.get(walletId);
      if (sentAt === undefined) continue;
      this.notifiedAt.delete(walletId);
      this.observer?.deliveredAfterNotify(Math.max(0, now - sentAt) / 1000);
    }
  }

  private eventOf(r: Record<string, unknown>): BalanceEvent {
    return { ...this.deps.ledger.viewOf(decodeWallet(r)), cause: (r.cause as TransactionKind) ?? null };
  }

  private deliverWallet(watch: WalletWatch, e: BalanceEvent): void {
    if (e.version > watch.known) watch.known = e.version;
    for (const s of watch.subs) {
      // Per subscriber: only newer versions, never a stale or repeated one (docs/invariants.md #5).
      if (e.version > s.last) {
        s.last = e.version;
        s.feed.push(e);
      }
    }
  }

  private markAccounts(ids: string[]): void {
    if (ids.length === 0) return;
    for (const id of ids) this.dirtyAccounts.add(id);
    this.refreshingMessages ??= this.refreshMessages().finally(() => (this.refreshingMessages = null));
  }

  private async refreshMessages(): Promise<void> {
    while (this.dirtyAccounts.size > 0 && !this.stopping) {
      const cursors = new Map<string, bigint>();
      for (const id of this.dirtyAccounts) {
        const a = this.accounts.get(id);
        if (a) cursors.set(id, a.cursor);
      }
      this.dirtyAccounts.clear();
      if (cursors.size === 0) continue;
      try {
        for (const m of await this.deps.messages.after(cursors)) {
          const a = this.accounts.get(m.accountId);
          if (!a || m.seq <= a.cursor) continue;
          a.cursor = m.seq;
          for (const f of a.messages) f.push(m);
          const alert = lowCreditEventOf(m);
          if (alert) for (const f of a.alerts) f.push(alert);
        }
      } catch (err) {
        this.deps.log.error({ err }, 'realtime message refresh failed (the poll retries)');
      }
    }
  }

  // ------------------------------------------------------------------ subscribing

  /**
   * The caller's wallet state after every committed change. With `afterVersion` older than
   * the current version, the current state is the first event (a reconnecting client
   * converges at once); without it, the stream starts with the next change.
   */
  async balance(accountId: string, afterVersion: bigint | null): Promise<AsyncIterableIterator<BalanceEvent>> {
    const walletId = await this.deps.ledger.walletIdOf(accountId);
    const rows = await this.deps.sql.query(`select ${WALLET_EVENT_COLUMNS} from wallet w join account a on a.id = w.account_id where w.id = ?`, [walletId]);
    const current = this.eventOf(rows[0]);
    let watch = this.wallets.get(walletId);
    if (!watch) {
      watch = { walletId, known: current.version, subs: new Set() };
      this.wallets.set(walletId, watch);
    }
    const w = watch;
    const sub: BalanceSub = {
      feed: new Feed<BalanceEvent>('latest', () => {
        w.subs.delete(sub);
        if (w.subs.size > 0 || this.wallets.get(walletId) !== w) return;
        this.wallets.delete(walletId);
        this.notifiedAt.delete(walletId);
      }),
      last: afterVersion !== null && afterVersion < current.version ? afterVersion : current.version,
    };
    w.subs.add(sub);
    if (current.version > sub.last) {
      sub.last = current.version;
      sub.feed.push(current);
    }
    if (current.version > w.known) w.known = current.version;
    // A change delivered to this watch between our read and registering is newer than `last`.
    if (w.known > sub.last) this.markWallets([walletId]);
    return sub.feed;
  }

  async messages(accountId: string): Promise<AsyncIterableIterator<MessageRow>> {
    const a = await this.watchAccount(accountId);
    const feed = new Feed<MessageRow>('queue', () => {
      a.messages.delete(feed);
      this.unwatchAccount(a);
    });
    a.messages.add(feed);
    return feed;
  }

  async lowCreditAlerts(accountId: string): Promise<AsyncIterableIterator<LowCreditEvent>> {
    const a = await this.watchAccount(accountId);
    const feed = new Feed<LowCreditEvent>('queue', () => {
      a.alerts.delete(feed);
      this.unwatchAccount(a);
    });
    a.alerts.add(feed);
    return feed;
  }

  private async watchAccount(accountId: string): Promise<AccountWatch> {
    await this.deps.ledger.walletIdOf(accountId); // NOT_FOUND for an unknown account
    const existing = this.accounts.get(accountId);
    if (existing) return existing;
    const cursor = await this.deps.messages.latestSeq(accountId);
    // A message committed after that read has a higher seq and is delivered by the next refresh.
    const again = this.accounts.get(accountId);
    if (again) return again;
    const a: AccountWatch = { accountId, cursor, messages: new Set(), alerts: new Set() };
    this.accounts.set(accountId, a);
    return a;
  }

  private unwatchAccount(a: AccountWatch): void {
    if (a.messages.size === 0 && a.alerts.size === 0 && this.accounts.get(a.accountId) === a) this.accounts.delete(a.accountId);
  }

  /** Local subscriber counts (benchmark, metrics at scrape time). */
  counts(): { wallets: number; balanceSubscribers: number; accounts: number; messageSubscribers: number; lowCreditSubscribers: number } {
    let subs = 0;
    let messageSubscribers = 0;
    let lowCreditSubscribers = 0;
    for (const w of this.wallets.values()) subs += w.subs.size;
    for (const a of this.accounts.values()) {
      messageSubscribers += a.messages.size;
      lowCreditSubscribers += a.alerts.size;
    }
    return { wallets: this.wallets.size, balanceSubscribers: subs, accounts: this.accounts.size, messageSubscribers, lowCreditSubscribers };
  }
}
