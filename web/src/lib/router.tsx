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

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  const url = BASE + to.replace(/^\//, '');
  if (opts.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  window.dispatchEvent(new Event(NAVIGATED));
  const hash = url.split('#')[1];
  // After React rendered the page: scroll to the card named by the hash, else to the top.
  if (hash) setTimeout(() => document.getElementById(hash)?.scrollIntoView(), 0);
  else if (!opts.replace) window.scrollTo(0, 0);
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
