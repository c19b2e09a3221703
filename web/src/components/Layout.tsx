import { useEffect, useRef, type ReactNode } from 'react';
import { revealHash } from '../lib/router';
import { TopBar } from './TopBar';
import { LowCreditBanner } from './LowCreditBanner';

/** Every logged-in page: skip link, top bar, live banner, the page. Focus moves to the page heading on navigation, or to the heading of the card the hash names. */
export function Layout({ page, children }: { page: string; children: ReactNode }) {
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  useEffect(() => {
    const initial = first.current;
    first.current = false;
    // A link to a card ("account#limits", a reload of one too): its heading takes the focus, and
    // the card stays in view while the cards above it load.
    if (location.hash) {
      revealHash(location.hash.slice(1));
      return;
    }
    if (initial) return;
    // The page's code may still be loading (pages are separate chunks): focus its heading once it is there.
    const root = main.current;
    if (!root) return;
    // While the new page suspends, React keeps the previous page hidden in the DOM: skip its heading.
    const focusHeading = () => {
      const h1 = Array.from(root.querySelectorAll<HTMLElement>('h1')).find((h) => h.offsetParent !== null);
      h1?.focus();
      return h1 !== undefined && document.activeElement === h1;
    };
    if (focusHeading()) return;
    const observer = new MutationObserver(() => focusHeading() && observer.disconnect());
    observer.observe(root, { childList: true, subtree: true });
    return () => observer.disconnect();
  }, [page]);
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <TopBar page={page} />
      <LowCreditBanner />
      <main id="main" ref={main} tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
