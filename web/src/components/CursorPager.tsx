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

/**
 * Back, the page number and forward, under a paged list. The buttons are never `disabled` (on the
 * first or last page, or while a page loads and its pageInfo is not there): Chromium drops the
 * focus of a button that becomes disabled to the page body, so pressing Next with the keyboard
 * lost the place. They say `aria-disabled` instead, and a click then does nothing.
 */
export function Pager(props: { pages: ReturnType<typeof useCursorPages>; pageInfo: { hasNextPage: boolean; endCursor?: string | null } | undefined; label: string; back: string; forward: string }) {
  const { pages, pageInfo } = props;
  const canBack = pages.page > 1;
  const next = pageInfo?.hasNextPage ? (pageInfo.endCursor ?? null) : null;
  return (
    <nav className="pager" aria-label={props.label}>
      <button type="button" aria-disabled={!canBack} onClick={() => canBack && pages.back()}>
        {props.back}
      </button>
      <span className="muted">Page {pages.page}</span>
      <button type="button" aria-disabled={next === null} onClick={() => next !== null && pages.forward(next)}>
        {props.forward}
      </button>
    </nav>
  );
}
