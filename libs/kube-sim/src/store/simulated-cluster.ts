import { isJsonObject, type JsonObject, type JsonValue } from '../fields/json-value.util.js';
import type { ResourceType } from '../schema/resource-type.js';
import { invalid, KubeApiError, notFound, pathNotFound } from './api-status.error.js';
import type {
  ApplyOptions,
  DeleteOptions,
  DeleteResult,
  ListOptions,
  ObjectRef,
  PatchType,
  WatchOptions,
  WriteOptions,
  WriteResult,
} from './api-request.js';
import { metadataOf } from './api-request.js';
import { ClusterState, type ClusterStateOptions } from './cluster-state.js';
import { createObject } from './create-verb.js';
import { crdName, customResourceTypes, establishedStatus } from './crd-registry.js';
import { deleteCollection, deleteObject, finalizeNamespace } from './delete-verb.js';
import { collectGarbage, type CollectorActions } from './garbage-collector.js';
import { getObject, listObjects } from './read-verb.js';
import { patchObject, updateObject } from './update-verb.js';
import type { WatchEvent, WatchHandle } from './watch-hub.js';
import { watchObjects } from './watch-verb.js';
import { controllerOf, ownsReplicas, readyChildrenOf, syncReplicas, type ReplicaActions } from './replica.controller.js';
import { behaviourOf, isSimulatedWorkload, simulatedStatus, type WorkloadBehaviour } from './workload-status.controller.js';

/** Options of one simulated cluster (storage, watch and controller timing). */
export interface SimulatedClusterOptions extends ClusterStateOptions {
  /** Interval of watch BOOKMARK events when a client allows them; default 10 s (upstream: about a minute). */
  readonly bookmarkIntervalMs?: number;
  /** Delay before the simulated controllers move a workload's status; default 20 ms. */
  readonly controllerDelayMs?: number;
  /** Whether workloads get ReplicaSets and Pods as on a real cluster; default true (turn off for very large simulations). */
  readonly simulatePods?: boolean;
  /** PEM published in every namespace's `kube-root-ca.crt` ConfigMap (the server passes its CA). */
  readonly rootCA?: string;
}

/**
 * The Kubernetes API semantics of one cluster, without HTTP: every verb, with the side effects
 * the built-in controllers add (namespace population and cascade, CRD establishment, garbage
 * collection, replica controllers, workload status, Job TTL), run asynchronously after
 * `controllerDelayMs` as real controllers react to watch events. The HTTP server and the
 * in-memory ClusterClient both call this, so the semantics exist once. All verbs throw
 * KubeApiError with the upstream Status on failure.
 */
export class SimulatedCluster {
  readonly state: ClusterState;
  private readonly bookmarkIntervalMs: number;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly watches = new Set<WatchHandle>();
  private closed = false;
  private readonly controllerDelayMs: number;
  private readonly behaviours = new Map<string, WorkloadBehaviour>();
  private readonly simulatePods: boolean;
  private readonly rootCA: string;

  constructor(options: SimulatedClusterOptions = {}) {
    this.state = new ClusterState(options);
    this.bookmarkIntervalMs = options.bookmarkIntervalMs ?? 10_000;
    this.controllerDelayMs = options.controllerDelayMs ?? 20;
    this.simulatePods = options.simulatePods ?? true;
    this.rootCA = options.rootCA ?? '';
    const namespaces = this.resource('', 'v1', 'namespaces');
    for (const ns of this.state.list(namespaces)) this.populateNamespace(String(metadataOf(ns)['name']));
    this.state.onCommit((type, event) => {
      const meta = metadataOf(event.object);
      if (type === namespaces && event.type === 'ADDED') this.defer(() => this.populateNamespace(String(meta['name'])));
      if (this.simulatePods && type.namespaced) this.onChildChanged(type, event.type, event.object);
      if (event.type === 'DELETED' || (meta['deletionTimestamp'] && Array.isArray(meta['finalizers']))) {
        this.defer(() => collectGarbage(this.state, type, event, this.collectorActions));
      }
    });
  }

