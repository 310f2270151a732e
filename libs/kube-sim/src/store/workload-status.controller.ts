import { createHash } from 'node:crypto';
import { isJsonObject, type JsonObject, type JsonValue } from '../fields/json-value.util.js';
import type { ResourceType } from '../schema/resource-type.js';
import { metadataOf } from './api-request.js';

/** Annotation making a simulated workload never become ready/available. */
export const NEVER_READY_ANNOTATION = 'kube-sim.flotilla.dev/never-ready';
/** Annotation making a simulated workload fail (Deployment: ProgressDeadlineExceeded; Job: BackoffLimitExceeded). */
export const FAIL_ANNOTATION = 'kube-sim.flotilla.dev/fail';

/** How a simulated workload behaves; set by annotation or through the cluster API. */
export type WorkloadBehaviour = 'ready' | 'never-ready' | 'fail';

const WORKLOADS = new Set(['apps/deployments', 'apps/replicasets', 'apps/statefulsets', 'apps/daemonsets', 'batch/jobs', '/pods', '/persistentvolumeclaims', '/services']);

export function isSimulatedWorkload(type: ResourceType): boolean {
  return !type.custom && WORKLOADS.has(`${type.group}/${type.plural}`);
}

export function behaviourOf(obj: JsonObject, override: WorkloadBehaviour | undefined): WorkloadBehaviour {
  if (override) return override;
  const annotations = metadataOf(obj)['annotations'];
  if (isJsonObject(annotations)) {
    if (annotations[FAIL_ANNOTATION] === 'true') return 'fail';
    if (annotations[NEVER_READY_ANNOTATION] === 'true') return 'never-ready';
  }
  return 'ready';
}

interface Condition {
  readonly type: string;
  readonly status: 'True' | 'False';
  readonly reason: string;
  readonly message: string;
}

/** Keeps a condition's timestamps while its status and reason are unchanged, so a steady state writes nothing. */
function conditions(previous: JsonValue | undefined, wanted: readonly Condition[], now: string, withUpdateTime: boolean): JsonObject[] {
  const old = Array.isArray(previous) ? previous.filter(isJsonObject) : [];
  return wanted.map((c) => {
    const prior = old.find((o) => o['type'] === c.type);
    const same = prior && prior['status'] === c.status && prior['reason'] === c.reason;
    const transition = same && typeof prior['lastTransitionTime'] === 'string' ? prior['lastTransitionTime'] : now;
    const update = same && typeof prior['lastUpdateTime'] === 'string' ? prior['lastUpdateTime'] : now;
    return { type: c.type, status: c.status, ...(withUpdateTime ? { lastUpdateTime: update } : {}), lastTransitionTime: transition, reason: c.reason, message: c.message };
  });
}

/** The pod-template-hash the Deployment controller labels ReplicaSets and pods with (stable per template). */
export function podTemplateHash(obj: JsonObject): string {
  const spec = isJsonObject(obj['spec']) ? obj['spec'] : {};
  return createHash('sha256').update(JSON.stringify(spec['template'] ?? null)).digest('hex').slice(0, 10);
}

function nonZero(fields: Record<string, number>): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(fields)) if (v !== 0) out[k] = v;
  return out;
}

/**
 * The status the real controllers (and kubelet, volume binder, load-balancer controller) would
 * converge an object to — Deployment, StatefulSet, DaemonSet, Job, Pod, PVC, LoadBalancer
 * Service — observing the current generation: healthy by default, or stuck/failed by behaviour.
 * Returns undefined when nothing would write a status.
 */
