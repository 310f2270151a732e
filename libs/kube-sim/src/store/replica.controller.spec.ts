import type { JsonObject } from '../fields/json-value.util.js';
import type { ObjectRef } from './api-request.js';
import { SimulatedCluster } from './simulated-cluster.js';

async function until(check: () => boolean, what: string, deadlineMs = 3000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

const meta = (o: JsonObject): JsonObject => o['metadata'] as JsonObject;

describe('replica controllers', () => {
  let cluster: SimulatedCluster;
  let pods: ObjectRef;
  let replicaSets: ObjectRef;
  beforeEach(() => {
    cluster = new SimulatedCluster({ controllerDelayMs: 1 });
    pods = { type: cluster.resource('', 'v1', 'pods'), namespace: 'default' };
    replicaSets = { type: cluster.resource('apps', 'v1', 'replicasets'), namespace: 'default' };
  });
  afterEach(() => cluster.close());

  const items = (ref: ObjectRef, labelSelector?: string): JsonObject[] => cluster.list(ref, { labelSelector })['items'] as JsonObject[];
  const readyPods = (selector: string): number =>
    items(pods, selector).filter((p) => ((p['status'] as JsonObject | undefined)?.['conditions'] as { type: string; status: string }[] | undefined)?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
  const workload = (replicas: number, image: string): JsonObject => ({
    metadata: { name: 'web' },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image }] } },
    },
  });

  it('runs a Deployment through ReplicaSets and ready pods, rolls out a new template, and replaces deleted pods', async () => {
    const deploy: ObjectRef = { type: cluster.resource('apps', 'v1', 'deployments'), namespace: 'default', name: 'web' };
    cluster.create(deploy, workload(2, 'nginx:1'));
    await until(() => readyPods('app=web') === 2, 'two ready pods');
    const [first] = items(replicaSets);
    expect(meta(first!)['name']).toMatch(/^web-[0-9a-f]{10}$/);
    expect(items(pods, 'app=web').every((p) => String(meta(p)['name']).startsWith(`${String(meta(first!)['name'])}-`))).toBe(true);

    cluster.patch(deploy, 'merge', { spec: { replicas: 3 } });
    await until(() => readyPods('app=web') === 3, 'three ready pods');

    cluster.patch(deploy, 'strategic', { spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:2' }] } } } });
    await until(() => items(replicaSets).length === 2 && items(pods, 'app=web').length === 3 && items(pods, 'app=web').every((p) => JSON.stringify(p['spec']).includes('nginx:2')), 'the rollout');
    expect(items(replicaSets).map((rs) => (rs['spec'] as JsonObject)['replicas']).sort()).toEqual([0, 3]);

    const victim = String(meta(items(pods, 'app=web')[0]!)['name']);
    cluster.delete({ ...pods, name: victim });
    await until(() => items(pods, 'app=web').length === 3 && !items(pods, 'app=web').some((p) => meta(p)['name'] === victim), 'a replacement pod');

    cluster.delete(deploy);
    await until(() => items(replicaSets).length === 0 && items(pods).length === 0, 'garbage collection of ReplicaSets and pods');
  });

  it('names StatefulSet pods by ordinal and runs Job pods to completion', async () => {
    cluster.create({ type: cluster.resource('apps', 'v1', 'statefulsets'), namespace: 'default' }, { ...workload(2, 'db:1'), spec: { ...(workload(2, 'db:1')['spec'] as JsonObject), serviceName: 'web' } });
    await until(() => readyPods('app=web') === 2, 'stateful pods');
    expect(items(pods, 'app=web').map((p) => meta(p)['name'])).toEqual(['web-0', 'web-1']);

    cluster.create({ type: cluster.resource('batch', 'v1', 'jobs'), namespace: 'default' }, { metadata: { name: 'once' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'i' }] } } } });
    await until(() => items(pods, 'job-name=once').some((p) => (p['status'] as JsonObject | undefined)?.['phase'] === 'Succeeded'), 'a succeeded job pod');
  });

  it('can be switched off for large simulations (status still converges)', async () => {
    const quiet = new SimulatedCluster({ simulatePods: false, controllerDelayMs: 0 });
    try {
      const ref: ObjectRef = { type: quiet.resource('apps', 'v1', 'deployments'), namespace: 'default', name: 'web' };
      quiet.create(ref, workload(2, 'nginx:1'));
      await until(() => (quiet.get(ref)['status'] as JsonObject | undefined)?.['readyReplicas'] === 2, 'deployment status');
      expect(quiet.state.list(quiet.resource('apps', 'v1', 'replicasets'))).toEqual([]);
    } finally {
      quiet.close();
    }
  });
});
