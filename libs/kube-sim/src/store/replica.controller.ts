import { isJsonObject, type JsonObject } from '../fields/json-value.util.js';
import { apiVersionOf, type ResourceType } from '../schema/resource-type.js';
import { metadataOf } from './api-request.js';
import type { ClusterState } from './cluster-state.js';
import { podTemplateHash, type WorkloadBehaviour } from './workload-status.controller.js';
import { FAIL_ANNOTATION, NEVER_READY_ANNOTATION } from './workload-status.controller.js';

/** Writes the replica controllers make; the cluster passes its own verbs so validation and events stay consistent. */
export interface ReplicaActions {
  create(type: ResourceType, namespace: string, body: JsonObject): void;
  /** Merge patch as `kube-controller-manager`. */
  patch(type: ResourceType, namespace: string, name: string, patch: JsonObject): void;
  remove(type: ResourceType, namespace: string, name: string): void;
  behaviourOf(type: ResourceType, object: JsonObject): WorkloadBehaviour;
}

const REVISION = 'deployment.kubernetes.io/revision';

const OWNER_KINDS = new Set(['apps/deployments', 'apps/replicasets', 'apps/statefulsets', 'apps/daemonsets', 'batch/jobs']);

/** Whether the simulated controllers create children (ReplicaSets, Pods) for this resource. */
export function ownsReplicas(type: ResourceType): boolean {
  return !type.custom && OWNER_KINDS.has(`${type.group}/${type.plural}`);
}

function ownerReference(type: ResourceType, owner: JsonObject): JsonObject {
  const meta = metadataOf(owner);
  return { apiVersion: apiVersionOf(type), kind: type.kind, name: meta['name'] ?? null, uid: meta['uid'] ?? null, controller: true, blockOwnerDeletion: true };
}

function controlledBy(obj: JsonObject, uid: unknown): boolean {
  const refs = metadataOf(obj)['ownerReferences'];
  return Array.isArray(refs) && refs.some((r) => isJsonObject(r) && r['uid'] === uid && r['controller'] === true);
}

function specOf(obj: JsonObject): JsonObject {
  return isJsonObject(obj['spec']) ? obj['spec'] : {};
}

function replicasOf(obj: JsonObject): number {
  const r = specOf(obj)['replicas'];
  return typeof r === 'number' ? r : 1;
}

/** Pods carry the owner's simulated behaviour, so a never-ready Deployment has never-ready pods. */
function behaviourAnnotations(behaviour: WorkloadBehaviour): JsonObject {
  if (behaviour === 'fail') return { [FAIL_ANNOTATION]: 'true' };
  if (behaviour === 'never-ready') return { [NEVER_READY_ANNOTATION]: 'true' };
  return {};
}

function podFromTemplate(owner: JsonObject, ownerType: ResourceType, metadata: JsonObject, behaviour: WorkloadBehaviour): JsonObject {
  const template = isJsonObject(specOf(owner)['template']) ? (specOf(owner)['template'] as JsonObject) : {};
  const tplMeta = metadataOf(template);
  const annotations = { ...(isJsonObject(tplMeta['annotations']) ? tplMeta['annotations'] : {}), ...behaviourAnnotations(behaviour) };
  return {
    metadata: {
      ...metadata,
      labels: { ...(isJsonObject(tplMeta['labels']) ? tplMeta['labels'] : {}), ...(isJsonObject(metadata['labels']) ? metadata['labels'] : {}) },
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
      ownerReferences: [ownerReference(ownerType, owner)],
    },
    spec: { ...(isJsonObject(template['spec']) ? template['spec'] : {}), nodeName: 'kube-sim-node' },
  };
}

/**
 * One reconcile of the controller owning `owner`, as the real ones do it on a one-node cluster:
 * a Deployment keeps one ReplicaSet per pod template (`name-hash`, old ones scaled to 0); a
 * ReplicaSet keeps `replicas` pods `rs-xxxxx`; a StatefulSet keeps `name-0..n-1`; a DaemonSet one
 * pod; a Job `parallelism` pods. Children carry a controller ownerReference, so deleting the owner
 * lets the garbage collector remove them.
 */