  /** The served resource for group/version/plural, or the 404 the real server gives for an unknown path. */
  resource(group: string, version: string, plural: string): ResourceType {
    const type = this.state.catalog.get(group, version, plural);
    if (!type) throw pathNotFound();
    return type;
  }

  /** The served resource for apiVersion/kind (a RESTMapper lookup). */
  resourceForKind(apiVersion: string, kind: string): ResourceType {
    const type = this.state.catalog.forKind(apiVersion, kind);
    if (!type) {
      const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
      throw notFound({ group: group ?? '', resource: `${kind} in version "${version}"` });
    }
    return type;
  }

  get(ref: ObjectRef): JsonObject {
    return getObject(this.state, ref);
  }

  list(ref: ObjectRef, options: ListOptions = {}): JsonObject {
    return listObjects(this.state, ref, options);
  }

  create(ref: ObjectRef, body: JsonValue, options: WriteOptions = {}): WriteResult {
    if (isCrd(ref) && isJsonObject(body)) validateCrd(body);
    return this.after(ref, createObject(this.state, ref, body, options), options.dryRun);
  }

  update(ref: ObjectRef, body: JsonValue, options: WriteOptions = {}): WriteResult {
    return this.after(ref, updateObject(this.state, ref, body, options), options.dryRun);
  }

  patch(ref: ObjectRef, patchType: PatchType, body: JsonValue, options: ApplyOptions = {}): WriteResult {
    return this.after(ref, patchObject(this.state, ref, patchType, body, options), options.dryRun);
  }

  delete(ref: ObjectRef, options: DeleteOptions = {}): DeleteResult {
    const result = deleteObject(this.state, ref, options);
    if (!options.dryRun) this.afterDelete(ref, result.object, result.finished);
    return result;
  }

  deleteCollection(ref: ObjectRef, list: ListOptions = {}, options: DeleteOptions = {}): JsonObject {
    const result = deleteCollection(this.state, ref, list, options);
    if (!options.dryRun) for (const item of result['items'] as JsonObject[]) this.afterDelete({ ...ref, namespace: metadataOf(item)['namespace'] as string | undefined }, item, true);
    return result;
  }

  watch(ref: ObjectRef, options: WatchOptions, deliver: (event: WatchEvent) => void): WatchHandle {
    const handle = watchObjects(this.state, ref, options, deliver, this.bookmarkIntervalMs);
    const tracked: WatchHandle = {
      stop: () => {
        handle.stop();
        this.watches.delete(tracked);
      },
    };
    this.watches.add(tracked);
    return tracked;
  }

  /**
   * Makes a simulated workload (Deployment, StatefulSet, DaemonSet, Job) healthy, never ready, or
   * failed — the API alternative to the kube-sim.flotilla.dev/never-ready|fail annotations.
   */
  setWorkloadBehaviour(ref: ObjectRef, behaviour: WorkloadBehaviour): void {
    this.behaviours.set(workloadKey(ref), behaviour);
    this.scheduleStatus(ref);
  }

