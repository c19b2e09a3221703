import { formatCount, formatCredits } from '../lib/money';
import { Link } from '../lib/router';
import { useLive, useLiveWallet, useShell } from '../lib/shell';
import { CommandDock } from './CommandDock';

const PAGES = [
  { to: 'account', label: 'Account' },
  { to: 'personas', label: 'Personas' },
  { to: 'api-keys', label: 'API keys' },
  { to: 'webhooks', label: 'Webhooks' },
] as const;

/** On every page: live balance and status, unread messages, the persona selector, navigation. */
export function TopBar({ page }: { page: string }) {
  const { me, unread, session } = useShell();
  return (
    <header className="topbar">
      <div className="topbar-row">
        <Link to="account" className="brand">
          Credits
        </Link>
        <LiveBalance />
        <Link to="messages" className="unread-link" aria-current={page === 'messages' ? 'page' : undefined}>
          Messages
          <span className={`count${unread > 0 ? ' count-on' : ''}`} data-testid="unread-count">
            {formatCount(unread)}
          </span>
          <span className="visually-hidden"> unread</span>
        </Link>
      </div>
      <div className="topbar-row">
        <nav aria-label="Main">
          <ul>
            {PAGES.map((p) => (
              <li key={p.to}>
                <Link to={p.to} aria-current={page === p.to ? 'page' : undefined}>
                  {p.label}
                </Link>
              </li>
            ))}
            {me.role === 'ADMIN' && (
              <li>
                <Link to="admin" aria-current={page === 'admin' ? 'page' : undefined}>
                  Admin
                </Link>
              </li>
            )}
          </ul>
        </nav>
        <CommandDock />
        <button type="button" className="link-button" onClick={() => void session.logOut()}>
          Log out
        </button>
      </div>
    </header>
  );
}

function LiveBalance() {
  const { display, billing } = useShell();
  const live = useLive();
  const wallet = useLiveWallet();
  return (
    <div className="balance-box">
      <span className="label">Balance</span>
      {/* data-credits: the API's own figure, for scripts and acceptance checks; the text is grouped for reading. */}
      <strong className="balance" data-testid="balance" data-credits={wallet.balance}>
        {formatCredits(wallet.balance, display)}
      </strong>
      <span className={`live-dot live-${live.status}`} aria-hidden="true" />
      {/* The socket is down: said in words, not only by the dot's colour (the figures shown may be
          out of date until it is back). Gone once it reconnects. */}
      <span role="status" className="live-state">
        {live.status === 'reconnecting' ? (
          <span className="status status-offline" data-testid="live-paused" title="Reconnecting: the figures shown may be out of date until then">
            Live updates paused
          </span>
        ) : (
          <span className="visually-hidden">{live.status === 'live' ? 'Live updates on' : 'Connecting live updates'}</span>
        )}
      </span>
      {wallet.status === 'PAUSED' && (
        <span className="status status-paused" data-testid="wallet-status">
          Generation paused:{' '}
          {billing.topUpAvailable ? <Link to="account#top-up">buy credits</Link> : <span>ask an admin for credits</span>}
        </span>
      )}
      {wallet.status === 'CAPPED' && (
        <span className="status status-capped" data-testid="wallet-status">
          Monthly cap reached <Link to="account#limits">Change cap</Link>
        </span>
      )}
    </div>
  );
}
