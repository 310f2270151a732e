import type { BundleReport } from '@flotilla/agent-core';
import type { ClusterClient, KubeObject } from '@flotilla/cluster-client';
import { BundleReconciler } from '@flotilla/agent-core';
import { configMap, deployment, desired, FAST, ns, reportMatching, startHarness, TRANSPORTS, until, type Harness } from './agent-core.harness.js';

const cm = (name: string): { apiVersion: string; kind: string; namespace: string; name: string } => ({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'app', name });
const five = (): KubeObject[] => [ns('app'), configMap('a', 'app'), configMap('b', 'app'), configMap('c', 'app'), deployment('web', 'app')];
const exists = async (h: Harness, name: string): Promise<boolean> => (await h.client.get(cm(name))) !== undefined;
const applied = (generation: number) => (r: BundleReport) => r.phase === 'Applied' && r.generation === BigInt(generation);

describe.each(TRANSPORTS)('prune (%s)', (transport) => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness(transport);
  });
  afterEach(async () => {
    await h.close();
  });

  it('a Desired dropping two objects prunes exactly those two, and reports them deleted', async () => {
    h.reconciler.desired(desired('app', 1, five()));
    await reportMatching(h, 'generation 1 applied', applied(1));
    h.reconciler.desired(desired('app', 2, [ns('app'), configMap('a', 'app'), deployment('web', 'app')]));
    const report = await reportMatching(h, 'generation 2 applied', applied(2));
    expect(report.resources.filter((r) => r.change === 'deleted').map((r) => r.name).sort()).toEqual(['b', 'c']);
    expect([await exists(h, 'a'), await exists(h, 'b'), await exists(h, 'c')]).toEqual([true, false, false]);
    expect(await h.client.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'app', name: 'web' })).toBeDefined();
    const inventory = await h.client.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'flotilla-system', name: 'flotilla-inventory-app' });
    expect(JSON.parse((inventory!['data'] as { objects: string }).objects).map((r: { name: string }) => r.name).sort()).toEqual(['a', 'app', 'web']);
  });

  it('does not prune an object moved to another bundle, whichever bundle goes first', async () => {
    h.reconciler.desired(desired('app', 1, five()));
    await reportMatching(h, 'app applied', applied(1));
    const uid = (await h.client.get(cm('b')))!.metadata.uid;
    // Both messages arrive together; the reconciler sees the move from either side.
    h.reconciler.desired(desired('app', 2, [ns('app'), configMap('a', 'app'), configMap('c', 'app'), deployment('web', 'app')]));
    h.reconciler.desired(desired('other', 3, [configMap('b', 'app')]));
    await reportMatching(h, 'app generation 2', applied(2));
    await reportMatching(h, 'other applied', (r) => r.bundle === 'other' && r.phase === 'Applied');
    const moved = (await h.client.get(cm('b')))!;
    expect(moved.metadata.uid).toBe(uid);
    expect(moved.metadata.labels?.['flotilla.dev/bundle']).toBe('other');
  });

  it('prunes nothing when a Desired is rejected by validation, and nothing when it is empty', async () => {
    h.reconciler.desired(desired('app', 1, five()));
    await reportMatching(h, 'applied', applied(1));
    h.reconciler.desired(desired('app', 2, [ns('app'), { apiVersion: 'nope.example.com/v1', kind: 'Unknown', metadata: { name: 'x', namespace: 'app' } }]));
    const rejected = await reportMatching(h, 'rejected', (r) => r.generation === 2n && r.phase === 'Failed');
    expect(rejected.reason).toMatch(/^InvalidDesired: the cluster does not serve Unknown/);
    expect(rejected.terminal).toBe(true);
    h.reconciler.desired(desired('app', 3, []));
    await reportMatching(h, 'empty applied', applied(3));
    expect([await exists(h, 'a'), await exists(h, 'b'), await exists(h, 'c')]).toEqual([true, true, true]);
  });

  it('keeps objects annotated prune: disabled, and never adopts an unowned object without adopt', async () => {
    await h.client.apply({ ...configMap('foreign', 'default'), metadata: { name: 'foreign', namespace: 'default' } }, { fieldManager: 'someone' });
    const keep = configMap('keep', 'app');
    keep.metadata.annotations = { 'flotilla.dev/prune': 'disabled' };
    h.reconciler.desired(desired('app', 1, [...five(), keep, configMap('foreign', 'default')]));
    const refused = await reportMatching(h, 'adoption refused', (r) => r.phase === 'Failed');
    expect(refused.reason).toContain('AdoptionRefused');
    expect(refused.resources.find((r) => r.name === 'foreign')?.change).toBe('skipped');
    // A drift pass (the periodic one) must not take it over either.
    h.reconciler.syncNow('app');
    await reportMatching(h, 'the resync', (r) => r.resources.some((x) => x.kind === 'Namespace' && x.change === 'unchanged'));
    expect((await h.client.get({ ...cm('foreign'), namespace: 'default' }))?.metadata.labels?.['flotilla.dev/bundle']).toBeUndefined();
    h.reconciler.desired(desired('app', 2, [ns('app')]));
    await reportMatching(h, 'generation 2', applied(2));
    expect(await exists(h, 'keep')).toBe(true);
    expect((await h.client.get({ ...cm('foreign'), namespace: 'default' }))?.metadata.labels?.['flotilla.dev/bundle']).toBeUndefined();
  });

  it('leaks nothing when the agent dies between apply and prune', async () => {
    h.reconciler.desired(desired('app', 1, five()));
    await reportMatching(h, 'applied', applied(1));
    await h.reconciler.stop();
    // A second agent whose prune crashes: deletes fail as if the process died right after applying.
    const crashing = Object.assign(Object.create(h.client) as ClusterClient, {
      delete: () => Promise.reject(new Error('agent killed')),
    });
    const first = new BundleReconciler(crashing, FAST);
    await first.start();
    first.desired(desired('app', 2, [ns('app'), configMap('a', 'app'), configMap('d', 'app'), deployment('web', 'app')]));
    await until(async () => exists(h, 'd'), 'the new object applied');
    await first.stop();
    expect(await exists(h, 'b')).toBe(true);
    // The restarted agent gets the same Desired again: the inventory (old ∪ new) still names b and c.
    const restarted = new BundleReconciler(h.client, FAST);
    const reports: BundleReport[] = [];
    restarted.onReport((r) => reports.push(r));
    restarted.desired(desired('app', 2, [ns('app'), configMap('a', 'app'), configMap('d', 'app'), deployment('web', 'app')]));
    await restarted.start();
    try {
      await until(() => reports.find((r) => r.phase === 'Applied'), 'the restarted agent to apply');
      expect([await exists(h, 'a'), await exists(h, 'b'), await exists(h, 'c'), await exists(h, 'd')]).toEqual([true, false, false, true]);
    } finally {
      await restarted.stop();
    }
  });
});
