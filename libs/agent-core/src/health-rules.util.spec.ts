import type { KubeObject } from '@flotilla/cluster-client';
import { combinedHealth, healthOf } from './health-rules.util.js';

const obj = (kind: string, body: Record<string, unknown>, generation = 2): KubeObject => ({
  apiVersion: kind === 'Job' ? 'batch/v1' : 'apps/v1',
  kind,
  metadata: { name: 'x', namespace: 'ns', generation },
  ...body,
});

describe('healthOf', () => {
  it.each<[string, KubeObject | undefined, string]>([
    ['missing object', undefined, 'Progressing'],
    ['Deployment not yet observed', obj('Deployment', { spec: { replicas: 2 }, status: { observedGeneration: 1, updatedReplicas: 2, replicas: 2, availableReplicas: 2 } }), 'Progressing'],
    ['Deployment rolled out', obj('Deployment', { spec: { replicas: 2 }, status: { observedGeneration: 2, updatedReplicas: 2, replicas: 2, availableReplicas: 2 } }), 'Healthy'],
    ['Deployment old replicas left', obj('Deployment', { spec: { replicas: 2 }, status: { observedGeneration: 2, updatedReplicas: 2, replicas: 3, availableReplicas: 2 } }), 'Progressing'],
    ['Deployment unavailable', obj('Deployment', { spec: { replicas: 2 }, status: { observedGeneration: 2, updatedReplicas: 2, replicas: 2, availableReplicas: 1 } }), 'Progressing'],
    [
      'Deployment past its deadline',
      obj('Deployment', { spec: {}, status: { observedGeneration: 2, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'timed out' }] } }),
      'Degraded!',
    ],
    ['StatefulSet ready', obj('StatefulSet', { spec: { replicas: 1 }, status: { observedGeneration: 2, readyReplicas: 1, updatedReplicas: 1, currentRevision: 'a', updateRevision: 'a' } }), 'Healthy'],
    ['StatefulSet mid-rollout', obj('StatefulSet', { spec: { replicas: 1 }, status: { observedGeneration: 2, readyReplicas: 1, updatedReplicas: 1, currentRevision: 'a', updateRevision: 'b' } }), 'Progressing'],
    ['DaemonSet complete', obj('DaemonSet', { status: { observedGeneration: 2, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3 } }), 'Healthy'],
    ['Job running', obj('Job', { status: { active: 1 } }), 'Progressing'],
    ['Job complete', obj('Job', { status: { conditions: [{ type: 'Complete', status: 'True' }] } }), 'Healthy'],
    ['Job failed', obj('Job', { status: { conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }] } }), 'Degraded!'],
    ['Pod ready', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } }, 'Healthy'],
    ['Pod failed', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, status: { phase: 'Failed' } }, 'Degraded!'],
    ['PVC pending', { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c' }, status: { phase: 'Pending' } }, 'Progressing'],
    ['PVC bound', { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c' }, status: { phase: 'Bound' } }, 'Healthy'],
    ['LoadBalancer without ingress', { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { type: 'LoadBalancer' }, status: {} }, 'Progressing'],
    ['LoadBalancer with ingress', { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { type: 'LoadBalancer' }, status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } } }, 'Healthy'],
    ['ClusterIP Service', { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: {} }, 'Healthy'],
    ['custom resource Ready', { apiVersion: 'x.io/v1', kind: 'Gadget', metadata: { name: 'g', generation: 1 }, status: { conditions: [{ type: 'Ready', status: 'True', observedGeneration: 1 }] } }, 'Healthy'],
    ['custom resource stale condition', { apiVersion: 'x.io/v1', kind: 'Gadget', metadata: { name: 'g', generation: 2 }, status: { conditions: [{ type: 'Ready', status: 'True', observedGeneration: 1 }] } }, 'Progressing'],
    ['custom resource not Ready', { apiVersion: 'x.io/v1', kind: 'Gadget', metadata: { name: 'g' }, status: { conditions: [{ type: 'Ready', status: 'False', reason: 'Broken' }] } }, 'Degraded~'],
    ['ConfigMap', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }, 'Healthy'],
  ])('%s', (_name, object, expected) => {
    // `Degraded!` is terminal, `Degraded~` transient.
    const result = healthOf(object);
    expect(result.health).toBe(expected.replace(/[!~]$/, ''));
    if (expected.endsWith('!')) expect(result.terminal).toBe(true);
    if (expected.endsWith('~')) expect(result.terminal).toBe(false);
  });

  it('names the reason of a terminal failure', () => {
    const failed = healthOf(obj('Deployment', { spec: {}, status: { observedGeneration: 2, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "x" has timed out progressing.' }] } }));
    expect(failed.message).toBe('ProgressDeadlineExceeded: ReplicaSet "x" has timed out progressing.');
  });

  it('combines: the worst member wins', () => {
    expect(combinedHealth([])).toBe('Healthy');
    expect(combinedHealth(['Healthy', 'Progressing'])).toBe('Progressing');
    expect(combinedHealth(['Unknown', 'Progressing'])).toBe('Unknown');
    expect(combinedHealth(['Healthy', 'Degraded', 'Unknown'])).toBe('Degraded');
  });
});
