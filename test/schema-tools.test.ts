import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

/** The schema guards npm test runs (scripts/), checked against fixtures that must fail. */
const root = path.resolve(__dirname, '..');
const run = (script: string, ...args: string[]) => {
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', script), ...args], { cwd: root, encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
};
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'schema-tools-'));
const write = (name: string, sdl: string) => {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, sdl);
  return file;
};
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const described = `
"""Reads."""
type Query {
  """The answer."""
  answer(
    """How precise."""
    digits: Int
  ): Answer
}

"""An answer."""
type Answer {
  """Its value."""
  value: Int!
  """How sure."""
  confidence: Confidence!
}

"""How sure an answer is."""
enum Confidence {
  """Proven."""
  SURE
  """A guess."""
  GUESS
}
`;

describe('schema linter (npm run schema:lint)', () => {
  it('passes on the served schema: every element is described', () => {
    const r = run('schema-lint.mjs', 'schema/schema.graphql');
    expect(r.out).toContain('is described');
    expect(r.status).toBe(0);
  });

  it('fails on an undescribed type, field, argument, input field or enum value, naming each', () => {
    const file = write(
      'undescribed.graphql',
      `type Query { answer(digits: Int): Answer }
       type Answer { value: Int! }
       input Filter { min: Int }
       enum Confidence { SURE }`,
    );
    const r = run('schema-lint.mjs', file);
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/"Answer"/);
    expect(r.out).toMatch(/"digits"/);
    expect(r.out).toMatch(/"min"/);
    expect(r.out).toMatch(/"SURE"/);
    expect(r.out).toMatch(/missing description/);
  });
});

describe('schema evolution guard (npm run schema:diff)', () => {
  it('passes the served schema against the released one (no breaking change)', () => {
    const r = run('schema-diff.mjs', 'schema/released.graphql', 'schema/schema.graphql');
    expect(r.out).toContain('0 breaking');
    expect(r.status).toBe(0);
  });

  it('accepts additions and fails on removed fields, enum values and new required arguments', () => {
    const released = write('released.graphql', described);
    const added = write('added.graphql', described.replace('"""How sure."""', '"""Where from."""\n  source: String\n  """How sure."""'));
    expect(run('schema-diff.mjs', released, added).status).toBe(0);

    const removedField = write('removed.graphql', described.replace(/"""How sure\."""\s*confidence: Confidence!/, ''));
    const r = run('schema-diff.mjs', released, removedField);
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/BREAKING: Field 'confidence' was removed/);
    expect(r.out).toContain('npm run schema:release');

    const removedValue = write('removed-value.graphql', described.replace(/"""A guess\."""\s*GUESS/, ''));
    expect(run('schema-diff.mjs', released, removedValue).status).toBe(1);

    const requiredArg = write('required-arg.graphql', described.replace('digits: Int', 'digits: Int!'));
    expect(run('schema-diff.mjs', released, requiredArg).status).toBe(1);
  });
});

describe('schema release (npm run schema:release)', () => {
  it('moves the released schema and dates the Unreleased changelog section', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'release-'));
    fs.mkdirSync(path.join(dir, 'schema'));
    fs.writeFileSync(path.join(dir, 'schema', 'schema.graphql'), described);
    fs.writeFileSync(path.join(dir, 'schema', 'released.graphql'), 'type Query { old: Int }');
    fs.writeFileSync(path.join(dir, 'CHANGELOG.md'), '# API changelog\n\n## Unreleased\n\n- Added `answer`.\n\n## 1.0.0 (2026-01-01)\n\n- First release.\n');
    const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'schema-release.mjs'), '1.1.0'], { cwd: dir, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'schema', 'released.graphql'), 'utf8')).toBe(described);
    const changelog = fs.readFileSync(path.join(dir, 'CHANGELOG.md'), 'utf8');
    expect(changelog).toMatch(/## Unreleased\n\n## 1\.1\.0 \(\d{4}-\d{2}-\d{2}\)\n\n- Added `answer`\.\n\n## 1\.0\.0/);
    const again = spawnSync(process.execPath, [path.join(root, 'scripts', 'schema-release.mjs'), '1.1.0'], { cwd: dir, encoding: 'utf8' });
    expect(again.status).toBe(1);
  });
});
