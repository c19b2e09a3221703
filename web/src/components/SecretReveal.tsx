import { useEffect, useRef, useState } from 'react';
import { Notice } from './ui';

/** A secret shown once (an API key, a webhook signing secret): read-only field, Copy, dismiss. Give it `key={secret}`, so a new secret never inherits "Copied". */
export function SecretReveal({ secret, testId, what, onDone }: { secret: string; testId: string; what: string; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  const field = useRef<HTMLInputElement>(null);
  // Shown, it takes the focus, selected: a keyboard user copies it at once, a screen reader reads it.
  useEffect(() => field.current?.focus(), []);
  // Dismissed, it goes with the focus: the heading of the card it sits in takes it.
  const done = () => {
    const heading = field.current?.closest('.card')?.querySelector<HTMLElement>('h2');
    onDone();
    heading?.focus();
  };
  const copy = async () => {
    try {
      // The Clipboard API exists only on secure origins; elsewhere, copy the selected field.
      if (navigator.clipboard) await navigator.clipboard.writeText(secret);
      else {
        field.current?.select();
        document.execCommand('copy');
      }
      setCopied(true);
    } catch {
      field.current?.select();
      setCopied(false);
    }
  };
  return (
    <div className="secret" role="status">
      <p>
        <strong>Copy this {what} now.</strong> It is shown only once; it cannot be shown again.
      </p>
      <label className="field">
        <span>Secret</span>
        <input ref={field} readOnly value={secret} data-testid={testId} onFocus={(e) => e.target.select()} />
      </label>
      <div className="row">
        <button type="button" onClick={() => void copy()}>
          Copy
        </button>
        <button type="button" className="link-button" onClick={done}>
          I saved it
        </button>
      </div>
      {copied && <Notice tone="success">Copied to the clipboard.</Notice>}
    </div>
  );
}
