import type { KubeObject } from '@flotilla/cluster-client';
import { InMemoryClusterClient, SimulatedCluster } from '@flotilla/kube-sim';
import { DEFAULT_TAKEOVER } from '@flotilla/manifest';
import { applyObject, type ApplyContext } from './server-side-apply.step.js';

describe('applyObject', () => {
  let cluster: SimulatedCluster;
  let client: InMemoryClusterClient;
  let ctx: ApplyContext;
  const cm = (data: Record<string, string>, labels: Record<string, string> = { 'flotilla.dev/bundle': 'app' }): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default', labels }, data });
  beforeEach(() => {
    cluster = new SimulatedCluster();
    client = new InMemoryClusterClient(cluster);
    ctx = { client, bundle: 'app', fieldManager: 'flotilla', policy: { adopt: false, takeover: DEFAULT_TAKEOVER, forceConflicts: false }, inventory: new Set(), desiredElsewhere: () => undefined };
  });
  afterEach(() => cluster.close());

  it('records created, unchanged and configured', async () => {
    expect((await applyObject(ctx, cm({ a: '1' }))).change).toBe('created');
    ctx = { ...ctx, inventory: new Set(['/ConfigMap/default/c']) };
    expect((await applyObject(ctx, cm({ a: '1' }))).change).toBe('unchanged');
    expect((await applyObject(ctx, cm({ a: '2' }))).change).toBe('configured');
  });

  it('takes fields back from takeover managers, but not from others unless forceConflicts', async () => {
    await applyObject(ctx, cm({ a: '1' }));
    ctx = { ...ctx, inventory: new Set(['/ConfigMap/default/c']) };
    const type = cluster.resource('', 'v1', 'configmaps');
    cluster.patch({ type, namespace: 'default', name: 'c' }, 'merge', { data: { a: 'edited' } }, { fieldManager: 'kubectl-edit' });
    expect(await applyObject(ctx, cm({ a: '1' }))).toMatchObject({ outcome: 'applied', change: 'configured' });
    cluster.patch({ type, namespace: 'default', name: 'c' }, 'merge', { data: { a: 'operator' } }, { fieldManager: 'some-operator' });
    const refused = await applyObject(ctx, cm({ a: '1' }));
    expect(refused.outcome).toBe('conflict');
    expect(refused.message).toContain('"some-operator"');
    expect(await applyObject({ ...ctx, policy: { ...ctx.policy, forceConflicts: true } }, cm({ a: '1' }))).toMatchObject({ outcome: 'applied' });
  });

  it('adopts an unowned existing object only with adopt, and leaves another bundle its objects', async () => {
    await client.apply(cm({ a: 'x' }, {}), { fieldManager: 'kubectl-client-side-apply' });
    expect((await applyObject(ctx, cm({ a: '1' }))).outcome).toBe('unadopted');
    expect((await applyObject({ ...ctx, policy: { ...ctx.policy, adopt: true } }, cm({ a: '1' }))).outcome).toBe('applied');
    const other = { ...ctx, bundle: 'other', desiredElsewhere: () => 'app' };
    expect(await applyObject(other, cm({ a: '1' }, { 'flotilla.dev/bundle': 'other' }))).toMatchObject({ outcome: 'owned', message: 'owned by bundle app' });
  });
});
