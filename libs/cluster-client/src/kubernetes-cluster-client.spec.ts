import { KubeSimServer } from '@flotilla/kube-sim';
import type { ClusterWatchEvent, KubeObject } from './cluster-client.js';
import { ClusterApiError } from './cluster-api.error.js';
import { KubernetesClusterClient } from './kubernetes-cluster-client.js';

async function until(check: () => boolean | Promise<boolean>, what: string, deadlineMs = 5000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const deployment = (replicas: number): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'api', namespace: 'shop' },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'api' } },
    template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'api', image: 'api:1' }] } },
  },
});

const key = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'api' };

describe('KubernetesClusterClient against kube-sim over HTTPS', () => {
  let server: KubeSimServer;
  let client: KubernetesClusterClient;

  beforeAll(async () => {
    server = await KubeSimServer.start({ watchWindow: 50, simulatePods: false });
    client = KubernetesClusterClient.create({ kubeconfigPath: server.kubeconfigPath });
    await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }, { fieldManager: 'flotilla' });
  });
  afterAll(async () => {
    await client.close();
    await server.close();
  });

  it('discovers kinds with their scope, CRD-defined kinds included once established', async () => {
    const resources = await client.discover();
    expect(resources.find((r) => r.kind === 'Deployment' && r.group === 'apps')).toMatchObject({ plural: 'deployments', namespaced: true });
    expect(resources.find((r) => r.kind === 'Deployment')?.subresources).toEqual(expect.arrayContaining(['scale', 'status']));
    expect(resources.find((r) => r.kind === 'Namespace')?.namespaced).toBe(false);
  });

  it('server-side applies, dry-runs, gets, lists with type metadata and deletes', async () => {
    const dry = await client.apply(deployment(2), { fieldManager: 'flotilla', dryRun: true });
    expect(dry.metadata.name).toBe('api');
    expect(await client.get(key)).toBeUndefined();
    const created = await client.apply(deployment(2), { fieldManager: 'flotilla' });
    expect(created.metadata.generation).toBe(1);
    expect(created.metadata.managedFields).toEqual([expect.objectContaining({ manager: 'flotilla', operation: 'Apply' })]);
    // Timestamps stay strings: objects are plain JSON, not client-node models.
    expect(typeof created.metadata['creationTimestamp']).toBe('string');
    const list = await client.list('apps/v1', 'Deployment', { namespace: 'shop' });
    expect(list.items.map((o) => [o.apiVersion, o.kind, o.metadata.name])).toEqual([['apps/v1', 'Deployment', 'api']]);
    expect(Number(list.resourceVersion)).toBeGreaterThan(0);
    expect(await client.delete(key)).toBe('deleted');
    expect(await client.delete(key)).toBe('absent');
  });

  it('reports a conflict with another manager as a 409 in upstream wording, and force takes the field', async () => {
    await client.apply(deployment(2), { fieldManager: 'flotilla' });
    await client.apply({ ...deployment(5), spec: { replicas: 5 } }, { fieldManager: 'other', force: true });
    const conflict = await client.apply(deployment(3), { fieldManager: 'flotilla' }).catch((err: unknown) => err);
    expect(conflict).toBeInstanceOf(ClusterApiError);
    expect(conflict).toMatchObject({ code: 409, message: 'Apply failed with 1 conflict: conflict with "other": .spec.replicas' });
    const forced = await client.apply(deployment(3), { fieldManager: 'flotilla', force: true });
    expect((forced['spec'] as { replicas: number }).replicas).toBe(3);
    await client.delete(key);
  });

  it('keeps one keep-alive connection pool instead of a TLS connection per request', async () => {
    const sockets = (server as unknown as { sockets: Set<unknown> }).sockets;
    await client.get(key);
    const before = sockets.size;
    for (let i = 0; i < 30; i++) await client.get(key);
    // A connection per request would add 30; a pool adds none (a little slack for idle sockets closing late).
    expect(sockets.size).toBeLessThan(before + 5);
  });

  it('watches across dropped streams and relists after 410 Expired without losing a change', async () => {
    const events: ClusterWatchEvent[] = [];
    const watch = client.watch('v1', 'ConfigMap', { namespace: 'shop', labelSelector: 'watch=yes' }, (e) => events.push(e));
    const cm = (name: string, value: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'shop', labels: { watch: 'yes' } }, data: { v: value } });
    const seen = (type: string, name: string): boolean => events.some((e) => e.type === type && e.object.metadata.name === name);
    try {
      await client.apply(cm('a', '1'), { fieldManager: 'test' });
      await until(() => seen('ADDED', 'a'), 'ADDED a');
      expect(events[0]!.object).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap' });
      server.dropWatches();
      await client.apply(cm('b', '1'), { fieldManager: 'test' });
      await until(() => seen('ADDED', 'b'), 'ADDED b after a dropped stream');

      // Lose the history while no stream is open: the resumed watch gets 410 and must relist.
      await until(() => server.dropWatches() > 0, 'an open stream to drop');
      server.faults.outage();
      await client.apply(cm('c', '1'), { fieldManager: 'test' }).catch(() => undefined);
      server.faults.recover();
      await client.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name: 'a' });
      await client.apply(cm('c', '1'), { fieldManager: 'test' });
      server.cluster.state.hub.compact(server.cluster.state.resourceVersion);
      server.dropWatches();
      await until(() => seen('DELETED', 'a') && seen('ADDED', 'c'), 'the deletion and the creation across the 410 relist', 8000);
    } finally {
      watch.stop();
      await watch.closed;
    }
  });
});
