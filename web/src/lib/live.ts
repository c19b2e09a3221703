import { print } from 'graphql';
import { createClient, type Client, type SubscribePayload } from 'graphql-ws';
import type { ApolloClient } from '@apollo/client';
import {
  BalanceChangedDocument,
  MessageAddedDocument,
  UnreadCountDocument,
  WalletEventFieldsFragmentDoc,
  WalletLiveFieldsFragmentDoc,
  type BalanceChangedSubscription,
  type MessageAddedSubscription,
  type MessageFieldsFragment,
} from '../gql/graphql';
import { liveWallets } from './apollo';
import type { SessionStore } from './session';

/**
 * Live values: two subscriptions over one graphql-ws socket, merged into Apollo's normalized
 * cache. Nothing is polled.
 *
 * - balanceChanged: each event carries the wallet's full committed state (`wallet`, the same
 *   cacheable Wallet the queries return); it is written into `Wallet:<walletId>` (the entry the
 *   top bar and the balance card read), and only if its version is newer than the last one
 *   seen and than the cached one (lib/apollo.ts keeps a later-arriving older query answer from
 *   showing through). Figures the event does not carry (runway, buckets, usage) are refetched
 *   once a burst of events has settled.
 * - messageAdded: refreshes the unread count and the Messages page, and tells listeners
 *   (the top-up card waits for its PURCHASE_COMPLETED or PLAN_RENEWED).
 * The low-credit banner reads the wallet itself (its `lowCreditReference`), so it needs no
 * subscription of its own and is right after a reload too.
 *
 * Reconnects: `connectionParams` is called on every (re)connect and returns a fresh access
 * token (SessionStore refreshes it when it is about to expire). graphql-ws resends a
 * subscription's payload when it reconnects; the balance payload computes its variables when
 * it is sent, so a resumed subscription asks for `afterVersion` = the last version seen and
 * the server answers with the current state at once. An expired token closes with 4419, which
 * the stock client retries (connectionParams then sends a fresh one). A close it does not retry
 * (4401, the session was ended elsewhere) ends the subscription with an error; `follow` starts
 * it again, which the server refuses while the session has ended; the page signs out at its next
 * request or token refresh, which the server refuses too.
 */

export type LiveStatus = 'connecting' | 'live' | 'reconnecting';
type MessageListener = (m: MessageFieldsFragment) => void;

/** Queries whose figures follow the balance but are not in the event. */
const AFTER_BALANCE_CHANGE = ['WalletDetails', 'UsageSummary', 'UsageHistory'];
/** Read again when the tab is shown: what changes without a wallet version (refetchSettingsWhenShown). */
const UNVERSIONED_QUERIES = ['Shell', 'Messages', 'OlderMessages', 'ApiKeys', 'Personas', 'Refunds', 'AutoTopUp'];
const REFETCH_SETTLE_MS = 400;
const REFETCH_MAX_WAIT_MS = 2000;

/** Tabs of this browser tell each other they marked messages read (no server event says so). */
const READ_CHANNEL = 'credits.messages-read';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const isCloseEvent = (e: unknown): e is { code: number } => typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'number';

export class LiveSync {
  private readonly ws: Client;
  private lastVersion: bigint | null;
  private readonly stops: (() => void)[] = [];
  private readonly listeners = new Set<() => void>();
  private readonly messageListeners = new Set<MessageListener>();
  private refetchTimer: ReturnType<typeof setTimeout> | null = null;
  /** Queries the next trailing refetch adds to AFTER_BALANCE_CHANGE. */
  private readonly extraRefetch = new Set<string>();
  private refetchDeadline = 0;
  private connectedBefore = false;
  private readonly readChannel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(READ_CHANNEL) : null;
  status: LiveStatus = 'connecting';
  /** The low-credit level the user dismissed, and the reference it was reached from ("reference|level"). */
  private dismissedLowCredit: string | null = null;

