import type { KubeObject } from '@flotilla/cluster-client';
import { configMap, deployment, desired, ns, reportMatching, service, startHarness, TRANSPORTS, type Harness } from './agent-core.harness.js';

const crd: KubeObject = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'gadgets.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget' },
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } } } }],
  },
};

/** 20 objects: a CRD and its custom resource (no namespace: discovery supplies it), a Namespace, Deployments, Services, ConfigMaps, a Secret. */
function twentyObjects(): KubeObject[] {
  const objects: KubeObject[] = [
    { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g1' }, spec: { size: 3 } },
    ...[0, 1, 2, 3, 4].map((i) => deployment(`web-${i}`, 'shop', 2)),
    ...[0, 1, 2, 3, 4].map((i) => service(`web-${i}`, 'shop')),
    ...[0, 1, 2, 3, 4, 5].map((i) => configMap(`cfg-${i}`, 'shop')),
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds', namespace: 'shop' }, stringData: { password: 'hunter2' } },
    ns('shop'),
    crd,
  ];
  return objects;
}

describe.each(TRANSPORTS)('reconciling bundles (%s)', (transport) => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness(transport);
  });
  afterEach(async () => {
    await h.close();
  });

  it('applies a 20-object bundle in order, Progressing then Healthy, with a ChangeSet per resource', async () => {
    // Each controller step takes 1 s here, so the apply (slow over HTTPS on a loaded machine) always
    // finishes while the Deployments still progress: the Progressing report is certain to exist.
    await h.close();
    h = await startHarness(transport, {}, { controllerDelayMs: 1_000 });
    const objects = twentyObjects();
    expect(objects).toHaveLength(20);
    h.reconciler.desired(desired('shop', 1, objects, { namespace: 'shop' }));
    const applied = await reportMatching(h, 'Applied', (r) => r.phase === 'Applied');
    // Before anything is known, a first apply in flight is Progressing, never Healthy.
    expect(h.reports.find((r) => r.phase === 'Applying')).toMatchObject({ health: 'Progressing', resources: [] });
    expect(applied.resources).toHaveLength(20);
    expect(applied.resources.every((r) => r.change === 'created')).toBe(true);
    expect(applied.resources.find((r) => r.kind === 'Gadget')).toMatchObject({ group: 'example.com', version: 'v1', namespace: 'shop' });
    const healthy = await reportMatching(h, 'Healthy', (r) => r.phase === 'Applied' && r.health === 'Healthy', 30_000);
    expect(h.reports.some((r) => r.health === 'Progressing' && h.reports.indexOf(r) < h.reports.indexOf(healthy))).toBe(true);
    expect(healthy.drift).toEqual({ driftedFields: 0, fighting: false });
    expect(JSON.stringify(h.reports, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))).not.toContain('hunter2');
    // The order: CRD and Namespace first, custom resources last, workloads after their config.
    const order = h.applies.filter((a) => !a.startsWith('ConfigMap/flotilla-inventory') && a !== 'Namespace/flotilla-system');
    expect(order.slice(0, 2)).toEqual(['CustomResourceDefinition/gadgets.example.com', 'Namespace/shop']);
    expect(order.at(-1)).toBe('Gadget/g1');
    expect(order.indexOf('Secret/creds')).toBeLessThan(order.indexOf('Deployment/web-0'));
    expect(await h.client.get({ apiVersion: 'example.com/v1', kind: 'Gadget', namespace: 'shop', name: 'g1' })).toBeDefined();

    // Applying the same generation again changes nothing.
    h.reconciler.syncNow('shop');
    const again = await reportMatching(h, 'a resync', (r) => r.phase === 'Applied' && r.resources.every((x) => x.change === 'unchanged'));
    expect(again.health).toBe('Healthy');
  });

  it('reports a Deployment that never becomes available as Degraded with its reason', async () => {
    h.reconciler.desired(desired('bad', 1, [ns('bad'), deployment('api', 'bad', 1, { 'kube-sim.flotilla.dev/fail': 'true' })]));
    const degraded = await reportMatching(h, 'Degraded', (r) => r.health === 'Degraded');
    expect(degraded.phase).toBe('Applied');
    expect(degraded.terminal).toBe(true);
    expect(degraded.reason).toContain('ProgressDeadlineExceeded');
    expect(degraded.resources.find((r) => r.kind === 'Deployment')?.message).toContain('ProgressDeadlineExceeded');
  });
});
