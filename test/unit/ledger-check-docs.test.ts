import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema } from 'graphql';

/**
 * What ledgerCheck says it checks (its description in the public SDL and the violation's
 * `invariant` field) is what ledger.verify.ts reports: the invariant numbers it can raise, each
 * with its one-line statement from docs/invariants.md. The description named #1, #2 and #6 only,
 * though #8 is checked too.
 */
const root = path.resolve(__dirname, '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

const checked = [...new Set([...read('src/modules/ledger/ledger.verify.ts').matchAll(/(?:violated\(|invariant: )(\d+)/g)].map((match) => Number(match[1])))].sort((a, b) => a - b);
const schema = buildSchema(read('schema/schema.graphql'));

describe('ledgerCheck in the schema', () => {
  it('names every invariant ledger.verify.ts checks, and no other', () => {
    expect(checked).toEqual([1, 2, 6, 8]);
    const description = schema.getQueryType()!.getFields().ledgerCheck.description!;
    const named = [...description.matchAll(/#(\d+)/g)].map((match) => Number(match[1]));
    expect([...new Set(named)].sort((a, b) => a - b)).toEqual(checked);
    expect(description).toContain('docs/invariants.md');
  });

  it('states each of them in one line, under its title in docs/invariants.md', () => {
    const description = schema.getQueryType()!.getFields().ledgerCheck.description!;
    const titles = new Map([...read('docs/invariants.md').matchAll(/^## (\d+)\. (.+)$/gm)].map((match) => [Number(match[1]), match[2].toLowerCase()]));
    for (const n of checked) {
      const line = description.split('\n').find((candidate) => candidate.startsWith(`- #${n} `));
      expect({ n, line: line?.startsWith(`- #${n} ${titles.get(n)}: `) }).toEqual({ n, line: true });
    }
  });

  it('lists the same numbers as the possible values of a violation', () => {
    const field = schema.getType('InvariantViolationType') as unknown as { getFields(): Record<string, { description?: string }> };
    const listed = [...(field.getFields().invariant.description ?? '').matchAll(/\b(\d+)\b/g)].map((match) => Number(match[1]));
    expect(listed).toEqual(checked);
  });
});
