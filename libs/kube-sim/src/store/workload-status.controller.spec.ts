import type { JsonObject } from '../fields/json-value.util.js';
import type { ObjectRef } from './api-request.js';
import { SimulatedCluster } from './simulated-cluster.js';

async function until<T>(probe: () => T | undefined, what: string, deadlineMs = 2000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

type Condition = { type: string; status: string; reason: string };

describe('simulated workload controllers', () => {
  let cluster: SimulatedCluster;
  beforeEach(() => {
    cluster = new SimulatedCluster({ controllerDelayMs: 5 });
  });
  afterEach(() => cluster.close());

  const workload = (kind: string, annotations: Record<string, string> = {}): JsonObject => ({
    metadata: { name: 'w', annotations },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'w' } },
      template: { metadata: { labels: { app: 'w' } }, spec: { containers: [{ name: 'c', image: 'i' }], ...(kind === 'Job' ? { restartPolicy: 'Never' } : {}) } },
    },
  });

  function statusOf(ref: ObjectRef, generation: number): JsonObject | undefined {
    const live = cluster.get(ref);
    const status = live['status'] as JsonObject | undefined;
    return status?.['observedGeneration'] === generation || (status && ref.type.plural === 'jobs') ? status : undefined;
  }

  const condition = (status: JsonObject, type: string): Condition | undefined => ((status['conditions'] ?? []) as Condition[]).find((c) => c.type === type);

  it.each([
    [{}, 'True', 'NewReplicaSetAvailable', 2],
    [{ 'kube-sim.flotilla.dev/never-ready': 'true' }, 'False', 'ReplicaSetUpdated', undefined],
    [{ 'kube-sim.flotilla.dev/fail': 'true' }, 'False', 'ProgressDeadlineExceeded', undefined],
  ])('converges a Deployment with annotations %j: Available=%s, Progressing reason %s', async (annotations, available, progressing, ready) => {
    const ref: ObjectRef = { type: cluster.resource('apps', 'v1', 'deployments'), namespace: 'default', name: 'w' };
    cluster.create(ref, workload('Deployment', annotations));
    // Pods become ready over a few controller rounds; poll until the Deployment reports the settled state.
    const status = await until(() => {
      const s = statusOf(ref, 1);
      return s && condition(s, 'Available')?.status === available && condition(s, 'Progressing')?.reason === progressing ? s : undefined;
    }, 'the settled status for generation 1');
    expect(condition(status, 'Available')?.status).toBe(available);
    expect(condition(status, 'Progressing')?.reason).toBe(progressing);
    expect(status['readyReplicas']).toBe(ready);
    const rv = (cluster.get(ref)['metadata'] as JsonObject)['resourceVersion'];
    cluster.patch(ref, 'merge', { spec: { replicas: 3 } });
    const next = await until(() => {
      const s = statusOf(ref, 2);
      return s && s['readyReplicas'] === (ready === undefined ? undefined : 3) ? s : undefined;
    }, 'status for generation 2');
    expect(next['replicas']).toBe(3);
    expect((cluster.get(ref)['metadata'] as JsonObject)['resourceVersion']).not.toBe(rv);
  });

  it.each([
    ['pods', { spec: { containers: [{ name: 'c', image: 'nginx:1' }] } }, (s: JsonObject) => ((s['conditions'] as Condition[]).find((c) => c.type === 'Ready')?.status === 'True' ? 'Ready' : 'not ready')],
    ['persistentvolumeclaims', { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '2Gi' } } } }, (s: JsonObject) => `${String(s['phase'])} ${String((s['capacity'] as JsonObject)['storage'])}`],
    ['services', { spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } }, (s: JsonObject) => (((s['loadBalancer'] as JsonObject)['ingress'] as JsonObject[]).length === 1 ? 'has ingress' : 'no ingress')],
  ])('moves %s to their healthy status', async (plural, body, summary) => {
    const ref: ObjectRef = { type: cluster.resource('', 'v1', plural), namespace: 'default', name: 'h' };
    cluster.create(ref, { metadata: { name: 'h' }, ...body });
    const status = await until(() => {
      const s = cluster.get(ref)['status'] as JsonObject | undefined;
      return s && Object.keys(s).length > 0 && !(plural === 'pods' && s['phase'] === 'Pending') ? s : undefined;
    }, `${plural} status`);
    expect(summary(status)).toBe({ pods: 'Ready', persistentvolumeclaims: 'Bound 2Gi', services: 'has ingress' }[plural]);
  });

  it('deletes a finished Job once ttlSecondsAfterFinished expires', async () => {
    const ref: ObjectRef = { type: cluster.resource('batch', 'v1', 'jobs'), namespace: 'default', name: 'ttl' };
    cluster.create(ref, { metadata: { name: 'ttl' }, spec: { ttlSecondsAfterFinished: 0, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'i' }] } } } });
    await until(() => ((cluster.list({ ...ref, name: undefined })['items'] as unknown[]).length === 0 ? true : undefined), 'the TTL controller to delete the job');
  });

  it('completes a Job, or fails it through the API', async () => {
    const jobs = cluster.resource('batch', 'v1', 'jobs');
    const ok: ObjectRef = { type: jobs, namespace: 'default', name: 'w' };
    cluster.create(ok, { metadata: { name: 'w' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'i' }] } } } });
    const done = await until(() => statusOf(ok, 1), 'job status');
    expect(condition(done, 'Complete')?.status).toBe('True');
    const bad: ObjectRef = { type: jobs, namespace: 'default', name: 'bad' };
    cluster.create(bad, { metadata: { name: 'bad' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'i' }] } } } });
    cluster.setWorkloadBehaviour(bad, 'fail');
    const failed = await until(() => {
      const s = statusOf(bad, 1);
      return s && condition(s, 'Failed') ? s : undefined;
    }, 'failed job');
    expect(condition(failed, 'Failed')?.reason).toBe('BackoffLimitExceeded');
  });
});
