import { useMutation, useQuery } from '@apollo/client/react';
import { MarkMessagesReadDocument, MessagesDocument, type MessageFieldsFragment, type MessageKind } from '../gql/graphql';
import { Empty, ErrorMessage, Loading, useAction } from '../components/ui';
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
};

/** Messages: unread first, then the rest, newest first in each; new ones arrive live (lib/live.ts). */
export function MessagesPage() {
  useTitle('Messages');
  const { me } = useShell();
  const { data, error } = useQuery(MessagesDocument, { variables: { first: PAGE } });
  const [markRead] = useMutation(MarkMessagesReadDocument, {
    refetchQueries: ['Messages'],
    awaitRefetchQueries: true,
    // The top bar's count is the root `unreadMessageCount` field: lower it by what was marked.
    update: (cache, { data }) => cache.modify({ fields: { unreadMessageCount: (n: number) => Math.max(0, n - (data?.markMessagesRead ?? 0)) } }),
  });
  const mark = useAction(async (ids: string[]) => markRead({ variables: { ids } }));

  const unread = data?.unread.edges.map((e) => e.node) ?? [];
  const read = data?.recent.edges.map((e) => e.node).filter((m) => m.read) ?? [];
  return (
    <div className="page">
      <div className="page-head">
        <h1 tabIndex={-1}>Messages</h1>
        {unread.length > 0 && (
          <button type="button" disabled={mark.pending} onClick={() => void mark.run(unread.map((m) => m.id))}>
            Mark all read
          </button>
        )}
      </div>
      <ErrorMessage error={mark.error} />
      {!data ? (
        error ? <ErrorMessage error={error} /> : <Loading />
      ) : unread.length + read.length === 0 ? (
        <Empty>No messages yet. Alerts about credits, budgets and purchases will appear here.</Empty>
      ) : (
        <>
          <section aria-labelledby="unread-title">
            <h2 id="unread-title">Unread ({unread.length})</h2>
            {unread.length === 0 ? <Empty>You have read everything.</Empty> : <MessageList messages={unread} timeZone={me.timezone} onRead={(id) => void mark.run([id])} />}
          </section>
          {read.length > 0 && (
            <section aria-labelledby="read-title">
              <h2 id="read-title">Read</h2>
              <MessageList messages={read} timeZone={me.timezone} />
            </section>
          )}
        </>
      )}
    </div>
  );
}

function MessageList({ messages, timeZone, onRead }: { messages: MessageFieldsFragment[]; timeZone: string; onRead?: (id: string) => void }) {
  return (
    <ul className="messages">
      {messages.map((m) => (
        <li key={m.id} className={`message${m.read ? '' : ' unread'}`} data-testid="message" data-kind={m.kind}>
          <div className="message-head">
            <span className={`kind kind-${m.kind.toLowerCase()}`}>{KIND_LABEL[m.kind]}</span>
            <h3>{m.title}</h3>
            <time dateTime={m.createdAt}>{formatDateTime(m.createdAt, timeZone)}</time>
          </div>
          <p>{m.body}</p>
          {onRead && (
            <button type="button" className="link-button" onClick={() => onRead(m.id)}>
              Mark read<span className="visually-hidden">: {m.title}</span>
            </button>
          )}
        </li>
      ))}
    </ul>
  );
}