  constructor(
    private readonly apollo: ApolloClient,
    private readonly session: SessionStore,
    initialVersion: string,
  ) {
    this.lastVersion = BigInt(initialVersion);
    this.ws = createClient({
      url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
      connectionParams: async () => {
        const token = await this.session.accessToken();
        return token ? { authorization: `Bearer ${token}` } : {};
      },
      lazy: true,
      keepAlive: 15_000,
      retryAttempts: Number.POSITIVE_INFINITY,
      shouldRetry: () => true,
      retryWait: async (retries) => sleep(Math.min(500 * 2 ** retries, 10_000) * (0.75 + Math.random() / 2)),
      on: {
        connected: () => {
          this.setStatus('live');
          // Messages have no version to resume from: re-read what may have been missed, after a
          // gap and on the first connect too (a page that read them before its socket was up).
          void this.apollo.refetchQueries({ include: this.connectedBefore ? ['Shell', 'Messages'] : ['Messages'] });
          this.connectedBefore = true;
        },
        closed: () => this.setStatus('reconnecting'),
      },
    });
  }

  start(): void {
    const afterVersion = () => (this.lastVersion === null ? null : this.lastVersion.toString());
    const balancePayload: SubscribePayload = {
      query: print(BalanceChangedDocument),
      // Read when graphql-ws sends (or resends) the subscription: resume after the last version seen.
      get variables() {
        return { afterVersion: afterVersion() };
      },
    };
    this.stops.push(
      this.follow<BalanceChangedSubscription>(() => balancePayload, (d) => this.applyBalance(d.balanceChanged)),
      this.follow<MessageAddedSubscription>(() => ({ query: print(MessageAddedDocument) }), (d) => this.applyMessage(d.messageAdded)),
      this.refetchSettingsWhenShown(),
      this.followReadElsewhere(),
    );
  }

  /** Tells the other tabs of this browser that messages were marked read here (this tab's own channel does not hear it). */
  messagesRead(): void {
    this.readChannel?.postMessage({ accountId: this.session.current()?.accountId });
  }

  /**
   * Messages marked read in another tab: messageAdded only announces new ones, so the unread
   * count and the lists here would stay as they were until a reload.
   */
  private followReadElsewhere(): () => void {
    const channel = this.readChannel;
    if (!channel) return () => undefined;
    channel.onmessage = (e: MessageEvent<{ accountId?: string }>) => {
      if (e.data?.accountId !== this.session.current()?.accountId) return;
      void this.apollo.query({ query: UnreadCountDocument, fetchPolicy: 'network-only' }).catch(() => undefined);
      void this.apollo.refetchQueries({ include: ['Messages', 'OlderMessages'] });
    };
    return () => channel.close();
  }

  /**
   * What takes no wallet version is not pushed: settings (low-credit emails, the burn alert
   * threshold), messages read, keys created, used or revoked, personas, refunds, auto top-up,
   * changed in another tab or on another device. A tab coming back into view reads what it shows
   * of them again (only queries in use are refetched), so it never shows, or saves over, a value
   * changed meanwhile. Wallet figures follow the wallet's events instead.
   */
  private refetchSettingsWhenShown(): () => void {
    const shown = () => {
      if (document.visibilityState === 'visible') void this.apollo.refetchQueries({ include: UNVERSIONED_QUERIES });
    };
    document.addEventListener('visibilitychange', shown);
    return () => document.removeEventListener('visibilitychange', shown);
  }

  stop(): void {
    this.stops.splice(0).forEach((stop) => stop());
    liveWallets.clear();
    if (this.refetchTimer) clearTimeout(this.refetchTimer);
    // Disposing while a connect is in flight rejects with its close event: nothing to report.
    Promise.resolve(this.ws.dispose()).catch(() => undefined);
  }

  // ---------------------------------------------------------------- React bindings

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  onMessage(fn: MessageListener): () => void {
    this.messageListeners.add(fn);
    return () => this.messageListeners.delete(fn);
  }

  /** Hides the low-credit banner at this level; a lower level, or a new reference (credits added), shows it again. */
  dismissLowCredit(reference: string, level: number): void {
    this.dismissedLowCredit = `${reference}|${level}`;
    this.emit();
  }

  lowCreditDismissed(reference: string, level: number): boolean {
    if (this.dismissedLowCredit === null) return false;
    const [dismissedReference, dismissedLevel] = this.dismissedLowCredit.split('|');
    return dismissedReference === reference && level >= Number(dismissedLevel);
  }

  /** What React re-renders on (useLive). */
  snapshot(): string {
    return `${this.status}|${this.dismissedLowCredit ?? ''}`;
  }

