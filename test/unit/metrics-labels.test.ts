import { OperationNameLabels } from '../../src/modules/metrics/operation-names';
import { routeOf } from '../../src/modules/metrics/http-labels';

describe('operation-name labels', () => {
  it('admits the first names up to the cap, then answers "(other)" for every new one', () => {
    const labels = new OperationNameLabels([], 3);
    expect(['A', 'B', 'C', 'D', 'A', 'E'].map((name) => labels.labelOf(name))).toEqual(['A', 'B', 'C', '(other)', 'A', '(other)']);
    expect(labels.size).toBe(3);
  });

  it('a caller that may not admit (unauthenticated) gets "(other)" for a new name but the label of a known one', () => {
    const labels = new OperationNameLabels([], 3);
    expect(labels.labelOf('Known')).toBe('Known');
    expect(labels.labelOf('Junk1', false)).toBe('(other)');
    expect(labels.labelOf('Known', false)).toBe('Known');
    expect(labels.size).toBe(1);
  });

  it('with a fixed list, only its names are labels', () => {
    const labels = new OperationNameLabels(['ChargeUsage'], 100);
    expect(labels.labelOf('ChargeUsage')).toBe('ChargeUsage');
    expect(labels.labelOf('Other1')).toBe('(other)');
    expect(labels.size).toBe(1);
  });

  it('names anonymous operations and cuts very long names', () => {
    const labels = new OperationNameLabels([], 10);
    expect(labels.labelOf(null)).toBe('(anonymous)');
    expect(labels.labelOf('x'.repeat(500))).toBe('x'.repeat(64));
  });
});

describe('route labels', () => {
  it('maps paths to a fixed set, ignoring the query string', () => {
    expect(routeOf('/graphql?query=x')).toBe('/graphql');
    expect(routeOf('/graphql/')).toBe('/graphql');
    expect(routeOf('/app/settings/keys')).toBe('/app');
    expect(routeOf('/explorer/assets/index-abc.js')).toBe('/explorer');
    expect(routeOf('/exports/usage.csv?from=2026-01-01')).toBe('/exports/usage.csv');
    expect(routeOf('/wp-admin/setup.php')).toBe('other');
    expect(routeOf('/application')).toBe('other');
    expect(routeOf(undefined)).toBe('other');
  });
});
