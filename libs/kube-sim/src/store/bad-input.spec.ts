import type { JsonValue } from '../fields/json-value.util.js';
import { KubeApiError } from './api-status.error.js';
import type { ObjectRef, PatchType } from './api-request.js';
import { SimulatedCluster } from './simulated-cluster.js';

/** Bodies a careless or hostile client might send; every verb must answer them with a Status, never a crash. */
const BODIES: JsonValue[] = [
  null,
  42,
  'text',
  [],
  [1, 2],
  {},
  { metadata: 'x' },
  { metadata: { name: 7 } },
  { metadata: { name: 'ok', labels: ['a'] } },
  { metadata: { name: 'ok', labels: { a: { b: 1 } } } },
  { metadata: { name: 'ok', annotations: 3 } },
  { metadata: { name: 'ok', finalizers: 'x' } },
  { metadata: { name: 'ok', ownerReferences: [null, 3] } },
  { metadata: { name: 'ok', managedFields: [{ manager: 1 }, 'x', null] } },
  { metadata: { name: 'ok' }, spec: 5 },
  { metadata: { name: 'ok' }, spec: { template: 'x', selector: [] } },
  { metadata: { name: 'ok' }, spec: { template: { spec: { containers: [null, 'c', { name: 1, ports: 'p' }] } } } },
  { metadata: { name: 'ok' }, spec: { template: { spec: { containers: [{ name: 'c', ports: [{ containerPort: 'x' }, null] }] } } } },
  { apiVersion: 5, kind: [], metadata: { name: 'ok' } },
  { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'ok', namespace: 5 } },
  { metadata: { name: 'ok' }, data: [1], status: 'nope' },
];

describe('bad input', () => {
  let cluster: SimulatedCluster;
  let targets: ObjectRef[];
  beforeEach(() => {
    cluster = new SimulatedCluster({ controllerDelayMs: 0 });
    targets = [
      { type: cluster.resource('apps', 'v1', 'deployments'), namespace: 'default', name: 'ok' },
      { type: cluster.resource('', 'v1', 'configmaps'), namespace: 'default', name: 'ok' },
      { type: cluster.resource('', 'v1', 'services'), namespace: 'default', name: 'ok' },
      { type: cluster.resource('apiextensions.k8s.io', 'v1', 'customresourcedefinitions'), name: 'ok' },
    ];
  });
  afterEach(() => cluster.close());

  function onlyStatusErrors(action: () => unknown): void {
    try {
      action();
    } catch (err) {
      if (!(err instanceof KubeApiError)) throw err;
      expect(err.status.kind).toBe('Status');
      expect(err.status.code).toBeGreaterThanOrEqual(400);
    }
  }

  it.each(BODIES.map((b) => [JSON.stringify(b), b]))('answers %s with a Status on every verb', (_label, body) => {
    for (const ref of targets) {
      onlyStatusErrors(() => cluster.create({ ...ref, name: undefined }, body));
      for (const patchType of ['apply', 'merge', 'strategic', 'json'] as PatchType[]) {
        onlyStatusErrors(() => cluster.patch(ref, patchType, body, { fieldManager: 'fuzz' }));
      }
      onlyStatusErrors(() => cluster.update(ref, body));
    }
  });
});