export function simulatedStatus(type: ResourceType, obj: JsonObject, behaviour: WorkloadBehaviour, now: string, readyChildren?: number): JsonObject | undefined {
  const meta = metadataOf(obj);
  const spec = isJsonObject(obj['spec']) ? obj['spec'] : {};
  const previous = isJsonObject(obj['status']) ? obj['status'] : {};
  const generation = typeof meta['generation'] === 'number' ? meta['generation'] : 1;
  const replicas = typeof spec['replicas'] === 'number' ? spec['replicas'] : 1;
  // With simulated pods, readiness is what the children report; without, a healthy workload is ready at once.
  const ready = behaviour === 'ready' ? Math.min(replicas, readyChildren ?? replicas) : 0;
  const complete = ready >= replicas;
  const name = String(meta['name']);
  switch (`${type.group}/${type.plural}`) {
    case 'apps/deployments': {
      const rs = `${name}-${podTemplateHash(obj)}`;
      const progressing: Condition =
        behaviour === 'fail'
          ? { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${rs}" has timed out progressing.` }
          : behaviour === 'never-ready' || !complete
            ? { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${rs}" is progressing.` }
            : { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${rs}" has successfully progressed.` };
      const available: Condition =
        behaviour === 'ready' && complete
          ? { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }
          : { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' };
      return {
        observedGeneration: generation,
        ...nonZero({ replicas, updatedReplicas: replicas, readyReplicas: ready, availableReplicas: ready, unavailableReplicas: replicas - ready }),
        conditions: conditions(previous['conditions'], [available, progressing], now, true),
      };
    }
    case 'apps/replicasets':
      return { observedGeneration: generation, replicas, ...nonZero({ fullyLabeledReplicas: replicas, readyReplicas: ready, availableReplicas: ready }) };
    case 'apps/statefulsets': {
      const revision = `${name}-${podTemplateHash(obj)}`;
      return {
        observedGeneration: generation,
        replicas,
        ...nonZero({ readyReplicas: ready, currentReplicas: replicas, updatedReplicas: replicas, availableReplicas: ready }),
        currentRevision: revision,
        updateRevision: revision,
        collisionCount: 0,
      };
    }
    case 'apps/daemonsets':
      return {
        currentNumberScheduled: 1,
        desiredNumberScheduled: 1,
        numberMisscheduled: 0,
        numberReady: Math.min(1, behaviour === 'ready' ? (readyChildren ?? 1) : 0),
        ...nonZero({ numberAvailable: Math.min(1, behaviour === 'ready' ? (readyChildren ?? 1) : 0), numberUnavailable: behaviour === 'ready' && (readyChildren ?? 1) > 0 ? 0 : 1 }),
        observedGeneration: generation,
        updatedNumberScheduled: 1,
      };
    case 'batch/jobs': {
      const completions = typeof spec['completions'] === 'number' ? spec['completions'] : 1;
      const backoffLimit = typeof spec['backoffLimit'] === 'number' ? spec['backoffLimit'] : 6;
      const startTime = typeof previous['startTime'] === 'string' ? previous['startTime'] : now;
      if (behaviour === 'never-ready') return { startTime, active: 1, ready: 0, terminating: 0, uncountedTerminatedPods: {} };
      if (behaviour === 'fail') {
        return {
          startTime,
          failed: backoffLimit + 1,
          ready: 0,
          terminating: 0,
          uncountedTerminatedPods: {},
          conditions: conditions(previous['conditions'], [
            { type: 'FailureTarget', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' },
            { type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' },
          ], now, false),
        };
      }
      return {
        startTime,
        completionTime: typeof previous['completionTime'] === 'string' ? previous['completionTime'] : now,
        succeeded: completions,
        ready: 0,
        terminating: 0,
        uncountedTerminatedPods: {},
        conditions: conditions(previous['conditions'], [
          { type: 'SuccessCriteriaMet', status: 'True', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' },
          { type: 'Complete', status: 'True', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' },
        ], now, false),
      };
    }
    case '/pods':
      return podStatus(obj, behaviour, now);
    case '/persistentvolumeclaims': {
      if (behaviour !== 'ready') return { phase: 'Pending' };
      const requests = isJsonObject(spec['resources']) && isJsonObject(spec['resources']['requests']) ? spec['resources']['requests'] : {};
      return { phase: 'Bound', accessModes: spec['accessModes'] ?? ['ReadWriteOnce'], capacity: { storage: requests['storage'] ?? '1Gi' } };
    }
    case '/services': {
      if (spec['type'] !== 'LoadBalancer' || behaviour !== 'ready') return undefined;
      const n = parseInt(createHash('sha256').update(name).digest('hex').slice(0, 4), 16) % 250;
      return { loadBalancer: { ingress: [{ ip: `172.18.255.${n + 1}`, ipMode: 'VIP' }] } };
    }
    default:
      return undefined;
  }
}

function podStatus(obj: JsonObject, behaviour: WorkloadBehaviour, now: string): JsonObject {
  const spec = isJsonObject(obj['spec']) ? obj['spec'] : {};
  const previous = isJsonObject(obj['status']) ? obj['status'] : {};
  const startTime = typeof previous['startTime'] === 'string' ? previous['startTime'] : now;
  const refs = metadataOf(obj)['ownerReferences'];
  // A Job's pod runs to completion: Succeeded (or Failed), not Running.
  const finishes = Array.isArray(refs) && refs.some((r) => isJsonObject(r) && r['kind'] === 'Job') && behaviour !== 'never-ready';
  const ready = behaviour === 'ready' && !finishes;
  const containers = (Array.isArray(spec['containers']) ? spec['containers'] : []).filter(isJsonObject);
  const uid = String(metadataOf(obj)['uid'] ?? '');
  const containerStatuses = containers.map((c): JsonObject => ({
    name: c['name'] ?? null,
    image: c['image'] ?? null,
    imageID: `${String(c['image'])}@sha256:${createHash('sha256').update(String(c['image'])).digest('hex')}`,
    containerID: `containerd://${createHash('sha256').update(`${uid}/${String(c['name'])}`).digest('hex')}`,
    ready,
    started: behaviour !== 'fail' && !finishes,
    restartCount: behaviour === 'fail' && !finishes ? 5 : 0,
    state: finishes
      ? { terminated: { exitCode: behaviour === 'fail' ? 1 : 0, reason: behaviour === 'fail' ? 'Error' : 'Completed', startedAt: startTime, finishedAt: now } }
      : behaviour === 'fail'
        ? { waiting: { reason: 'CrashLoopBackOff', message: 'back-off restarting failed container' } }
        : { running: { startedAt: startTime } },
  }));
  const flag = (v: boolean): 'True' | 'False' => (v ? 'True' : 'False');
  const conds: Condition[] = [
    { type: 'PodReadyToStartContainers', status: 'True', reason: '', message: '' },
    { type: 'Initialized', status: 'True', reason: '', message: '' },
    { type: 'Ready', status: flag(ready), reason: ready ? '' : finishes ? 'PodCompleted' : 'ContainersNotReady', message: ready || finishes ? '' : 'containers with unready status' },
    { type: 'ContainersReady', status: flag(ready), reason: ready ? '' : finishes ? 'PodCompleted' : 'ContainersNotReady', message: ready || finishes ? '' : 'containers with unready status' },
    { type: 'PodScheduled', status: 'True', reason: '', message: '' },
  ];
  return {
    phase: finishes ? (behaviour === 'fail' ? 'Failed' : 'Succeeded') : 'Running',
    conditions: conditions(previous['conditions'], conds, now, false).map((c) => {
      const out: JsonObject = { ...c, lastProbeTime: null };
      if (out['reason'] === '') delete out['reason'];
      if (out['message'] === '') delete out['message'];
      return out;
    }),
    hostIP: '172.18.0.2',
    hostIPs: [{ ip: '172.18.0.2' }],
    podIP: `10.244.0.${(parseInt(uid.slice(0, 2) || '0', 16) % 250) + 2}`,
    startTime,
    containerStatuses,
    qosClass: 'BestEffort',
  };
}
