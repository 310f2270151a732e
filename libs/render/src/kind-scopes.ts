/**
 * Built-in kinds whose scope the hub knows without asking a cluster (Kubernetes v1.35), keyed
 * `group/Kind`. Kinds in neither list (custom resources not defined in the bundle, or kinds added
 * later) are left for the agent to resolve through discovery.
 */
const CLUSTER_SCOPED = new Set([
  '/Namespace', '/Node', '/PersistentVolume', '/ComponentStatus',
  'rbac.authorization.k8s.io/ClusterRole', 'rbac.authorization.k8s.io/ClusterRoleBinding',
  'apiextensions.k8s.io/CustomResourceDefinition', 'apiregistration.k8s.io/APIService',
  'storage.k8s.io/StorageClass', 'storage.k8s.io/CSIDriver', 'storage.k8s.io/CSINode', 'storage.k8s.io/VolumeAttachment',
  'storage.k8s.io/VolumeAttributesClass',
  'scheduling.k8s.io/PriorityClass', 'node.k8s.io/RuntimeClass', 'networking.k8s.io/IngressClass',
  'networking.k8s.io/IPAddress', 'networking.k8s.io/ServiceCIDR',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration', 'admissionregistration.k8s.io/MutatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy', 'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
  'admissionregistration.k8s.io/MutatingAdmissionPolicy', 'admissionregistration.k8s.io/MutatingAdmissionPolicyBinding',
  'certificates.k8s.io/CertificateSigningRequest', 'certificates.k8s.io/ClusterTrustBundle',
  'flowcontrol.apiserver.k8s.io/FlowSchema', 'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration',
  'resource.k8s.io/DeviceClass', 'resource.k8s.io/ResourceSlice',
]);

const NAMESPACED = new Set([
  '/ConfigMap', '/Secret', '/Service', '/ServiceAccount', '/Pod', '/PodTemplate', '/PersistentVolumeClaim', '/Endpoints',
  '/Event', '/LimitRange', '/ResourceQuota', '/ReplicationController', '/Binding',
  'apps/Deployment', 'apps/StatefulSet', 'apps/DaemonSet', 'apps/ReplicaSet', 'apps/ControllerRevision',
  'batch/Job', 'batch/CronJob', 'autoscaling/HorizontalPodAutoscaler', 'policy/PodDisruptionBudget',
  'networking.k8s.io/Ingress', 'networking.k8s.io/NetworkPolicy',
  'rbac.authorization.k8s.io/Role', 'rbac.authorization.k8s.io/RoleBinding',
  'coordination.k8s.io/Lease', 'discovery.k8s.io/EndpointSlice', 'events.k8s.io/Event',
  'storage.k8s.io/CSIStorageCapacity', 'resource.k8s.io/ResourceClaim', 'resource.k8s.io/ResourceClaimTemplate',
]);

export type KindScope = 'Namespaced' | 'Cluster' | 'Unknown';

/** The scope of a built-in kind, or of a custom kind defined by a CRD in `customScopes` (`group/Kind`). */
export function scopeOf(group: string, kind: string, customScopes: ReadonlyMap<string, KindScope>): KindScope {
  const key = `${group}/${kind}`;
  if (CLUSTER_SCOPED.has(key)) return 'Cluster';
  if (NAMESPACED.has(key)) return 'Namespaced';
  return customScopes.get(key) ?? 'Unknown';
}