  /** What the service-account and root-CA publisher controllers put in every namespace. */
  private populateNamespace(namespace: string): void {
    const options = { fieldManager: 'kube-controller-manager' };
    const serviceAccounts: ObjectRef = { type: this.resource('', 'v1', 'serviceaccounts'), namespace };
    const configMaps: ObjectRef = { type: this.resource('', 'v1', 'configmaps'), namespace };
    if (!this.state.get(serviceAccounts.type, namespace, 'default')) this.create(serviceAccounts, { metadata: { name: 'default' } }, options);
    if (!this.state.get(configMaps.type, namespace, 'kube-root-ca.crt')) {
      this.create(configMaps, { metadata: { name: 'kube-root-ca.crt', annotations: { 'kubernetes.io/description': 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.' } }, data: { 'ca.crt': this.rootCA } }, options);
    }
  }

  /** Stops controllers and watches; the stored state stays readable. */
  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const w of [...this.watches]) w.stop();
  }

  /** Runs controller work after the current request, as the real controllers react asynchronously. */
  defer(work: () => void, delayMs = 0): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.closed) return;
      try {
        work();
      } catch (err) {
        // A controller failing on one object must not take the API server down; real controllers retry.
        if (!(err instanceof KubeApiError)) throw err;
      }
    }, delayMs);
    this.timers.add(timer);
  }

  private after(ref: ObjectRef, result: WriteResult, dryRun: boolean | undefined): WriteResult {
    if (dryRun) return result;
    if (isCrd(ref)) this.syncCrd(result.object);
    const meta = metadataOf(result.object);
    if (isSimulatedWorkload(ref.type) && ref.subresource !== 'status' && !meta['deletionTimestamp']) this.scheduleStatus({ ...ref, name: meta['name'] as string });
    if (this.simulatePods && ownsReplicas(ref.type) && ref.subresource !== 'status' && !meta['deletionTimestamp']) this.scheduleReplicas({ ...ref, name: meta['name'] as string });
    if (meta['deletionTimestamp'] && ref.type.namespaced) this.defer(() => finalizeNamespace(this.state, meta['namespace'] as string));
    return result;
  }

  private afterDelete(ref: ObjectRef, object: JsonObject, finished: boolean): void {
    if (ref.type.group === '' && ref.type.plural === 'namespaces') {
      const name = metadataOf(object)['name'] as string;
      this.defer(() => finalizeNamespace(this.state, name));
      return;
    }
    if (isCrd(ref) && finished) {
      this.removeCrd(object);
      return;
    }
    if (ref.type.namespaced && finished) {
      const ns = metadataOf(object)['namespace'] as string;
      this.defer(() => finalizeNamespace(this.state, ns));
    }
  }

  private readonly collectorActions: CollectorActions = {
    deleteObject: (type, object) => {
      const meta = metadataOf(object);
      this.delete({ type, namespace: meta['namespace'] as string | undefined, name: meta['name'] as string }, { propagationPolicy: 'Background' });
    },
    patchMetadata: (type, object, metadata) => {
      const meta = metadataOf(object);
      const ref = { type, namespace: meta['namespace'] as string | undefined, name: meta['name'] as string };
      this.patch(ref, 'merge', { metadata }, { fieldManager: 'kube-controller-manager' });
    },
  };

  /** Like the workload controllers, converges status to what the pods would report, after the controller delay. */
  private scheduleStatus(ref: ObjectRef): void {
    this.defer(() => {
      const live = this.state.get(ref.type, ref.namespace, ref.name ?? '');
      if (!live || metadataOf(live)['deletionTimestamp']) return;
      const readyChildren = this.simulatePods ? readyChildrenOf(this.state, ref.type, live) : undefined;
      const status = simulatedStatus(ref.type, live, behaviourOf(live, this.behaviours.get(workloadKey(ref))), this.state.now(), readyChildren);
      if (!status) return;
      const written = this.update({ ...ref, subresource: 'status' }, { ...live, status }, { fieldManager: 'kube-controller-manager' }).object;
      this.scheduleTtlCleanup(ref, written);
    }, this.controllerDelayMs);
  }

  private readonly replicaActions: ReplicaActions = {
    create: (type, namespace, body) => {
      this.create({ type, namespace }, body, { fieldManager: 'kube-controller-manager' });
    },
    patch: (type, namespace, name, patch) => {
      this.patch({ type, namespace, name }, 'merge', patch, { fieldManager: 'kube-controller-manager' });
    },
    remove: (type, namespace, name) => {
      this.delete({ type, namespace, name }, { propagationPolicy: 'Background' });
    },
    behaviourOf: (type, object) => behaviourOf(object, this.behaviours.get(workloadKey({ type, namespace: metadataOf(object)['namespace'] as string, name: metadataOf(object)['name'] as string }))),
  };

  /** The replica controllers (Deployment → ReplicaSet → Pods, StatefulSet, DaemonSet, Job pods), after the controller delay. */
  private scheduleReplicas(ref: ObjectRef): void {
    this.defer(() => {
      const live = this.state.get(ref.type, ref.namespace, ref.name ?? '');
      if (live) syncReplicas(this.state, ref.type, live, this.replicaActions);
    }, this.controllerDelayMs);
  }

  /**
   * Controllers watch their children: a deleted child is replaced (a deleted pod comes back), and
   * a child's status change refreshes the owner's status (pods → ReplicaSet → Deployment).
   */
  private onChildChanged(type: ResourceType, eventType: string, child: JsonObject): void {
    const owner = controllerOf(this.state, child);
    if (!owner) return;
    const ref: ObjectRef = { type: owner.type, namespace: metadataOf(child)['namespace'] as string, name: owner.name };
    if (eventType === 'DELETED') this.scheduleReplicas(ref);
    if (type.plural === 'pods' || type.plural === 'replicasets') this.scheduleStatus(ref);
  }

  /** The TTL-after-finished controller: a finished Job with `ttlSecondsAfterFinished` is deleted (with its dependents) when it expires. */
  private scheduleTtlCleanup(ref: ObjectRef, job: JsonObject): void {
    const spec = job['spec'];
    const ttl = isJsonObject(spec) ? spec['ttlSecondsAfterFinished'] : undefined;
    const conditions = isJsonObject(job['status']) && Array.isArray(job['status']['conditions']) ? job['status']['conditions'] : [];
    const finished = conditions.some((c) => isJsonObject(c) && (c['type'] === 'Complete' || c['type'] === 'Failed') && c['status'] === 'True');
    if (ref.type.plural !== 'jobs' || typeof ttl !== 'number' || !finished) return;
    const uid = metadataOf(job)['uid'];
    this.defer(() => {
      const live = this.state.get(ref.type, ref.namespace, ref.name ?? '');
      if (live && metadataOf(live)['uid'] === uid) this.delete(ref, { propagationPolicy: 'Background' });
    }, ttl * 1000);
  }

  /** Registers a CRD's resources and, like the apiextensions controller, marks it Established. */
  private syncCrd(crd: JsonObject): void {
    const crds = this.state.catalog.get('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')!;
    this.state.catalog.setCustom(crdName(crd), customResourceTypes(crd));
    this.defer(() => {
      const live = this.state.get(crds, undefined, crdName(crd));
      if (!live || isJsonObject(live['status']) && Array.isArray(live['status']['conditions'])) return;
      this.state.commit(crds, 'MODIFIED', { ...live, status: establishedStatus(live, this.state.now()) }, live);
    });
  }

  private removeCrd(crd: JsonObject): void {
    // All served versions share one storage (group/plural), so clearing through the first type clears them all.
    const [first] = customResourceTypes(crd);
    if (first) for (const obj of this.state.list(first)) this.state.commit(first, 'DELETED', obj, obj);
    this.state.catalog.removeCustom(crdName(crd));
  }
}

function workloadKey(ref: ObjectRef): string {
  return `${ref.type.group}/${ref.type.plural}/${ref.namespace ?? ''}/${ref.name ?? ''}`;
}

function isCrd(ref: ObjectRef): boolean {
  return ref.type.group === 'apiextensions.k8s.io' && ref.type.plural === 'customresourcedefinitions';
}

/** The CRD rules clients trip over most: the name must be `<plural>.<group>`. */
function validateCrd(body: JsonObject): void {
  const spec = isJsonObject(body['spec']) ? body['spec'] : {};
  const names = isJsonObject(spec['names']) ? spec['names'] : {};
  const expected = `${String(names['plural'] ?? '')}.${String(spec['group'] ?? '')}`;
  const name = metadataOf(body)['name'];
  if (name !== expected) {
    throw invalid('CustomResourceDefinition', 'apiextensions.k8s.io', String(name ?? ''), [
      { type: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(name)}: must be spec.names.plural+"."+spec.group`, field: 'metadata.name' },
    ]);
  }
}