export function syncReplicas(state: ClusterState, type: ResourceType, owner: JsonObject, actions: ReplicaActions): void {
  const meta = metadataOf(owner);
  if (meta['deletionTimestamp']) return;
  const namespace = String(meta['namespace']);
  const name = String(meta['name']);
  const pods = state.catalog.get('', 'v1', 'pods')!;
  const ownedPods = (): JsonObject[] => state.list(pods, namespace).filter((p) => controlledBy(p, meta['uid']));
  const behaviour = actions.behaviourOf(type, owner);
  switch (`${type.group}/${type.plural}`) {
    case 'apps/deployments': {
      const replicaSets = state.catalog.get('apps', 'v1', 'replicasets')!;
      const hash = podTemplateHash(owner);
      const current = `${name}-${hash}`;
      const owned = state.list(replicaSets, namespace).filter((rs) => controlledBy(rs, meta['uid']));
      for (const rs of owned) {
        const rsName = String(metadataOf(rs)['name']);
        const wanted = rsName === current ? replicasOf(owner) : 0;
        if (replicasOf(rs) !== wanted) actions.patch(replicaSets, namespace, rsName, { spec: { replicas: wanted } });
      }
      const existing = owned.find((rs) => metadataOf(rs)['name'] === current);
      const revision = existing ? String((metadataOf(existing)['annotations'] as JsonObject | undefined)?.[REVISION] ?? owned.length) : String(owned.length + 1);
      const annotations = isJsonObject(meta['annotations']) ? meta['annotations'] : {};
      // The Deployment controller records the current revision on the Deployment itself (an Update by kube-controller-manager).
      if (annotations[REVISION] !== revision) actions.patch(type, namespace, name, { metadata: { annotations: { [REVISION]: revision } } });
      if (existing) return;
      const selector = isJsonObject(specOf(owner)['selector']) ? (specOf(owner)['selector'] as JsonObject) : {};
      const matchLabels = isJsonObject(selector['matchLabels']) ? selector['matchLabels'] : {};
      const template = isJsonObject(specOf(owner)['template']) ? (specOf(owner)['template'] as JsonObject) : {};
      const tplMeta = metadataOf(template);
      const labels = { ...(isJsonObject(tplMeta['labels']) ? tplMeta['labels'] : {}), 'pod-template-hash': hash };
      actions.create(replicaSets, namespace, {
        metadata: {
          name: current,
          labels,
          annotations: { [REVISION]: revision, ...behaviourAnnotations(behaviour) },
          ownerReferences: [ownerReference(type, owner)],
        },
        spec: {
          replicas: replicasOf(owner),
          selector: { ...selector, matchLabels: { ...matchLabels, 'pod-template-hash': hash } },
          template: { ...template, metadata: { ...tplMeta, labels } },
        },
      });
      return;
    }
    case 'apps/replicasets':
    case 'apps/daemonsets':
    case 'batch/jobs': {
      const parallelism = specOf(owner)['parallelism'];
      const wanted = type.plural === 'daemonsets' ? 1 : type.plural === 'jobs' ? (typeof parallelism === 'number' ? parallelism : 1) : replicasOf(owner);
      const existing = ownedPods();
      const jobLabels: JsonObject = type.plural === 'jobs' ? { 'batch.kubernetes.io/job-name': name, 'job-name': name } : {};
      for (let i = existing.length; i < wanted; i++) {
        actions.create(pods, namespace, podFromTemplate(owner, type, { generateName: `${name}-`, labels: jobLabels }, behaviour));
      }
      for (const extra of existing.slice(wanted)) actions.remove(pods, namespace, String(metadataOf(extra)['name']));
      return;
    }
    case 'apps/statefulsets': {
      const wanted = replicasOf(owner);
      const existing = new Set(ownedPods().map((p) => String(metadataOf(p)['name'])));
      for (let i = 0; i < wanted; i++) {
        const podName = `${name}-${i}`;
        if (existing.has(podName)) continue;
        const labels = { 'statefulset.kubernetes.io/pod-name': podName, 'apps.kubernetes.io/pod-index': String(i), 'controller-revision-hash': `${name}-${podTemplateHash(owner)}` };
        actions.create(pods, namespace, podFromTemplate(owner, type, { name: podName, labels }, behaviour));
      }
      for (const podName of existing) {
        const index = Number(podName.slice(name.length + 1));
        if (!(index < wanted)) actions.remove(pods, namespace, podName);
      }
      return;
    }
    default:
      return;
  }
}

function isReady(pod: JsonObject): boolean {
  const status = isJsonObject(pod['status']) ? pod['status'] : {};
  const conditions = Array.isArray(status['conditions']) ? status['conditions'] : [];
  return conditions.some((c) => isJsonObject(c) && c['type'] === 'Ready' && c['status'] === 'True');
}

/**
 * How many of an owner's children are ready, as its controller counts them for status: ready pods
 * for ReplicaSets, StatefulSets and DaemonSets; the current ReplicaSet's ready replicas for a
 * Deployment. Undefined for kinds whose status does not follow children.
 */
export function readyChildrenOf(state: ClusterState, type: ResourceType, owner: JsonObject): number | undefined {
  const meta = metadataOf(owner);
  const namespace = String(meta['namespace']);
  switch (`${type.group}/${type.plural}`) {
    case 'apps/deployments': {
      const current = `${String(meta['name'])}-${podTemplateHash(owner)}`;
      const rs = state.get(state.catalog.get('apps', 'v1', 'replicasets')!, namespace, current);
      const status = rs && isJsonObject(rs['status']) ? rs['status'] : {};
      return rs && controlledBy(rs, meta['uid']) && typeof status['readyReplicas'] === 'number' ? status['readyReplicas'] : 0;
    }
    case 'apps/replicasets':
    case 'apps/statefulsets':
    case 'apps/daemonsets':
      return state.list(state.catalog.get('', 'v1', 'pods')!, namespace).filter((p) => controlledBy(p, meta['uid']) && isReady(p)).length;
    default:
      return undefined;
  }
}

/** The controller owner (kind and name) of a child, if it is one of the simulated controllers. */
export function controllerOf(state: ClusterState, child: JsonObject): { type: ResourceType; name: string } | undefined {
  const refs = metadataOf(child)['ownerReferences'];
  const controller = Array.isArray(refs) ? refs.find((r) => isJsonObject(r) && r['controller'] === true) : undefined;
  if (!isJsonObject(controller)) return undefined;
  const type = state.catalog.forKind(String(controller['apiVersion']), String(controller['kind']));
  return type && ownsReplicas(type) ? { type, name: String(controller['name']) } : undefined;
}
