import { createContext, useCallback, useContext, useEffect, useState, useSyncExternalStore, type ReactNode } from 'react';
import { useFragment } from '@apollo/client/react';
import { WalletLiveFieldsFragmentDoc, type ShellQuery, type WalletLiveFieldsFragment } from '../gql/graphql';
import type { LiveSync } from './live';
import { creditDisplay, type CreditDisplay } from './money';
import type { SessionStore } from './session';

/** What every page of a logged-in user needs: the account, how to show credits, live state, the persona scope. */
export interface ShellValue {
  me: ShellQuery['me'];
  priceBook: ShellQuery['priceBook'];
  billing: ShellQuery['billingSettings'];
  unread: number;
  display: CreditDisplay;
  live: LiveSync;
  session: SessionStore;
  /** The CommandDock's selection: null = all synfluencers, else one persona's id (perhaps an archived one). */
  scope: string | null;
  setScope: (id: string | null) => void;
}

const ShellContext = createContext<ShellValue | null>(null);

export function useShell(): ShellValue {
  const v = useContext(ShellContext);
  if (!v) throw new Error('useShell outside ShellProvider');
  return v;
}

const SCOPE_KEY = 'credits.scope';

/**
 * The persona scope is one piece of state: the top bar's CommandDock and the usage card's
 * dropdown both read and write it, so they always agree. It is remembered across reloads. A
 * persona archived while it is the scope stays the scope (its past usage is still there; the
 * selectors name it, marked archived); it falls back to "All synfluencers" only when the
 * persona is not the account's (another account used this browser before).
 */
function usePersonaScope(personas: { id: string; archived: boolean }[]): [string | null, (id: string | null) => void] {
  const [scope, setScopeState] = useState<string | null>(() => localStorage.getItem(SCOPE_KEY));
  const valid = scope !== null && personas.some((p) => p.id === scope) ? scope : null;
  const setScope = useCallback((id: string | null) => {
    setScopeState(id);
    if (id) localStorage.setItem(SCOPE_KEY, id);
    else localStorage.removeItem(SCOPE_KEY);
  }, []);
  return [valid, setScope];
}

export function ShellProvider({ data, live, session, children }: { data: ShellQuery; live: LiveSync; session: SessionStore; children: ReactNode }) {
  const [scope, setScope] = usePersonaScope(data.me.synfluencers);
  const value: ShellValue = {
    me: data.me,
    priceBook: data.priceBook,
    billing: data.billingSettings,
    unread: data.unreadMessageCount,
    display: creditDisplay(data.priceBook),
    live,
    session,
    scope,
    setScope,
  };
  return <ShellContext.Provider value={value}>{children}</ShellContext.Provider>;
}

/** Re-renders when the live connection's status or the low-credit dismissal changes. */
export function useLive(): LiveSync {
  const { live } = useShell();
  useSyncExternalStore(live.subscribe, () => live.snapshot());
  return live;
}

/** The wallet's live fields as the newest balanceChanged event left them in the cache (lib/live.ts), or the shell's until one has. */
export function useLiveWallet(): WalletLiveFieldsFragment {
  const { me } = useShell();
  const fragment = useFragment({ fragment: WalletLiveFieldsFragmentDoc, from: { __typename: 'Wallet', id: me.wallet.id } });
  return fragment.complete ? fragment.data : me.wallet;
}

/** Sets the document title for a page. */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Credits & billing`;
  }, [title]);
}
