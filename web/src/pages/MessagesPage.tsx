import { useCallback, useRef, useState } from 'react';
import type { ApolloCache } from '@apollo/client';
import { useApolloClient, useMutation, useQuery } from '@apollo/client/react';
import {
  MarkAllMessagesReadDocument,
  MarkMessagesReadDocument,
  MessagesDocument,
  OlderMessagesDocument,
  type MessageFieldsFragment,
  type MessageKind,
  type MessagePageFieldsFragment,
} from '../gql/graphql';
import { Empty, ErrorMessage, Loading, useAction } from '../components/ui';
import { formatCount } from '../lib/money';
import { useShell, useTitle } from '../lib/shell';
import { formatDateTime } from '../lib/time';

const PAGE = 50;

const KIND_LABEL: Record<MessageKind, string> = {
  BURN_ALERT: 'Burn alert',
  LOW_CREDITS: 'Low credits',
  CREDITS_DEPLETED: 'Out of credits',
  BUDGET_CAP_REACHED: 'Cap reached',
  PURCHASE_COMPLETED: 'Purchase',
  REFUND_COMPLETED: 'Refund',
  PLAN_RENEWED: 'Plan renewed',
  AUTO_TOP_UP_SUCCEEDED: 'Auto top-up',
  AUTO_TOP_UP_FAILED: 'Auto top-up failed',
  WEBHOOK_ENDPOINT_DISABLED: 'Webhook disabled',
  PAYMENT_DISPUTED: 'Payment disputed',
  DISPUTED_CREDITS_RESTORED: 'Credits restored',
};

/** What every page of a list needs to show its messages. */
interface ListProps {
  unreadOnly: boolean;
  timeZone: string;
  onRead?: (id: string, button: HTMLElement) => void;
}

/**
 * Messages: unread first, then the read ones, newest first in each and paged ("Show older"); new
 * ones arrive live (lib/live.ts). The unread count is the server's, the one the top bar shows.
 */
export function MessagesPage() {
  useTitle('Messages');
  const { me } = useShell();
  const { data, error } = useQuery(MessagesDocument, { variables: { first: PAGE } });
  const { markOne, markAll } = useMarkRead();
  const unreadHeading = useRef<HTMLHeadingElement>(null);

  // The marked message's button goes away: the focus moves to its neighbour's, else to the heading.
  const markOneAction = useAction(async (id: string, button: HTMLElement) => {
    const item = button.closest('li');
    const neighbour = (item?.nextElementSibling ?? item?.previousElementSibling)?.querySelector('button');
    await markOne(id);
    (neighbour?.isConnected ? neighbour : unreadHeading.current)?.focus();
  });
  const markAllAction = useAction(async () => {
    await markAll(data?.recent.edges[0]?.node.id);
    unreadHeading.current?.focus();
  });

  const unreadCount = data?.unreadMessageCount ?? 0;
  return (
    <div className="page">
      <div className="page-head">
        <h1 tabIndex={-1}>Messages</h1>
        {unreadCount > 0 && (
          <button type="button" aria-disabled={markAllAction.pending} onClick={() => void markAllAction.run()}>
            Mark all read
          </button>
        )}
      </div>
      <ErrorMessage error={markAllAction.error ?? markOneAction.error} />
      {!data ? (
        error ? <ErrorMessage error={error} /> : <Loading />
      ) : data.recent.edges.length === 0 ? (
        <Empty>No messages yet. Alerts about credits, budgets and purchases will appear here.</Empty>
      ) : (
        <>
          <section aria-labelledby="unread-title">
            <h2 id="unread-title" ref={unreadHeading} tabIndex={-1}>
              Unread ({formatCount(unreadCount)})
            </h2>
            {data.unread.edges.length === 0 ? (
              <Empty>You have read everything.</Empty>
            ) : (
              <MessagePages connection={data.unread} unreadOnly timeZone={me.timezone} onRead={(id, button) => void markOneAction.run(id, button)} />
            )}
          </section>
          <section aria-labelledby="read-title">
            <h2 id="read-title">Read</h2>
            <MessagePages connection={data.recent} unreadOnly={false} timeZone={me.timezone} />
          </section>
        </>
      )}
    </div>
  );
}

/**
 * Marking read, then reading every list on screen again. Mark all read marks every unread
 * message up to the newest one on screen (the newest of the Read list, which new messages join
 * live), not only those loaded here; one that arrives meanwhile, unseen, stays unread.
 */
