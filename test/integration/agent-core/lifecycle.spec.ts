import { BundleReconciler, type BundleReport } from '@flotilla/agent-core';
import { configMap, deployment, desired, FAST, ns, reportMatching, startHarness, TRANSPORTS, until, type Harness } from './agent-core.harness.js';

const web = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'app', name: 'web' };
const inventoryOf = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'flotilla-system', name: 'flotilla-inventory-app' };

describe.each(TRANSPORTS)('bundle lifecycle (%s)', (transport) => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness(transport);
  });
  afterEach(async () => {
    await h.close();
  });

  it('dependsOn holds a bundle until its dependency is Applied and Healthy', async () => {
    h.reconciler.desired(desired('app', 1, [configMap('cfg', 'base')], { dependsOn: ['base'] }));
    const waiting = await reportMatching(h, 'Waiting', (r) => r.bundle === 'app' && r.phase === 'Waiting');
    expect(waiting.reason).toBe('WaitingForDependency: base (not on this cluster)');
    h.reconciler.desired(desired('base', 2, [ns('base'), deployment('db', 'base', 1)]));
    const baseHealthy = await reportMatching(h, 'base Healthy', (r) => r.bundle === 'base' && r.health === 'Healthy' && r.phase === 'Applied');
    const appApplied = await reportMatching(h, 'app Applied', (r) => r.bundle === 'app' && r.phase === 'Applied');
    expect(h.reports.indexOf(appApplied)).toBeGreaterThan(h.reports.indexOf(baseHealthy));
    expect(h.reports.filter((r) => r.bundle === 'app' && h.reports.indexOf(r) < h.reports.indexOf(baseHealthy)).every((r) => r.phase === 'Waiting')).toBe(true);
  });

  it('Jobs: complete is Healthy and a TTL deletion is not drift; a failed Job is terminally Degraded', async () => {
    const job = (name: string, annotations: Record<string, string> = {}, ttl?: number) => ({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name, namespace: 'app', annotations },
      spec: { ...(ttl === undefined ? {} : { ttlSecondsAfterFinished: ttl }), template: { spec: { restartPolicy: 'Never', containers: [{ name: 'j', image: 'j:1' }] } } },
    });
    h.reconciler.desired(desired('app', 1, [ns('app'), job('once', {}, 0)]));
    await reportMatching(h, 'the Job Healthy', (r) => r.phase === 'Applied' && r.health === 'Healthy');
    const ref = { apiVersion: 'batch/v1', kind: 'Job', namespace: 'app', name: 'once' };
    await until(async () => (await h.client.get(ref)) === undefined, 'the TTL to delete the Job');
    const appliesBefore = h.applies.length;
    h.reconciler.syncNow('app');
    await reportMatching(h, 'the full pass', (r) => r.resources.some((x) => x.kind === 'Namespace' && x.change === 'unchanged'));
    expect(h.applies.slice(appliesBefore)).not.toContain('Job/once');
    expect(await h.client.get(ref)).toBeUndefined();
    expect(h.reports.some((r) => r.drift.driftedFields > 0)).toBe(false);
    h.reconciler.desired(desired('app', 2, [ns('app'), job('broken', { 'kube-sim.flotilla.dev/fail': 'true' })]));
    const failed = await reportMatching(h, 'the failed Job', (r) => r.generation === 2n && r.health === 'Degraded');
    expect(failed.terminal).toBe(true);
    expect(failed.reason).toContain('BackoffLimitExceeded');
  });

  it('Remove with orphan leaves the Deployment running, without the label or an inventory', async () => {
    h.reconciler.desired(desired('app', 1, [ns('app'), deployment('web', 'app', 2)]));
    await reportMatching(h, 'Healthy', (r) => r.health === 'Healthy' && r.phase === 'Applied');
    h.reconciler.remove({ bundle: 'app', generation: 2n, deletionPolicy: 'orphan' });
    await reportMatching(h, 'Removed', (r) => r.phase === 'Removed' && r.generation === 2n);
    const live = await h.client.get(web);
    expect(live).toBeDefined();
    expect(live!.metadata.labels?.['flotilla.dev/bundle']).toBeUndefined();
    expect((live!['spec'] as { replicas: number }).replicas).toBe(2);
    expect(await h.client.get({ apiVersion: 'v1', kind: 'Namespace', name: 'app' })).toBeDefined();
    expect(await h.client.get(inventoryOf)).toBeUndefined();
  });

  it('Remove with delete deletes what the inventory holds (Namespaces only on opt-in)', async () => {
    h.reconciler.desired(desired('app', 1, [ns('app'), deployment('web', 'app', 1), configMap('cfg', 'app')]));
    await reportMatching(h, 'Applied', (r) => r.phase === 'Applied');
    h.reconciler.remove({ bundle: 'app', generation: 2n, deletionPolicy: 'delete' });
    const removed = await reportMatching(h, 'Removed', (r) => r.phase === 'Removed');
    expect(removed.resources.filter((r) => r.change === 'deleted').map((r) => r.kind).sort()).toEqual(['ConfigMap', 'Deployment']);
    expect(await h.client.get(web)).toBeUndefined();
    expect(await h.client.get({ apiVersion: 'v1', kind: 'Namespace', name: 'app' })).toBeDefined();
    expect(await h.client.get(inventoryOf)).toBeUndefined();
  });

  it('a suspended bundle is neither applied nor corrected, and says Suspended', async () => {
    h.reconciler.desired(desired('app', 1, [ns('app'), deployment('web', 'app', 2)]));
    await reportMatching(h, 'Healthy', (r) => r.health === 'Healthy' && r.phase === 'Applied');
    h.reconciler.desired(desired('app', 2, [ns('app'), deployment('web', 'app', 3)], { suspend: true }));
    const suspended = await reportMatching(h, 'Suspended', (r) => r.phase === 'Suspended');
    expect(suspended.generation).toBe(2n);
    h.cluster.patch({ type: h.cluster.resource('apps', 'v1', 'deployments'), namespace: 'app', name: 'web' }, 'merge', { spec: { replicas: 5 } }, { fieldManager: 'kubectl-edit' });
    h.reconciler.syncNow();
    await until(() => h.reports.filter((r) => r.phase === 'Suspended').length >= 1, 'status still flowing');
    expect(((await h.client.get(web))!['spec'] as { replicas: number }).replicas).toBe(5);
  });

  it('resumes Desired given before start, and keeps reconciling with no hub (a deleted object comes back)', async () => {
    await h.reconciler.stop();
    const agent = new BundleReconciler(h.client, FAST);
    const reports: BundleReport[] = [];
    agent.onReport((r) => reports.push(r));
    agent.desired(desired('app', 1, [ns('app'), deployment('web', 'app', 1)]));
    agent.desired(desired('app', 0, [ns('app')])); // older: ignored, newest wins
    expect(reports).toHaveLength(0);
    await agent.start();
    try {
      await until(() => reports.find((r) => r.phase === 'Applied' && r.health === 'Healthy'), 'Healthy after start');
      const uid = (await h.client.get(web))!.metadata.uid;
      await h.client.delete(web);
      await until(async () => {
        const live = await h.client.get(web);
        return live !== undefined && live.metadata.uid !== uid;
      }, 'the Deployment re-created without any hub message');
    } finally {
      await agent.stop();
    }
  });
});
