import { Component, useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { describeError } from '../lib/errors';

export function Card({ id, title, children, actions }: { id: string; title: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <section className="card" id={id} aria-labelledby={`${id}-title`}>
      <header className="card-head">
        <h2 id={`${id}-title`} tabIndex={-1}>
          {title}
        </h2>
        {actions}
      </header>
      {children}
    </section>
  );
}

/**
 * A form field's text that follows the saved value (a change pushed from another tab or an API
 * client) until the user edits it: then what they typed is never overwritten. `settle` once this
 * form has saved it, so the field follows again. `edited` says whether the user changed it since
 * (a form that sends only what the user changed leaves the others as the server has them).
 */
export function useDraft(saved: string): { value: string; edited: boolean; edit: (value: string) => void; settle: () => void } {
  const [value, setValue] = useState(saved);
  const [edited, setEdited] = useState(false);
  useEffect(() => {
    if (!edited) setValue(saved);
  }, [saved, edited]);
  const edit = useCallback((next: string) => {
    setValue(next);
    setEdited(true);
  }, []);
  const settle = useCallback(() => setEdited(false), []);
  return { value, edited, edit, settle };
}

/** Gives the focus to a Card's heading: where it goes when the control that had it is gone. */
export function focusCardHeading(cardId: string): void {
  document.getElementById(`${cardId}-title`)?.focus();
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="muted loading" role="status">
      {label}
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

/** An error as the sentence from the one mapping table (lib/errors.ts). */
export function ErrorMessage({ error, id }: { error: unknown; id?: string }) {
  if (!error) return null;
  return (
    <p className="error" role="alert" id={id}>
      {describeError(error).sentence}
    </p>
  );
}

export function FieldError({ id, message }: { id: string; message: string | null }) {
  if (!message) return null;
  return (
    <p className="field-error" id={id} role="alert">
      {message}
    </p>
  );
}

export function Notice({ children, tone = 'info' }: { children: ReactNode; tone?: 'info' | 'success' | 'warning' }) {
  return (
    <p className={`notice notice-${tone}`} role="status">
      {children}
    </p>
  );
}

/**
 * Runs an async action with a pending flag and the error it failed with (if any). A run asked
 * for while one is pending is ignored: its buttons say `aria-disabled` instead of `disabled`,
 * because Chromium drops the focus of a button that becomes disabled (to the page body, where a
 * keyboard user is lost), so a second click or Enter reaches here and must do nothing.
 */
export function useAction<A extends unknown[], R>(fn: (...args: A) => Promise<R>) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const busy = useRef(false);
  const run = useCallback(
    async (...args: A): Promise<R | undefined> => {
      if (busy.current) return undefined;
      busy.current = true;
      setPending(true);
      setError(null);
      try {
        return await fn(...args);
      } catch (err) {
        setError(err);
        return undefined;
      } finally {
        busy.current = false;
        setPending(false);
      }
    },
    [fn],
  );
  return { run, pending, error, setError };
}

/** The error code of a failed action, for inline field messages. */
export const codeOf = (error: unknown): string | null => (error ? describeError(error).code : null);

/**
 * An action that cannot be taken back, asked twice: the button, then in its place a sentence with
 * a confirm and a keep button. The confirm button takes the focus; keeping gives it back to the
 * button. The parent stops rendering it once the action is done.
 */
export function ConfirmedAction(props: {
  /** The first button: its text, its accessible name, and `danger` unless it says otherwise. */
  trigger: string;
  triggerLabel?: string;
  triggerClassName?: string;
  /** The group's accessible name and what it asks. */
  group: string;
  question?: ReactNode;
  confirm: string;
  keep: string;
  pending: boolean;
  onConfirm: () => void;
}) {
  const [asking, setAsking] = useState(false);
  const [kept, setKept] = useState(false);
  if (!asking) {
    return (
      <button type="button" className={props.triggerClassName ?? 'danger'} autoFocus={kept} onClick={() => setAsking(true)} aria-label={props.triggerLabel}>
        {props.trigger}
      </button>
    );
  }
  const keep = () => {
    setAsking(false);
    setKept(true);
  };
  return (
    <div className="row wrap" role="group" aria-label={props.group}>
      {props.question && <span>{props.question}</span>}
      <button type="button" className="danger" autoFocus aria-disabled={props.pending} onClick={props.onConfirm}>
        {props.confirm}
      </button>
      <button type="button" className="link-button" onClick={keep}>
        {props.keep}
      </button>
    </div>
  );
}

/** Whether an error is a page's code failing to load (Chromium, Firefox and Safari word it differently). */
const isChunkLoadError = (error: unknown) => error instanceof TypeError && /imported module|module script/i.test(error.message);

/**
 * Around the routed page: a page whose code failed to load (offline, or its chunk gone after a
 * redeploy) or that failed to render shows what happened and Try again, while the top bar and
 * navigation stay usable. Going to another page (`resetKey`) clears the error.
 */
export class PageErrorBoundary extends Component<{ resetKey: string; onRetry: () => Promise<void>; children: ReactNode }, { error: unknown; failed: boolean; retrying: boolean }> {
  state = { error: null as unknown, failed: false, retrying: false };

  static getDerivedStateFromError(error: unknown) {
    return { error, failed: true };
  }

  componentDidUpdate(previous: { resetKey: string }) {
    if (previous.resetKey !== this.props.resetKey && this.state.failed) this.setState({ error: null, failed: false });
  }

  /**
   * Try again keeps the focus while it runs and after it fails (aria-disabled, not disabled, which
   * dropped it to the page body); once the page is back, the button goes and the focus moves to
   * the main region, at the top of the page.
   */
  private retry = async () => {
    if (this.state.retrying) return;
    this.setState({ retrying: true });
    try {
      await this.props.onRetry();
      this.setState({ error: null, failed: false, retrying: false });
      document.getElementById('main')?.focus();
    } catch (error) {
      this.setState({ error, failed: true, retrying: false });
    }
  };

  render() {
    if (!this.state.failed) return this.props.children;
    const chunk = isChunkLoadError(this.state.error);
    return (
      <div className="page">
        <h1 tabIndex={-1}>{chunk ? 'This page could not be loaded' : 'Something went wrong on this page'}</h1>
        <p className="error" role="alert">
          {chunk ? 'Its code did not arrive. Check your connection, then try again.' : 'Try again, or go to another page.'}
        </p>
        <div className="row">
          <button type="button" className="primary" aria-disabled={this.state.retrying} onClick={() => void this.retry()}>
            {this.state.retrying ? 'Trying again…' : 'Try again'}
          </button>
        </div>
      </div>
    );
  }
}
