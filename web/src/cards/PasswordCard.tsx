import { useState, type FormEvent } from 'react';
import { useMutation } from '@apollo/client/react';
import { ChangePasswordDocument } from '../gql/graphql';
import { Card, ErrorMessage, FieldError, Notice, codeOf, useAction } from '../components/ui';
import { PASSWORD_POLICY, passwordProblem } from '../pages/AuthPages';
import { ERROR_SENTENCES } from '../lib/errors';
import { useShell } from '../lib/shell';

/** Change password: the policy is always shown; problems appear next to the field they concern. */
export function PasswordCard() {
  const { me, session } = useShell();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [weak, setWeak] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [change] = useMutation(ChangePasswordDocument);
  const save = useAction(async () => {
    await change({ variables: { currentPassword: current, newPassword: next } });
    // A new password ends every session, this one included: start a fresh one with it.
    await session.logIn(me.email, next);
    setDone(true);
    setCurrent('');
    setNext('');
  });
  const code = codeOf(save.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setDone(false);
    const problem = passwordProblem(next);
    setWeak(problem);
    if (!problem) void save.run();
  };
  return (
    <Card id="password" title="Change password">
      <form className="stack" onSubmit={submit} noValidate>
        <label className="field">
          <span>Current password</span>
          <input
            type="password"
            autoComplete="current-password"
            value={current}
            onChange={(e) => setCurrent(e.target.value)}
            aria-invalid={code === 'INVALID_CREDENTIALS' ? true : undefined}
            aria-describedby="current-password-error"
          />
        </label>
        <FieldError id="current-password-error" message={code === 'INVALID_CREDENTIALS' ? 'The current password is not correct.' : null} />
        <label className="field">
          <span>New password</span>
          <input
            type="password"
            autoComplete="new-password"
            value={next}
            onChange={(e) => setNext(e.target.value)}
            aria-invalid={weak || code === 'WEAK_PASSWORD' ? true : undefined}
            aria-describedby="password-policy new-password-error"
          />
        </label>
        <p className="hint" id="password-policy" data-testid="password-policy">
          {PASSWORD_POLICY}
        </p>
        <FieldError id="new-password-error" message={weak ?? (code === 'WEAK_PASSWORD' ? ERROR_SENTENCES.WEAK_PASSWORD : null)} />
        {code !== 'INVALID_CREDENTIALS' && code !== 'WEAK_PASSWORD' && <ErrorMessage error={save.error} />}
        {done && <Notice tone="success">Password changed. Other sessions were logged out.</Notice>}
        <div className="row">
          <button type="submit" aria-disabled={save.pending}>
            Change password
          </button>
        </div>
      </form>
    </Card>
  );
}
