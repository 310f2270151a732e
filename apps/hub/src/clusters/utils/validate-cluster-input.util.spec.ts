import { ClusterException } from '../cluster.exception.js';
import { validateClusterLabels, validateClusterName, validateClusterVars } from './validate-cluster-input.util.js';

describe('cluster input validation', () => {
  it.each(['prod-eu-1', 'a', 'x'.repeat(63)])('accepts the name %j', (name) => expect(validateClusterName(name)).toBe(name));
  it.each(['', 'Prod', '-a', 'a_b', 'x'.repeat(64), 'a.b', '../etc'])('refuses the name %j', (name) => {
    expect(() => validateClusterName(name)).toThrow(ClusterException);
  });

  it('accepts Kubernetes labels', () => {
    expect(validateClusterLabels([{ key: 'env', value: 'prod' }, { key: 'topology.kubernetes.io/region', value: 'eu-west-1' }, { key: 'empty', value: '' }])).toEqual({
      env: 'prod',
      'topology.kubernetes.io/region': 'eu-west-1',
      empty: '',
    });
  });

  it.each([
    [[{ key: 'bad key', value: 'x' }], 'label key "bad key"'],
    [[{ key: 'ok', value: 'has\nnewline' }], 'label value'],
    [[{ key: 'a', value: '1' }, { key: 'a', value: '2' }], 'key "a" given twice'],
    [Array.from({ length: 65 }, (_, i) => ({ key: `k${i}`, value: 'v' })), 'at most 64'],
  ])('refuses labels %#', (labels, message) => {
    expect(() => validateClusterLabels(labels)).toThrow(message);
  });

  it('bounds vars', () => {
    expect(validateClusterVars({ domain: 'x', nested: { a: [1] } })).toEqual({ domain: 'x', nested: { a: [1] } });
    expect(() => validateClusterVars([1])).toThrow('expected a JSON object');
    expect(() => validateClusterVars({ big: 'x'.repeat(70_000) })).toThrow('over the limit');
  });
});
