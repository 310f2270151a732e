import { formatPath, keyElement } from './field-path.js';
import { FieldSet } from './field-set.js';

describe('FieldSet', () => {
  const fieldsV1 = {
    'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
    'f:spec': {
      'f:containers': {
        'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } } },
      },
      'f:finalizers': { 'v:"a"': {} },
    },
  };

  it('round-trips FieldsV1 exactly', () => {
    expect(FieldSet.fromFieldsV1(fieldsV1).toFieldsV1()).toEqual(fieldsV1);
    expect(JSON.stringify(FieldSet.fromFieldsV1(fieldsV1).toFieldsV1())).toBe(JSON.stringify(fieldsV1));
  });

  it.each([
    [['f:spec', 'f:replicas'], '.spec.replicas'],
    [['f:spec', 'f:containers', 'k:{"name":"web"}', 'f:image'], '.spec.containers[name="web"].image'],
    [['f:spec', 'f:ports', 'k:{"containerPort":80,"protocol":"TCP"}'], '.spec.ports[containerPort=80,protocol="TCP"]'],
    [['f:metadata', 'f:finalizers', 'v:"example.com/x"'], '.metadata.finalizers[="example.com/x"]'],
    [['f:spec', 'f:args', 'i:2'], '.spec.args[2]'],
  ])('formats %j as %s', (path, expected) => {
    expect(formatPath(path)).toBe(expected);
  });

  it('sorts key fields by name, as upstream serialises them', () => {
    expect(keyElement({ protocol: 'UDP', containerPort: 53 }, ['containerPort', 'protocol'])).toBe('k:{"containerPort":53,"protocol":"UDP"}');
  });

  it('computes union, difference, intersection and prefix membership', () => {
    const a = FieldSet.fromPaths([['f:spec', 'f:replicas'], ['f:spec', 'f:paused'], ['f:metadata', 'f:labels', 'f:app']]);
    const b = FieldSet.fromPaths([['f:spec', 'f:replicas'], ['f:data', 'f:x']]);
    expect(a.intersection(b).paths()).toEqual([['f:spec', 'f:replicas']]);
    expect(a.difference(b).paths()).toEqual([['f:metadata', 'f:labels', 'f:app'], ['f:spec', 'f:paused']]);
    expect(a.union(b).paths()).toHaveLength(4);
    expect(a.hasPrefix(['f:metadata', 'f:labels'])).toBe(true);
    expect(a.has(['f:metadata', 'f:labels'])).toBe(false);
    expect(a.hasPrefix(['f:status'])).toBe(false);
  });
});