function useMarkRead() {
  const client = useApolloClient();
  const { live } = useShell();
  // The top bar's count is the root `unreadMessageCount` field: lower it by what was marked.
  const lowerCount = (cache: ApolloCache, marked: number | undefined) => cache.modify({ fields: { unreadMessageCount: (n: number) => Math.max(0, n - (marked ?? 0)) } });
  const [markRead] = useMutation(MarkMessagesReadDocument, { update: (cache, { data }) => lowerCount(cache, data?.markMessagesRead) });
  const [markAllRead] = useMutation(MarkAllMessagesReadDocument, { update: (cache, { data }) => lowerCount(cache, data?.markAllMessagesRead) });
  const refresh = () => client.refetchQueries({ include: ['Messages', 'OlderMessages'] });
  const markOne = async (id: string) => {
    await markRead({ variables: { ids: [id] } });
    live.messagesRead(); // the other tabs' counts and lists
    await refresh();
  };
  const markAll = async (upTo: string | undefined) => {
    await markAllRead({ variables: { upTo } });
    live.messagesRead();
    await refresh();
  };
  return { markOne, markAll };
}

/**
 * One page of a list, then, once asked for, the page after it. A later page starts after this
 * page's last message as it is now, so a message marked read never leaves a gap or shows twice.
 * `claimFocus` hands the focus to the first message of a page the reader asked for.
 */
function MessagePages({ connection, claimFocus, shownAbove = false, ...list }: ListProps & { connection: MessagePageFieldsFragment; claimFocus?: () => boolean; shownAbove?: boolean }) {
  const [expanded, setExpanded] = useState(false);
  const asked = useRef(false);
  const claimOnce = useCallback(() => {
    const mine = asked.current;
    asked.current = false;
    return mine;
  }, []);
  const messages = connection.edges.map((e) => e.node).filter((m) => list.unreadOnly || m.read);
  const { hasNextPage, endCursor } = connection.pageInfo;
  // Under "Read", a page of unread messages only would show nothing: go on to the next one at once.
  const showNext = hasNextPage && endCursor !== null && endCursor !== undefined && (expanded || messages.length === 0);
  return (
    <>
      {messages.length > 0 && <MessageList messages={messages} claimFocus={claimFocus} {...list} />}
      {messages.length === 0 && !list.unreadOnly && !shownAbove && !hasNextPage && <Empty>No read messages yet.</Empty>}
      {showNext ? (
        <OlderMessages after={endCursor} claimFocus={messages.length > 0 ? claimOnce : claimFocus} shownAbove={shownAbove || messages.length > 0} {...list} />
      ) : (
        hasNextPage && (
          <div className="row">
            <button
              type="button"
              onClick={() => {
                asked.current = true;
                setExpanded(true);
              }}
            >
              Show older<span className="visually-hidden"> {list.unreadOnly ? 'unread' : 'read'} messages</span>
            </button>
          </div>
        )
      )}
    </>
  );
}

function OlderMessages({ after, claimFocus, shownAbove, ...list }: ListProps & { after: string; claimFocus?: () => boolean; shownAbove: boolean }) {
  const { data, error } = useQuery(OlderMessagesDocument, { variables: { first: PAGE, after, unreadOnly: list.unreadOnly } });
  if (!data) return error ? <ErrorMessage error={error} /> : <Loading />;
  return <MessagePages connection={data.messages} claimFocus={claimFocus} shownAbove={shownAbove} {...list} />;
}

function MessageList({ messages, timeZone, onRead, claimFocus }: ListProps & { messages: MessageFieldsFragment[]; claimFocus?: () => boolean }) {
  // A stable ref callback: React calls it when a first message is rendered, not on every render.
  const focusFirst = useCallback((item: HTMLLIElement | null) => {
    if (item && claimFocus?.()) item.focus();
  }, [claimFocus]);
  return (
    <ul className="messages">
      {messages.map((m, i) => (
        <li
          key={m.id}
          ref={i === 0 ? focusFirst : undefined}
          tabIndex={i === 0 && claimFocus ? -1 : undefined}
          className={`message${m.read ? '' : ' unread'}`}
          data-testid="message"
          data-kind={m.kind}
        >
          <div className="message-head">
            <span className={`kind kind-${m.kind.toLowerCase()}`}>{KIND_LABEL[m.kind]}</span>
            <h3>{m.title}</h3>
            <time dateTime={m.createdAt}>{formatDateTime(m.createdAt, timeZone)}</time>
          </div>
          <p>{m.body}</p>
          {onRead && (
            <button type="button" className="link-button" onClick={(e) => onRead(m.id, e.currentTarget)}>
              Mark read<span className="visually-hidden">: {m.title}</span>
            </button>
          )}
        </li>
      ))}
    </ul>
  );
}
