import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '@apollo/client/react';
import { ApiKeysDocument, CreateApiKeyDocument, RevokeApiKeyDocument, type ApiKeyScope, type ApiKeysQuery } from '../gql/graphql';
import { Card, ConfirmedAction, Empty, ErrorMessage, focusCardHeading, Loading, useAction } from '../components/ui';
import { SecretReveal } from '../components/SecretReveal';
import { useShell, useTitle } from '../lib/shell';
import { formatDateTime } from '../lib/time';

const SCOPES: { value: ApiKeyScope; label: string }[] = [
  { value: 'USAGE_WRITE', label: 'Charge and hold credits (USAGE_WRITE)' },
  { value: 'WALLET_READ', label: 'Read the wallet, history and live balance (WALLET_READ)' },
];

/** API keys for partners (the render pipeline): the secret is shown once, right after creation. */
export function ApiKeysPage() {
  useTitle('API keys');
  return (
    <div className="page">
      <h1 tabIndex={-1}>API keys</h1>
      <div className="grid">
        <CreateKey />
        <KeyList />
      </div>
    </div>
  );
}

function CreateKey() {
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<ApiKeyScope[]>(['USAGE_WRITE', 'WALLET_READ']);
  const [secret, setSecret] = useState<string | null>(null);
  const [create] = useMutation(CreateApiKeyDocument, { refetchQueries: ['ApiKeys'] });
  const save = useAction(async () => {
    const r = await create({ variables: { name: name.trim(), scopes } });
    setSecret(r.data?.createApiKey.secret ?? null);
    setName('');
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void save.run();
  };
  return (
    <Card id="create-key" title="Create an API key">
      <form className="stack" onSubmit={submit}>
        <label className="field">
          <span>Key name</span>
          <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} placeholder="render pipeline" />
        </label>
        <fieldset className="stack">
          <legend>Scopes</legend>
          {SCOPES.map((s) => (
            <label key={s.value} className="check">
              <input
                type="checkbox"
                checked={scopes.includes(s.value)}
                onChange={(e) => setScopes(e.target.checked ? [...scopes, s.value] : scopes.filter((x) => x !== s.value))}
              />
              <span>{s.label}</span>
            </label>
          ))}
        </fieldset>
        <ErrorMessage error={save.error} />
        <div className="row">
          <button type="submit" className="primary" aria-disabled={save.pending}>
            Create key
          </button>
        </div>
      </form>
      {secret && <SecretReveal key={secret} secret={secret} testId="api-key-secret" what="secret" onDone={() => setSecret(null)} />}
    </Card>
  );
}

function KeyList() {
  const { data, error } = useQuery(ApiKeysDocument);
  return (
    <Card id="key-list" title="Your keys">
      {!data ? (
        error ? <ErrorMessage error={error} /> : <Loading />
      ) : data.apiKeys.length === 0 ? (
        <Empty>No API keys yet.</Empty>
      ) : (
        <ul className="list">
          {data.apiKeys.map((k) => (
            <KeyRow key={k.id} apiKey={k} />
          ))}
        </ul>
      )}
    </Card>
  );
}

/** One key; revoking asks first: a pipeline that uses the key stops at its next request. */
function KeyRow({ apiKey: k }: { apiKey: ApiKeysQuery['apiKeys'][number] }) {
  const { me } = useShell();
  const [revoke] = useMutation(RevokeApiKeyDocument, { refetchQueries: ['ApiKeys'], awaitRefetchQueries: true });
  // Revoked, the row loses its buttons: the list's heading takes the focus.
  const doRevoke = useAction(async () => {
    await revoke({ variables: { id: k.id } });
    focusCardHeading('key-list');
  });
  return (
    <li className="list-row" data-testid="api-key">
      <div className="stack">
        <div>
          <strong>{k.name}</strong> <code>{k.prefix}…</code> {k.revokedAt && <span className="tag">revoked</span>}
          <div className="muted small">
            {k.scopes.join(', ')} · created {formatDateTime(k.createdAt, me.timezone)} · last used {k.lastUsedAt ? formatDateTime(k.lastUsedAt, me.timezone) : 'never'}
          </div>
        </div>
        {!k.revokedAt && (
          <ConfirmedAction
            trigger="Revoke"
            triggerLabel={`Revoke ${k.name}`}
            group={`Confirm revoking ${k.name}`}
            question={`Revoke ${k.name}? Anything using it is refused from its next request.`}
            confirm="Yes, revoke"
            keep="Keep it"
            pending={doRevoke.pending}
            onConfirm={() => void doRevoke.run()}
          />
        )}
        <ErrorMessage error={doRevoke.error} />
      </div>
    </li>
  );
}
