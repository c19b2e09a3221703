import { useEffect, useRef, type ReactNode } from 'react';
import { TopBar } from './TopBar';
import { LowCreditBanner } from './LowCreditBanner';

/** Every logged-in page: skip link, top bar, live banner, the page. Focus moves to the page heading on navigation. */
export function Layout({ page, children }: { page: string; children: ReactNode }) {
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.querySelector<HTMLElement>('h1')?.focus();
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
