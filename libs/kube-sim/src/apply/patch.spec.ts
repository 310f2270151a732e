import type { JsonObject } from '../fields/json-value.util.js';
import { ResourceCatalog } from '../schema/resource-catalog.js';
import { KubeApiError } from '../store/api-status.error.js';
import { applyJsonPatch } from './json-patch.js';
import { applyMergePatch } from './merge-patch.js';
import { applyStrategicMergePatch } from './strategic-merge-patch.js';

const podSchema = new ResourceCatalog().get('', 'v1', 'pods')!.schema;

const pod = (): JsonObject => ({
  metadata: { name: 'p', labels: { a: '1', b: '2' }, finalizers: ['x'] },
  spec: {
    containers: [
      { name: 'web', image: 'nginx:1', env: [{ name: 'A', value: '1' }] },
      { name: 'side', image: 'envoy:1' },
    ],
    tolerations: [{ key: 'k', operator: 'Exists' }],
  },
});

describe('merge patch (RFC 7386)', () => {
  it.each([
    [{ metadata: { labels: { a: null, c: '3' } } }, { a: undefined, b: '2', c: '3' }],
    [{ metadata: { labels: null } }, undefined],
  ])('applies %j', (patch, labels) => {
    const out = applyMergePatch(pod(), patch) as JsonObject;
    expect((out['metadata'] as JsonObject)['labels']).toEqual(labels === undefined ? undefined : JSON.parse(JSON.stringify(labels)));
  });

  it('replaces lists whole', () => {
    const out = applyMergePatch(pod(), { spec: { containers: [{ name: 'only' }] } }) as JsonObject;
    expect((out['spec'] as JsonObject)['containers']).toEqual([{ name: 'only' }]);
  });
});

describe('JSON patch (RFC 6902)', () => {
  it('applies add, replace, remove, move, copy and test in order', () => {
    const out = applyJsonPatch(pod(), [
      { op: 'test', path: '/metadata/name', value: 'p' },
      { op: 'replace', path: '/spec/containers/0/image', value: 'nginx:2' },
      { op: 'add', path: '/metadata/labels/c~1d', value: '3' },
      { op: 'remove', path: '/metadata/labels/a' },
      { op: 'copy', from: '/metadata/labels/b', path: '/metadata/labels/e' },
      { op: 'move', from: '/metadata/labels/e', path: '/metadata/labels/f' },
      { op: 'add', path: '/metadata/finalizers/-', value: 'y' },
    ]) as JsonObject;
    expect((out['metadata'] as JsonObject)['labels']).toEqual({ b: '2', 'c/d': '3', f: '2' });
    expect((out['metadata'] as JsonObject)['finalizers']).toEqual(['x', 'y']);
    expect(((out['spec'] as JsonObject)['containers'] as JsonObject[])[0]!['image']).toBe('nginx:2');
  });

  it.each([
    [[{ op: 'test', path: '/metadata/name', value: 'q' }], 422],
    [[{ op: 'remove', path: '/metadata/missing' }], 422],
    [[{ op: 'replace', path: '/nope/x', value: 1 }], 422],
    [{ op: 'add' }, 400],
    [[{ op: 'frobnicate', path: '/a' }], 400],
  ])('rejects %j with %i', (ops, code) => {
    let error: unknown;
    try {
      applyJsonPatch(pod(), ops as never);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(KubeApiError);
    expect((error as KubeApiError).code).toBe(code);
  });
});

describe('strategic merge patch', () => {
  const containers = (o: JsonObject): JsonObject[] => (o['spec'] as JsonObject)['containers'] as JsonObject[];

  it('merges containers by name and env by name, keeping the others', () => {
    const out = applyStrategicMergePatch(pod(), { spec: { containers: [{ name: 'web', image: 'nginx:2', env: [{ name: 'B', value: '2' }] }] } }, podSchema) as JsonObject;
    expect(containers(out).map((c) => [c['name'], c['image']])).toEqual([
      ['web', 'nginx:2'],
      ['side', 'envoy:1'],
    ]);
    expect(containers(out)[0]!['env']).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: '2' },
    ]);
  });

  it('deletes an item with $patch: delete and replaces atomic lists', () => {
    const out = applyStrategicMergePatch(pod(), { spec: { containers: [{ name: 'side', $patch: 'delete' }], tolerations: [{ key: 'z', operator: 'Exists' }] } }, podSchema) as JsonObject;
    expect(containers(out).map((c) => c['name'])).toEqual(['web']);
    expect((out['spec'] as JsonObject)['tolerations']).toEqual([{ key: 'z', operator: 'Exists' }]);
  });

  it('unions primitive merge lists, deletes from them, and honours $setElementOrder and null', () => {
    const out = applyStrategicMergePatch(
      pod(),
      {
        metadata: { finalizers: ['y'], labels: { a: null } },
        spec: { '$setElementOrder/containers': [{ name: 'side' }, { name: 'web' }] },
      },
      podSchema,
    ) as JsonObject;
    expect((out['metadata'] as JsonObject)['finalizers']).toEqual(['x', 'y']);
    expect((out['metadata'] as JsonObject)['labels']).toEqual({ b: '2' });
    expect(containers(out).map((c) => c['name'])).toEqual(['side', 'web']);
    const removed = applyStrategicMergePatch(pod(), { metadata: { '$deleteFromPrimitiveList/finalizers': ['x'] } }, podSchema) as JsonObject;
    expect((removed['metadata'] as JsonObject)['finalizers']).toEqual([]);
  });
});
