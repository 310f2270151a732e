import type { KubeObject } from '@flotilla/cluster-client';
import type { Health } from './reconciler.types.js';

/** The health of one live object: a message a person can act on, and whether Degraded is terminal. */
export interface ObjectHealth {
  readonly health: Health;
  readonly message: string;
  /** Degraded and will not recover by waiting (ProgressDeadlineExceeded, Job Failed, Pod Failed, PVC Lost). */
  readonly terminal: boolean;
}

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  observedGeneration?: number;
}

type Status = Record<string, unknown> & { conditions?: Condition[]; observedGeneration?: number };

const healthy = (message = ''): ObjectHealth => ({ health: 'Healthy', message, terminal: false });
const progressing = (message: string): ObjectHealth => ({ health: 'Progressing', message, terminal: false });
const degraded = (message: string, terminal: boolean): ObjectHealth => ({ health: 'Degraded', message, terminal });

function num(value: unknown, fallback = 0): number {
  return typeof value === 'number' ? value : fallback;
}

function reasonText(c: Condition): string {
  return `${c.reason ?? c.type}${c.message ? `: ${c.message}` : ''}`;
}

/**
 * kstatus-like health of a live object (design.md §6). A status counts only when its
 * `observedGeneration` — on the status and on each condition that carries one — equals the object's
 * `generation`; until then the object is Progressing. Kinds without rules are Healthy once they exist.
 */
export function healthOf(object: KubeObject | undefined): ObjectHealth {
  if (!object) return { health: 'Progressing', message: 'does not exist yet', terminal: false };
  if (object.metadata.deletionTimestamp) return progressing('being deleted');
  const generation = object.metadata.generation;
  const status = (object['status'] ?? {}) as Status;
  const hasStatus = object['status'] !== undefined;
  if (generation !== undefined && status.observedGeneration !== undefined && status.observedGeneration < generation) {
    return progressing(`waiting for the controller to observe generation ${generation} (observed ${status.observedGeneration})`);
  }
  const conditions = (status.conditions ?? []).filter((c) => generation === undefined || c.observedGeneration === undefined || c.observedGeneration === generation);
  if ((status.conditions ?? []).length > conditions.length) return progressing(`conditions describe an older generation than ${generation}`);
  const condition = (type: string): Condition | undefined => conditions.find((c) => c.type === type);
  const spec = (object['spec'] ?? {}) as Record<string, unknown>;

  switch (object.kind) {
    case 'Deployment': {
      if (!hasStatus || status.observedGeneration === undefined) return progressing('waiting for the deployment controller');
      const p = condition('Progressing');
      if (p?.reason === 'ProgressDeadlineExceeded') return degraded(reasonText(p), true);
      const rf = condition('ReplicaFailure');
      if (rf?.status === 'True') return degraded(reasonText(rf), false);
      const want = num(spec['replicas'], 1);
      const updated = num(status['updatedReplicas']);
      const total = num(status['replicas']);
      const available = num(status['availableReplicas']);
      if (updated < want) return progressing(`${updated} of ${want} replicas updated`);
      if (total > updated) return progressing(`${total - updated} old replicas pending termination`);
      if (available < updated) return progressing(`${available} of ${updated} updated replicas available`);
      return healthy(`${available} of ${want} replicas available`);
    }
    case 'StatefulSet': {
      if (!hasStatus || status.observedGeneration === undefined) return progressing('waiting for the statefulset controller');
      const want = num(spec['replicas'], 1);
      const strategy = (spec['updateStrategy'] ?? {}) as { type?: string; rollingUpdate?: { partition?: number } };
      const ready = num(status['readyReplicas']);
      if (ready < want) return progressing(`${ready} of ${want} replicas ready`);
      if (strategy.type !== 'OnDelete') {
        const partition = num(strategy.rollingUpdate?.partition);
        const updated = num(status['updatedReplicas']);
        if (updated < want - partition) return progressing(`${updated} of ${want - partition} replicas updated`);
        if (partition === 0 && status['updateRevision'] && status['currentRevision'] !== status['updateRevision']) return progressing('rolling update in progress');
      }
      return healthy(`${ready} of ${want} replicas ready`);
    }
    case 'DaemonSet': {
      if (!hasStatus || status.observedGeneration === undefined) return progressing('waiting for the daemonset controller');
      const desired = num(status['desiredNumberScheduled']);
      const updated = num(status['updatedNumberScheduled']);
      const available = num(status['numberAvailable']);
      if (updated < desired) return progressing(`${updated} of ${desired} pods updated`);
      if (available < desired) return progressing(`${available} of ${desired} pods available`);
      return healthy(`${available} of ${desired} pods available`);
    }
    case 'Job': {
      const failed = condition('Failed');
      if (failed?.status === 'True') return degraded(reasonText(failed), true);
      const complete = condition('Complete');
      if (complete?.status === 'True') return healthy('complete');
      return progressing(`running: ${num(status['active'])} active, ${num(status['succeeded'])} succeeded`);
    }
    case 'Pod': {
      if (status['phase'] === 'Succeeded') return healthy('succeeded');
      if (status['phase'] === 'Failed') return degraded(`pod failed${status['reason'] ? `: ${String(status['reason'])}` : ''}`, true);
      const ready = condition('Ready');
      return ready?.status === 'True' ? healthy('ready') : progressing(ready ? reasonText(ready) : 'not ready');
    }
    case 'PersistentVolumeClaim':
      if (status['phase'] === 'Bound') return healthy('bound');
      if (status['phase'] === 'Lost') return degraded('claim lost its volume', true);
      return progressing(`phase ${String(status['phase'] ?? 'Pending')}`);
    case 'Service': {
      if (spec['type'] !== 'LoadBalancer') return healthy();
      const ingress = ((status['loadBalancer'] ?? {}) as { ingress?: unknown[] }).ingress ?? [];
      return ingress.length > 0 ? healthy('load balancer ready') : progressing('waiting for a load balancer ingress');
    }
    case 'CustomResourceDefinition': {
      const established = condition('Established');
      return established?.status === 'True' ? healthy('established') : progressing('waiting to be Established');
    }
  }
  const stalled = condition('Stalled');
  if (stalled?.status === 'True') return degraded(reasonText(stalled), true);
  for (const type of ['Ready', 'Available']) {
    const c = condition(type);
    if (c?.status === 'True') return healthy();
    if (c?.status === 'False') return degraded(reasonText(c), false);
    if (c) return progressing(reasonText(c));
  }
  return healthy();
}

/** The health of a set: the worst member wins (Degraded > Unknown > Progressing > Healthy). */
export function combinedHealth(members: readonly Health[]): Health {
  if (members.includes('Degraded')) return 'Degraded';
  if (members.includes('Unknown')) return 'Unknown';
  if (members.includes('Progressing')) return 'Progressing';
  return 'Healthy';
}
