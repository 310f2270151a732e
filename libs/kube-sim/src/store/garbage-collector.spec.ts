import type { JsonObject } from '../fields/json-value.util.js';
import type { ObjectRef } from './api-request.js';
import { SimulatedCluster } from './simulated-cluster.js';

async function until(check: () => boolean, what: string, deadlineMs = 2000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

describe('garbage collection of dependents', () => {
  let cluster: SimulatedCluster;
  let cm: ObjectRef;
  beforeEach(() => {
    cluster = new SimulatedCluster();
    cm = { type: cluster.resource('', 'v1', 'configmaps'), namespace: 'default' };
  });
  afterEach(() => cluster.close());

  const exists = (name: string): boolean => (cluster.list(cm, { fieldSelector: `metadata.name=${name}` })['items'] as unknown[]).length > 0;

  function family(): void {
    const owner = cluster.create(cm, { metadata: { name: 'owner' } }).object;
    const uid = (owner['metadata'] as JsonObject)['uid'];
    for (const name of ['child-a', 'child-b']) {
      cluster.create(cm, { metadata: { name, ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid }] } });
    }
  }

  it.each([
    ['Background', false],
    ['Foreground', false],
    ['Orphan', true],
  ] as const)('%s deletion: dependents kept=%s', async (policy, kept) => {
    family();
    const result = cluster.delete({ ...cm, name: 'owner' }, { propagationPolicy: policy });
    expect(result.finished).toBe(policy === 'Background');
    if (policy === 'Foreground') expect((result.object['metadata'] as JsonObject)['finalizers']).toEqual(['foregroundDeletion']);
    await until(() => !exists('owner'), 'the owner to go');
    await until(() => exists('child-a') === kept && exists('child-b') === kept, 'dependents to settle');
    if (kept) {
      const child = cluster.get({ ...cm, name: 'child-a' });
      expect((child['metadata'] as JsonObject)['ownerReferences']).toBeUndefined();
    }
  });
});
