import { SimulatedCluster } from '../store/simulated-cluster.js';
import type { ClusterWatchEvent, KubeObject } from '@flotilla/cluster-client';
import { InMemoryClusterClient } from './in-memory-cluster-client.js';

async function until(check: () => boolean, what: string, deadlineMs = 2000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

const desired = (replicas: number): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'api', namespace: 'shop', labels: { 'flotilla.dev/bundle': 'shop' } },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'api' } },
    template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'api', image: 'api:1' }] } },
  },
});

describe('InMemoryClusterClient', () => {
  let cluster: SimulatedCluster;
  let client: InMemoryClusterClient;

  beforeEach(async () => {
    cluster = new SimulatedCluster();
    client = new InMemoryClusterClient(cluster);
    await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }, { fieldManager: 'flotilla' });
  });
  afterEach(() => cluster.close());

  it('discovers built-in kinds with their scope', async () => {
    const resources = await client.discover();
    expect(resources.find((r) => r.kind === 'Deployment' && r.group === 'apps')).toMatchObject({ plural: 'deployments', namespaced: true, subresources: ['scale', 'status'] });
    expect(resources.find((r) => r.kind === 'ClusterRoleBinding')?.namespaced).toBe(false);
  });

  it('applies, gets, lists with type metadata, and deletes', async () => {
    const applied = await client.apply(desired(2), { fieldManager: 'flotilla' });
    expect(applied.metadata.generation).toBe(1);
    applied.metadata.name = 'mutated-copy';
    expect((await client.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'api' }))?.metadata.name).toBe('api');
    const list = await client.list('apps/v1', 'Deployment', { namespace: 'shop', labelSelector: 'flotilla.dev/bundle=shop' });
    expect(list.items.map((o) => [o.apiVersion, o.kind, o.metadata.name])).toEqual([['apps/v1', 'Deployment', 'api']]);
    expect(await client.delete({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'api' })).toBe('deleted');
    expect(await client.delete({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'api' })).toBe('absent');
    expect(await client.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'api' })).toBeUndefined();
  });

  it('shows drift the way the agent finds it: a forced dry-run apply differs from live after a kubectl edit', async () => {
    await client.apply(desired(2), { fieldManager: 'flotilla' });
    const deployments = cluster.resource('apps', 'v1', 'deployments');
    cluster.patch({ type: deployments, namespace: 'shop', name: 'api' }, 'strategic', { spec: { replicas: 9 } }, { fieldManager: 'kubectl-edit' });
    const live = (await client.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'api' }))!;
    expect((live['spec'] as { replicas: number }).replicas).toBe(9);
    expect(live.metadata.managedFields?.map((m) => (m as { manager: string }).manager)).toEqual(['flotilla', 'kubectl-edit']);
    const preview = await client.apply(desired(2), { fieldManager: 'flotilla', force: true, dryRun: true });
    expect((preview['spec'] as { replicas: number }).replicas).toBe(2);
    expect(((await client.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'api' }))!['spec'] as { replicas: number }).replicas).toBe(9);
    await expect(client.apply(desired(2), { fieldManager: 'flotilla' })).rejects.toMatchObject({ code: 409, message: 'Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.replicas' });
  });

  it('watches asynchronously and reports a too-old resourceVersion as an ERROR event', async () => {
    const events: ClusterWatchEvent[] = [];
    const watch = client.watch('v1', 'ConfigMap', { namespace: 'shop', labelSelector: 'test=watch' }, (e) => events.push(e));
    cluster.create({ type: cluster.resource('', 'v1', 'configmaps'), namespace: 'shop' }, { metadata: { name: 'c', labels: { test: 'watch' } }, data: { a: '1' } });
    expect(events).toHaveLength(0); // not delivered inside the write: handlers may write back safely
    await until(() => events.length === 1, 'the ADDED event');
    expect(events[0]).toMatchObject({ type: 'ADDED', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } } });
    watch.stop();
    await watch.closed;
    cluster.state.hub.compact(cluster.state.resourceVersion);
    const errors: ClusterWatchEvent[] = [];
    const stale = client.watch('v1', 'ConfigMap', { namespace: 'shop', resourceVersion: '1' }, (e) => errors.push(e));
    await stale.closed;
    expect(errors.map((e) => [e.type, (e.object as unknown as { code: number }).code])).toEqual([['ERROR', 410]]);
  });
});
