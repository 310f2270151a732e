import { groupOf, type KubeObject } from './kube-object.js';

/**
 * The order objects are applied in: CRDs and Namespaces first (everything else may need them),
 * then what workloads depend on, then workloads, then what routes to them. Unlisted kinds (custom
 * resources) come last, after their CRDs exist. Within a kind: by namespace, then name.
 */
const ORDER = [
  'CustomResourceDefinition', 'Namespace', 'NetworkPolicy', 'ResourceQuota', 'LimitRange', 'PriorityClass',
  'PodDisruptionBudget', 'ServiceAccount', 'Secret', 'ConfigMap', 'StorageClass', 'PersistentVolume',
  'PersistentVolumeClaim', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'Service', 'DaemonSet', 'Pod',
  'ReplicationController', 'ReplicaSet', 'Deployment', 'HorizontalPodAutoscaler', 'StatefulSet', 'Job', 'CronJob',
  'IngressClass', 'Ingress', 'APIService', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration',
];
const RANK = new Map(ORDER.map((kind, index) => [kind, index]));

function rank(object: KubeObject): number {
  const builtin = object.kind === 'CustomResourceDefinition' ? groupOf(object.apiVersion) === 'apiextensions.k8s.io' : !object.apiVersion.includes('.') || object.apiVersion.includes('k8s.io');
  return builtin ? (RANK.get(object.kind) ?? ORDER.length) : ORDER.length + 1;
}

/** A new array in apply order; stable and deterministic. */
export function sortForApply(objects: readonly KubeObject[]): KubeObject[] {
  return [...objects].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      a.kind.localeCompare(b.kind) ||
      (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') ||
      a.metadata.name.localeCompare(b.metadata.name),
  );
}