  // ---------------------------------------------------------------- merging events

  private applyBalance(e: BalanceChangedSubscription['balanceChanged']): void {
    const version = BigInt(e.version);
    if (this.lastVersion !== null && version <= this.lastVersion) return;
    this.lastVersion = version;
    const id = this.apollo.cache.identify({ __typename: 'Wallet', id: e.walletId });
    const w = e.wallet;
    const capBefore = this.apollo.cache.readFragment({ id, fragment: WalletEventFieldsFragmentDoc, fragmentName: 'WalletEventFields' })?.monthlyBudgetCap;
    // The newest event seen: a query answer older than it, written later, never shows through.
    liveWallets.set(e.walletId, { version: w.version, balance: w.balance, held: w.held, spentThisMonth: w.spentThisMonth, status: w.status, lifetimeSpend: w.lifetimeSpend, lifetimePurchased: w.lifetimePurchased });
    // A query may already have stored a newer state (its answer left after this event's commit,
    // e.g. the Shell read again when the tab was shown): keep it, skip only the write. The
    // figures the event does not carry (usage, history, runway) moved all the same.
    const cached = this.apollo.cache.readFragment({ id, fragment: WalletLiveFieldsFragmentDoc });
    if (!cached || BigInt(cached.version) < version) this.apollo.cache.writeFragment({ id, fragment: WalletEventFieldsFragmentDoc, fragmentName: 'WalletEventFields', data: w });
    // A change no transaction made (a new cap or timezone from another tab, a new month) also
    // moved the account's settings the shell shows; so did a new cap coalesced with a charge.
    const settingsMoved = e.cause === null || (capBefore !== undefined && capBefore !== w.monthlyBudgetCap);
    this.scheduleRefetch(settingsMoved ? ['Shell'] : []);
  }

  private applyMessage(m: MessageFieldsFragment): void {
    void this.apollo.query({ query: UnreadCountDocument, fetchPolicy: 'network-only' }).catch(() => undefined);
    void this.apollo.refetchQueries({ include: ['Messages'] });
    this.messageListeners.forEach((fn) => fn(m));
  }

  /** Trailing refetch once events pause, but at least every REFETCH_MAX_WAIT_MS during a burst. */
  private scheduleRefetch(extra: string[]): void {
    for (const name of extra) this.extraRefetch.add(name);
    const now = Date.now();
    if (this.refetchTimer === null) this.refetchDeadline = now + REFETCH_MAX_WAIT_MS;
    else clearTimeout(this.refetchTimer);
    const wait = Math.max(0, Math.min(REFETCH_SETTLE_MS, this.refetchDeadline - now));
    this.refetchTimer = setTimeout(() => {
      this.refetchTimer = null;
      const include = [...AFTER_BALANCE_CHANGE, ...this.extraRefetch];
      this.extraRefetch.clear();
      void this.apollo.refetchQueries({ include });
    }, wait);
  }

  // ---------------------------------------------------------------- subscriptions that outlive sockets

  /** Subscribes, and subscribes again whenever the subscription ends (closed socket, server restart). */
  private follow<T>(payload: () => SubscribePayload, onData: (data: T) => void): () => void {
    let stopped = false;
    let dispose: (() => void) | null = null;
    let failures = 0;
    const restart = (delayMs: number) => {
      dispose = null;
      if (!stopped) setTimeout(start, delayMs);
    };
    const start = () => {
      if (stopped) return;
      dispose = this.ws.subscribe<T>(payload(), {
        next: (result) => {
          failures = 0;
          if (result.data) onData(result.data);
        },
        // A close the stock client will not retry (4401: the session was ended): start again now
        // (refused while it has ended; the page signs out at its next refused request). Anything else: back off.
        error: (err) => restart(isCloseEvent(err) && err.code === 4401 ? 0 : Math.min(1000 * 2 ** failures++, 15_000)),
        complete: () => restart(1000),
      });
    };
    start();
    return () => {
      stopped = true;
      dispose?.();
    };
  }

  private setStatus(status: LiveStatus): void {
    if (this.status === status) return;
    this.status = status;
    this.emit();
  }

  private emit(): void {
    this.listeners.forEach((fn) => fn());
  }
}
