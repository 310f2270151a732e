import { InMemoryClusterClient, SimulatedCluster } from '@flotilla/kube-sim';
import { applyPolicySchema, type KubeObject } from '@flotilla/manifest';
import type { BundleReport, DesiredBundle } from './reconciler.js';
import { SimpleReconciler } from './simple-reconciler.js';

async function until(check: () => boolean, what: string, deadlineMs = 5_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const configMap = (name: string, value: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { value } });

function desired(generation: bigint, manifests: KubeObject[], overrides: Partial<DesiredBundle> = {}): DesiredBundle {
  return { bundle: 'web', generation, hash: `sha256:${generation}`, revision: 'r', manifests, policy: applyPolicySchema.parse({}), dependsOn: [], suspend: false, ...overrides };
}

describe('SimpleReconciler', () => {
  let cluster: SimulatedCluster;
  let client: InMemoryClusterClient;
  let reconciler: SimpleReconciler;
  let reports: BundleReport[];
  const last = () => reports.at(-1);
  const settled = (generation: bigint, phase: BundleReport['phase']) => until(() => last()?.generation === generation && last()?.phase === phase, `${phase} at generation ${generation}`);

  beforeEach(async () => {
    cluster = new SimulatedCluster({ simulatePods: false });
    client = new InMemoryClusterClient(cluster);
    reconciler = new SimpleReconciler(client);
    reports = [];
    reconciler.onReport((report) => reports.push(report));
    await reconciler.start();
  });
  afterEach(async () => {
    await reconciler.stop();
    cluster.close();
  });

  it('applies with the flotilla field manager and the bundle label, and reports what changed', async () => {
    reconciler.desired(desired(1n, [configMap('a', '1'), configMap('b', '1')]));
    await settled(1n, 'Applied');
    expect(last()).toMatchObject({ health: 'Healthy', reason: '', resources: [{ kind: 'ConfigMap', name: 'a', change: 'created', version: 'v1', group: '' }, { name: 'b', change: 'created' }] });
    const live = await client.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'a' });
    expect(live?.metadata.labels).toEqual({ 'flotilla.dev/bundle': 'web' });
    expect((live?.metadata.managedFields as { manager: string; operation: string }[]).map((m) => [m.manager, m.operation])).toEqual([['flotilla', 'Apply']]);

    reconciler.desired(desired(2n, [configMap('a', '1'), configMap('b', '2')]));
    await settled(2n, 'Applied');
    expect(last()!.resources.map((r) => r.change)).toEqual(['unchanged', 'configured']);
  });

  it('reports Failed with the reason when an apply is refused', async () => {
    reconciler.desired(desired(1n, [configMap('a', '1'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b', namespace: 'missing' }, data: {} }]));
    await settled(1n, 'Failed');
    expect(last()!.reason).toContain('ConfigMap missing/b');
    expect(last()!.health).toBe('Degraded');
  });

  it('deletes what it applied on a Remove with policy delete, keeps it with orphan', async () => {
    reconciler.desired(desired(1n, [configMap('a', '1')]));
    reconciler.desired(desired(1n, [configMap('k', '1')], { bundle: 'keep' }));
    await until(() => reports.filter((r) => r.phase === 'Applied').length === 2, 'both applied');
    reconciler.remove({ bundle: 'web', generation: 2n, deletionPolicy: 'delete' });
    reconciler.remove({ bundle: 'keep', generation: 2n, deletionPolicy: 'orphan' });
    await until(() => reports.filter((r) => r.phase === 'Removed').length === 2, 'both removed');
    expect(await client.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'a' })).toBeUndefined();
    expect(await client.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'k' })).toBeDefined();
  });

  it('reports a suspended bundle without touching the cluster, and re-applies on syncNow', async () => {
    reconciler.desired(desired(1n, [configMap('a', '1')], { suspend: true }));
    await settled(1n, 'Suspended');
    expect(await client.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'a' })).toBeUndefined();
    reconciler.desired(desired(2n, [configMap('a', '1')]));
    await settled(2n, 'Applied');
    await client.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'a' });
    const before = reports.length;
    reconciler.syncNow();
    await until(() => reports.length > before && last()?.phase === 'Applied', 'a second apply');
    expect(last()!.resources[0]!.change).toBe('created');
  });

  it('holds work handed over before start', async () => {
    const late = new SimpleReconciler(client);
    const seen: BundleReport[] = [];
    late.onReport((report) => seen.push(report));
    late.desired(desired(1n, [configMap('early', '1')]));
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual([]);
    await late.start();
    await until(() => seen.at(-1)?.phase === 'Applied', 'the early bundle applied');
    await late.stop();
  });
});
