import { useCallback, useState, type ReactNode } from 'react';
import { describeError } from '../lib/errors';

export function Card({ id, title, children, actions }: { id: string; title: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <section className="card" id={id} aria-labelledby={`${id}-title`}>
      <header className="card-head">
        <h2 id={`${id}-title`}>{title}</h2>
        {actions}
      </header>
      {children}
    </section>
  );
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

/** Runs an async action with a pending flag and the error it failed with (if any). */
export function useAction<A extends unknown[], R>(fn: (...args: A) => Promise<R>) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = useCallback(
    async (...args: A): Promise<R | undefined> => {
      setPending(true);
      setError(null);
      try {
        return await fn(...args);
      } catch (err) {
        setError(err);
        return undefined;
      } finally {
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
      <button type="button" className="danger" autoFocus disabled={props.pending} onClick={props.onConfirm}>
        {props.confirm}
      </button>
      <button type="button" className="link-button" onClick={keep}>
        {props.keep}
      </button>
    </div>
  );
}
