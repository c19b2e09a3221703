import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';

/** A tiny history router: the dashboard has a handful of flat pages under /app/. */

const BASE = import.meta.env.BASE_URL; // "/app/"
const NAVIGATED = 'credits:navigated';

const subscribe = (fn: () => void) => {
  window.addEventListener('popstate', fn);
  window.addEventListener(NAVIGATED, fn);
  return () => {
    window.removeEventListener('popstate', fn);
    window.removeEventListener(NAVIGATED, fn);
  };
};
const snapshot = () => location.pathname + location.search;

/** The route under /app/ without slashes ("account", "messages", "" for /app/). */
export function useRoute(): { page: string; search: URLSearchParams } {
  const current = useSyncExternalStore(subscribe, snapshot);
  const url = new URL(current, location.origin);
  const page = url.pathname.startsWith(BASE) ? url.pathname.slice(BASE.length).replace(/\/+$/, '') : '';
  return { page, search: url.searchParams };
}

/** Ends the keeping in view of the card a hash named (revealHash), if any. */
let stopKeeping: (() => void) | null = null;
/** How long a card named by the hash is kept in view at most, if the user does nothing. */
const KEEP_MS = 20_000;

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  const url = BASE + to.replace(/^\//, '');
  if (opts.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  window.dispatchEvent(new Event(NAVIGATED));
  const hash = url.split('#')[1];
  // The card named by the hash (Layout reveals it too when the page changes), else the top.
  if (hash) revealHash(hash);
  else {
    stopKeeping?.();
    if (!opts.replace) window.scrollTo(0, 0);
  }
}

/**
 * Goes to the card a hash names ("account#limits"), as a browser goes to a fragment: its heading
 * (`<id>-title`, focusable with tabIndex -1) takes the focus, so Tab goes on from there, and the
 * card is scrolled to the top. The page's code and the cards above it load after this is called
 * and grow as their queries answer, which would push the card out of view: it is scrolled there
 * again whenever the page's height changes, until the user scrolls, clicks, touches or types, or
 * another navigation starts, or KEEP_MS pass.
 */
export function revealHash(id: string): void {
  stopKeeping?.();
  let focused = false;
  const place = () => {
    const card = document.getElementById(id);
    if (!card) return; // the page is not there yet
    if (!focused) {
      const heading = document.getElementById(`${id}-title`) ?? (card.hasAttribute('tabindex') ? card : null);
      heading?.focus({ preventScroll: true });
      focused = heading === null || document.activeElement === heading;
    }
    card.scrollIntoView({ block: 'start' });
  };
  // Called once at once, then on every change of the page's size (a page arriving, a card growing).
  const resized = new ResizeObserver(place);
  resized.observe(document.body);
  const intents = ['wheel', 'touchstart', 'pointerdown', 'keydown'] as const;
  const listening = { capture: true, passive: true };
  const stop = () => {
    resized.disconnect();
    clearTimeout(timer);
    for (const type of intents) window.removeEventListener(type, stop, listening);
    if (stopKeeping === stop) stopKeeping = null;
  };
  const timer = setTimeout(stop, KEEP_MS);
  for (const type of intents) window.addEventListener(type, stop, listening);
  stopKeeping = stop;
}

export function Link({ to, onClick, ...rest }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const handle = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return <a href={BASE + to.replace(/^\//, '')} onClick={handle} {...rest} />;
}
