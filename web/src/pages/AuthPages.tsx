import { useEffect, useState, type ChangeEvent, type FormEvent } from 'react';
import { ErrorMessage, FieldError, useAction, codeOf } from '../components/ui';
import { Link } from '../lib/router';
import type { EndReason, SessionStore } from '../lib/session';
import { browserTimeZone, timeZones } from '../lib/time';

export const PASSWORD_POLICY = 'At least 8 characters, with an uppercase letter, a lowercase letter and a digit.';

/** The API's password policy, checked before sending so the person sees it at once. */
export function passwordProblem(password: string): string | null {
  return password.length >= 8 && /[A-Z]/.test(password) && /[a-z]/.test(password) && /\d/.test(password) ? null : `This password is too weak. ${PASSWORD_POLICY}`;
}

const ENDED: Record<EndReason, string> = {
  'logged-out': 'You are logged out.',
  expired: 'Your session ended. For your security, please log in again.',
  elsewhere: 'You were logged out in another tab.',
};

function AuthFrame({ title, children }: { title: string; children: React.ReactNode }) {
  useEffect(() => {
    document.title = `${title} · Credits & billing`;
  }, [title]);
  return (
    <main className="auth" id="main">
      <div className="auth-card">
        <p className="brand">Credits</p>
        <h1>{title}</h1>
        {children}
      </div>
    </main>
  );
}

/**
 * An input's change handler that also clears the form's server error: the server's answer was
 * about what was sent, so once an input changes it no longer applies.
 */
const clearingError =
  (setError: (error: null) => void) =>
  (set: (value: string) => void) =>
  (e: ChangeEvent<HTMLInputElement | HTMLSelectElement>) => {
    set(e.target.value);
    setError(null);
  };

export function LoginPage({ session, reason }: { session: SessionStore; reason: EndReason | null }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { run, pending, error, setError } = useAction((e: string, p: string) => session.logIn(e, p));
  const edit = clearingError(setError);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(email.trim(), password);
  };
  return (
    <AuthFrame title="Log in">
      {reason && !error && (
        <p className="notice notice-info" role="status">
          {ENDED[reason]}
        </p>
      )}
      <form onSubmit={submit} className="stack" noValidate>
        <label className="field">
          <span>Email</span>
          <input type="email" name="email" autoComplete="email" required value={email} onChange={edit(setEmail)} />
        </label>
        <label className="field">
          <span>Password</span>
          <input type="password" name="password" autoComplete="current-password" required value={password} onChange={edit(setPassword)} />
        </label>
        <ErrorMessage error={error} />
        <button type="submit" className="primary" aria-disabled={pending}>
          {pending ? 'Logging in…' : 'Log in'}
        </button>
      </form>
      <p className="muted">
        New here? <Link to="signup">Create an account</Link>
      </p>
    </AuthFrame>
  );
}

export function SignUpPage({ session }: { session: SessionStore }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [timezone, setTimezone] = useState(browserTimeZone);
  const [weak, setWeak] = useState<string | null>(null);
  const { run, pending, error, setError } = useAction((e: string, p: string, tz: string) => session.signUp(e, p, tz));
  const serverWeak = codeOf(error) === 'WEAK_PASSWORD';
  const edit = clearingError(setError);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const problem = passwordProblem(password);
    setWeak(problem);
    if (!problem) void run(email.trim(), password, timezone);
  };
  return (
    <AuthFrame title="Create your account">
      <form onSubmit={submit} className="stack" noValidate>
        <label className="field">
          <span>Email</span>
          <input type="email" name="email" autoComplete="email" required value={email} onChange={edit(setEmail)} />
        </label>
        <label className="field">
          <span>Password</span>
          <input
            type="password"
            name="password"
            autoComplete="new-password"
            required
            aria-describedby="signup-policy signup-password-error"
            aria-invalid={weak || serverWeak ? true : undefined}
            value={password}
            onChange={edit(setPassword)}
          />
        </label>
        <p className="hint" id="signup-policy">
          {PASSWORD_POLICY}
        </p>
        <FieldError id="signup-password-error" message={weak} />
        <label className="field">
          <span>Timezone</span>
          <select value={timezone} onChange={edit(setTimezone)}>
            {[...new Set([timezone, ...timeZones()])].map((z) => (
              <option key={z}>{z}</option>
            ))}
          </select>
        </label>
        <SignUpError error={error} />
        <button type="submit" className="primary" aria-disabled={pending}>
          {pending ? 'Creating your account…' : 'Sign up'}
        </button>
      </form>
      <p className="muted">
        Already have an account? <Link to="login">Log in</Link>
      </p>
    </AuthFrame>
  );
}

/** A taken email links to the log-in page (lib/errors.ts has the same sentence as plain text); any other error is the table's sentence. */
function SignUpError({ error }: { error: unknown }) {
  if (codeOf(error) !== 'EMAIL_TAKEN') return <ErrorMessage error={error} />;
  return (
    <p className="error" role="alert">
      An account with this email already exists. <Link to="login">Log in instead?</Link>
    </p>
  );
}
