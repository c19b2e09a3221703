import path from 'node:path';
import { spawnSync } from 'node:child_process';

/**
 * The typed documents in test/generated and examples/generated are exactly what
 * `npm run codegen` produces from codegen.yml, the schema and the operations (they compile
 * under --strict: `npm run typecheck`). A partner copying codegen.yml gets the same result.
 */
describe('codegen output (codegen.yml)', () => {
  const root = path.resolve(__dirname, '..');
  const check = () =>
    spawnSync(path.join(root, 'node_modules/.bin/graphql-codegen'), ['--config', 'codegen.yml', '--check'], { cwd: root, encoding: 'utf8', env: { ...process.env, CI: 'true' } });

  it('is up to date with the schema and the operations (otherwise run `npm run codegen`)', () => {
    const r = check();
    expect(`${r.stdout}${r.stderr}`).not.toContain('stale files');
    expect(r.status).toBe(0);
  });
});
