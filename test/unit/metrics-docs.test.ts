import { readFileSync } from 'node:fs';
import path from 'node:path';
import { OperationNameLabels } from '../../src/modules/metrics/operation-names';

/**
 * The operators' guide says who gets an operation-name label, as OperationNameLabels decides it:
 * only authenticated callers add names; an unauthenticated caller's operation keeps its name only
 * when the name is already a label. The guide said the first N names "an instance sees" become
 * labels, whoever sent them.
 */
const root = path.resolve(__dirname, '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
const flat = (text: string) => text.replace(/\s+/g, ' ');

describe('operation-name labels in the docs', () => {
  it('docs/operations.md states the rule the code applies', () => {
    const labels = new OperationNameLabels([], 2);
    expect(labels.labelOf('Anon', false)).toBe('(other)'); // an unauthenticated caller adds no name
    expect(labels.labelOf('Known', true)).toBe('Known'); // an authenticated one does
    expect(labels.labelOf('Known', false)).toBe('Known'); // a known name labels anyone's operation

    const operations = read('docs/operations.md');
    const paragraph = flat(operations.slice(operations.indexOf('**Operation names.**'), operations.indexOf('### What to alert on')));
    expect(paragraph).toContain("only an authenticated caller's operation (a valid access token or API key) can add a name");
    expect(paragraph).toContain("An unauthenticated caller's operation is labelled by its name only when that name is already a label value");
    expect(paragraph).not.toMatch(/names an instance sees become label values/);
  });

  it('the README and docs/decisions.md say the same in short', () => {
    expect(flat(read('README.md'))).toMatch(/`METRICS_MAX_OPERATION_NAMES` .*the first N distinct validated names sent by authenticated callers/);
    expect(flat(read('docs/decisions.md'))).toContain('the first N validated names sent by authenticated callers');
  });
});
