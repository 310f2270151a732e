import type { KubeObject } from '@flotilla/cluster-client';
import { InMemoryClusterClient, SimulatedCluster } from '@flotilla/kube-sim';
import { pruneCandidates, pruneObjects } from './prune.step.js';

describe('pruneObjects', () => {
  let cluster: SimulatedCluster;
  let client: InMemoryClusterClient;
  beforeEach(async () => {
    cluster = new SimulatedCluster();
    client = new InMemoryClusterClient(cluster);
    await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app', labels: { 'flotilla.dev/bundle': 'app' } } }, { fieldManager: 'flotilla' });
  });
  afterEach(() => cluster.close());

  const put = async (name: string, labels: Record<string, string>, annotations: Record<string, string> = {}): Promise<void> => {
    const object: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'app', labels, annotations } };
    await client.apply(object, { fieldManager: 'flotilla' });
  };
  const ref = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'app', name });

  it('deletes only what still carries the bundle label, is not disabled, and no other bundle wants', async () => {
    await put('mine', { 'flotilla.dev/bundle': 'app' });
    await put('relabelled', { 'flotilla.dev/bundle': 'other' });
    await put('disabled', { 'flotilla.dev/bundle': 'app' }, { 'flotilla.dev/prune': 'disabled' });
    await put('moved', { 'flotilla.dev/bundle': 'app' });
    const results = await pruneObjects(
      { client, bundle: 'app', desiredElsewhere: (id) => (id === '/ConfigMap/app/moved' ? 'other' : undefined) },
      [ref('mine'), ref('relabelled'), ref('disabled'), ref('moved'), ref('gone'), { apiVersion: 'v1', kind: 'Namespace', namespace: '', name: 'app' }],
    );
    expect(results.map((r) => [r.ref.name, r.outcome])).toEqual([
      ['mine', 'deleted'],
      ['relabelled', 'kept'],
      ['disabled', 'kept'],
      ['moved', 'kept'],
      ['gone', 'gone'],
      ['app', 'kept'],
    ]);
    expect(results.at(-1)!.message).toBe('Namespace is not pruned without flotilla.dev/prune: enabled');
    expect(await client.get(ref('mine'))).toBeUndefined();
  });

  it('candidates are inventory entries absent from the new set', () => {
    expect(pruneCandidates([ref('a'), ref('b')], [ref('b')])).toEqual([ref('a')]);
  });
});
