import { InMemoryClusterClient, SimulatedCluster } from '@flotilla/kube-sim';
import { applyPolicySchema } from '@flotilla/manifest';
import { DiscoveryCache } from './discovery.cache.js';
import { prepareDesired } from './prepare-desired.step.js';
import type { DesiredBundle } from './reconciler.types.js';

describe('prepareDesired', () => {
  const cluster = new SimulatedCluster();
  const discovery = new DiscoveryCache(new InMemoryClusterClient(cluster));
  afterAll(() => cluster.close());
  const bundle = (manifests: DesiredBundle['manifests'], namespace?: string): DesiredBundle => ({
    bundle: 'app', generation: 1n, hash: 'h', revision: 'r', manifests, policy: applyPolicySchema.parse({}), dependsOn: [], suspend: false, namespace,
  });

  it('defaults the namespace of namespaced kinds via discovery (and CRDs of the bundle), strips it from cluster-scoped ones, labels all', async () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'gadgets.example.com' },
      spec: { group: 'example.com', scope: 'Namespaced', names: { kind: 'Gadget', plural: 'gadgets' }, versions: [{ name: 'v1', served: true, storage: true }] },
    };
    const result = await prepareDesired(bundle([
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r' } },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'c', namespace: 'oops' } },
      { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g' } },
      crd,
    ], 'shop'), discovery);
    if (!('objects' in result)) throw new Error(result.invalid);
    expect(result.objects.map((o) => [o.kind, o.metadata.namespace, o.metadata.labels?.['flotilla.dev/bundle']])).toEqual([
      ['Role', 'shop', 'app'],
      ['ClusterRole', undefined, 'app'],
      ['Gadget', 'shop', 'app'],
      ['CustomResourceDefinition', undefined, 'app'],
    ]);
  });

  it('refuses the whole Desired for an unserved kind, a nameless object or a duplicate', async () => {
    expect(await prepareDesired(bundle([{ apiVersion: 'x.io/v1', kind: 'Nope', metadata: { name: 'n' } }]), discovery)).toEqual({
      invalid: 'InvalidDesired: the cluster does not serve Nope in x.io/v1 (Nope n)',
    });
    expect(await prepareDesired(bundle([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: '' } }]), discovery)).toMatchObject({ invalid: expect.stringContaining('lacks') });
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } };
    expect(await prepareDesired(bundle([cm, { ...cm, metadata: { name: 'a', namespace: 'default' } }]), discovery)).toEqual({ invalid: 'InvalidDesired: ConfigMap default/a appears twice' });
  });
});
