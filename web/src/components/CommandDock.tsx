import { useShell } from '../lib/shell';
import { PersonaSelect } from './PersonaSelect';

/** The top bar's persona selector ("CommandDock"): all synfluencers or one active persona (an archived one only while it is the scope); shared with the usage card. */
export function CommandDock() {
  const { me, scope, setScope } = useShell();
  return (
    <div className="command-dock">
      <PersonaSelect id="command-dock" label="Persona" personas={me.synfluencers} value={scope} onChange={setScope} testId="command-dock" />
    </div>
  );
}
