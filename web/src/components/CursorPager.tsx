import { useState } from 'react';

/**
 * Pages of a Relay connection by cursor: the cursors of the pages before the current one, back
 * to the first page whenever `resetKey` changes (a new filter).
 */
export function useCursorPages(resetKey = '') {
  const [pages, setPages] = useState<{ key: string; cursors: (string | null)[] }>({ key: resetKey, cursors: [null] });
  const cursors = pages.key === resetKey ? pages.cursors : [null];
  return {
    after: cursors[cursors.length - 1],
    page: cursors.length,
    back: () => setPages({ key: resetKey, cursors: cursors.slice(0, -1) }),
    forward: (endCursor: string) => setPages({ key: resetKey, cursors: [...cursors, endCursor] }),
  };
}

/** Back, the page number and forward, under a paged list. */
export function Pager(props: { pages: ReturnType<typeof useCursorPages>; pageInfo: { hasNextPage: boolean; endCursor?: string | null } | undefined; label: string; back: string; forward: string }) {
  const { pages, pageInfo } = props;
  return (
    <nav className="pager" aria-label={props.label}>
      <button type="button" disabled={pages.page <= 1} onClick={pages.back}>
        {props.back}
      </button>
      <span className="muted">Page {pages.page}</span>
      <button type="button" disabled={!pageInfo?.hasNextPage} onClick={() => pageInfo?.endCursor && pages.forward(pageInfo.endCursor)}>
        {props.forward}
      </button>
    </nav>
  );
}
