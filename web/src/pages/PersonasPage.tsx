import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '@apollo/client/react';
import { ArchivePersonaDocument, CreatePersonaDocument, PersonasDocument, RenamePersonaDocument, type PersonasQuery } from '../gql/graphql';
import { Card, ConfirmedAction, Empty, ErrorMessage, focusCardHeading, Loading, Notice, useAction } from '../components/ui';
import { useShell, useTitle } from '../lib/shell';
import { formatDate } from '../lib/time';

type Persona = PersonasQuery['me']['synfluencers'][number];
/** After a change, the top bar's persona list (Shell) follows too. */
const REFRESH = { refetchQueries: ['Personas', 'Shell'], awaitRefetchQueries: true };

/** Personas ("synfluencers"): list, create, rename, archive. They share the account's one wallet. */
export function PersonasPage() {
  useTitle('Personas');
  const { data, error } = useQuery(PersonasDocument);
  const [showArchived, setShowArchived] = useState(false);
  const all = data?.me.synfluencers ?? [];
  const shown = all.filter((p) => showArchived || !p.archived);
  return (
    <div className="page">
      <h1 tabIndex={-1}>Personas</h1>
      <div className="grid">
        <CreatePersona />
        <Card id="persona-list" title="Your personas">
          <label className="check">
            <input type="checkbox" checked={showArchived} onChange={(e) => setShowArchived(e.target.checked)} />
            <span>Show archived</span>
          </label>
          {!data ? error ? <ErrorMessage error={error} /> : <Loading /> : shown.length === 0 ? <Empty>No personas yet. Create one to track its usage on its own.</Empty> : null}
          <ul className="list">
            {shown.map((p) => (
              <PersonaRow key={p.id} persona={p} />
            ))}
          </ul>
        </Card>
      </div>
    </div>
  );
}

function CreatePersona() {
  const [name, setName] = useState('');
  const [handle, setHandle] = useState('');
  const [platforms, setPlatforms] = useState('');
  const [created, setCreated] = useState<string | null>(null);
  const [create] = useMutation(CreatePersonaDocument, REFRESH);
  const save = useAction(async () => {
    const list = platforms.split(',').map((p) => p.trim()).filter(Boolean);
    await create({ variables: { input: { name: name.trim(), handle: handle.trim(), platforms: list } } });
    setCreated(`${name.trim()} was created.`);
    setName('');
    setHandle('');
    setPlatforms('');
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setCreated(null);
    void save.run();
  };
  return (
    <Card id="create-persona" title="Create a persona">
      <form className="stack" onSubmit={submit}>
        <label className="field">
          <span>Name</span>
          <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} />
        </label>
        <label className="field">
          <span>Handle</span>
          {/* The server's limit: 64 characters and an optional leading "@". */}
          <input value={handle} onChange={(e) => setHandle(e.target.value)} required maxLength={65} placeholder="@handle" />
        </label>
        <label className="field">
          <span>Platforms (comma-separated)</span>
          <input value={platforms} onChange={(e) => setPlatforms(e.target.value)} placeholder="tiktok, instagram" />
        </label>
        <ErrorMessage error={save.error} />
        {created && <Notice tone="success">{created}</Notice>}
        <div className="row">
          <button type="submit" className="primary" aria-disabled={save.pending}>
            Create persona
          </button>
        </div>
      </form>
    </Card>
  );
}

function PersonaRow({ persona }: { persona: Persona }) {
  const { me } = useShell();
  const [editing, setEditing] = useState(false);
  // After a rename ends (saved or cancelled) the Rename button that opened it takes the focus back.
  const [renamed, setRenamed] = useState(false);
  const [name, setName] = useState(persona.name);
  const [rename] = useMutation(RenamePersonaDocument, REFRESH);
  const [archive] = useMutation(ArchivePersonaDocument, REFRESH);
  const startRename = () => {
    setName(persona.name); // never an abandoned draft
    setEditing(true);
  };
  const stopRename = () => {
    setEditing(false);
    setRenamed(true);
  };
  const saveName = useAction(async () => {
    await rename({ variables: { id: persona.id, input: { name: name.trim() } } });
    stopRename();
  });
  // The row loses its buttons (or goes, archived ones being hidden): the list's heading takes the focus.
  const doArchive = useAction(async () => {
    await archive({ variables: { id: persona.id } });
    focusCardHeading('persona-list');
  });
  return (
    <li className="list-row persona" data-testid="persona">
      {editing ? (
        <form
          className="row wrap"
          onSubmit={(e) => {
            e.preventDefault();
            void saveName.run();
          }}
          onKeyDown={(e) => {
            if (e.key === 'Escape') stopRename();
          }}
        >
          <label className="field">
            <span>New name for {persona.name}</span>
            <input value={name} onChange={(e) => setName(e.target.value)} autoFocus required maxLength={100} />
          </label>
          <button type="submit" aria-disabled={saveName.pending}>
            Save
          </button>
          <button type="button" className="link-button" onClick={stopRename}>
            Cancel
          </button>
        </form>
      ) : (
        <div className="persona-info">
          <strong>{persona.name}</strong> <span className="muted">{persona.handle}</span>
          {persona.archived && <span className="tag">archived</span>}
          <div className="muted small">
            {persona.platforms.length ? persona.platforms.join(', ') : 'no platforms'} · since {formatDate(persona.createdAt, me.timezone)}
          </div>
        </div>
      )}
      {!persona.archived && !editing && (
        <div className="row wrap">
          <button type="button" onClick={startRename} autoFocus={renamed} aria-label={`Rename ${persona.name}`}>
            Rename
          </button>
          <ConfirmedAction
            trigger="Archive"
            triggerLabel={`Archive ${persona.name}`}
            group={`Confirm archiving ${persona.name}`}
            question={`Archive ${persona.name}? Its history stays.`}
            confirm="Yes, archive"
            keep="Keep"
            pending={doArchive.pending}
            onConfirm={() => void doArchive.run()}
          />
        </div>
      )}
      <ErrorMessage error={saveName.error ?? doArchive.error} />
    </li>
  );
}
