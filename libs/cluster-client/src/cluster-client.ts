/**
 * The narrow view of a Kubernetes cluster the Flotilla agent works through (design.md §6). Two
 * implementations exist: `KubernetesClusterClient` here, over `@kubernetes/client-node`, for real
 * clusters, and kube-sim's `InMemoryClusterClient` for simulations. Failures are thrown as errors
 * carrying the upstream Status `code` (404, 409, 410, …) and message, whichever implementation is used.
 */
export interface ClusterClient {
  /** The resources the cluster serves (preferred and other versions), including CRD-defined ones. */
  discover(): Promise<ApiResourceInfo[]>;
  /** One object, or undefined when it does not exist. */
  get(key: ObjectKey): Promise<KubeObject | undefined>;
  list(apiVersion: string, kind: string, options?: ClusterListOptions): Promise<KubeObjectList>;
  /** Server-side apply (PATCH application/apply-patch+yaml); creates the object when missing. */
  apply(object: KubeObject, options: ClusterApplyOptions): Promise<KubeObject>;
  /** `deleted` when gone, `pending` when finalizers hold it, `absent` when there was nothing to delete. */
  delete(key: ObjectKey, options?: ClusterDeleteOptions): Promise<'deleted' | 'pending' | 'absent'>;
  watch(apiVersion: string, kind: string, options: ClusterWatchOptions, onEvent: (event: ClusterWatchEvent) => void): ClusterWatch;
}

/** A Kubernetes object as JSON: apiVersion, kind and metadata are always present on returned objects. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: KubeObjectMeta;
  [field: string]: unknown;
}

/** The ObjectMeta fields the agent reads; others pass through untyped. */
export interface KubeObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  deletionTimestamp?: string;
  managedFields?: unknown[];
  [field: string]: unknown;
}

/** Identifies one object; `namespace` is ignored for cluster-scoped kinds. */
export interface ObjectKey {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
}

/** A served resource as discovery describes it. */
export interface ApiResourceInfo {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
  readonly verbs: readonly string[];
  readonly subresources: readonly string[];
}

/** One page of a list, with the resourceVersion to watch from. */
export interface KubeObjectList {
  readonly items: KubeObject[];
  readonly resourceVersion: string;
  /** Set when `limit` cut the list; pass it back as `continue`. */
  readonly continue?: string;
}

/** Scope, selectors and paging of a list; namespace omitted lists all namespaces. */
export interface ClusterListOptions {
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly limit?: number;
  readonly continue?: string;
}

/** Server-side apply settings; `force` takes conflicting fields from other managers. */
export interface ClusterApplyOptions {
  readonly fieldManager: string;
  readonly force?: boolean;
  readonly dryRun?: boolean;
}

/** Delete settings; propagation as the API server's DeleteOptions. */
export interface ClusterDeleteOptions {
  readonly dryRun?: boolean;
  readonly propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
}

/** Scope and start of a watch. */
export interface ClusterWatchOptions {
  readonly namespace?: string;
  readonly labelSelector?: string;
  /** Resume after this version; omitted: start with an ADDED event per existing object. */
  readonly resourceVersion?: string;
  readonly allowBookmarks?: boolean;
}

/** A watch event; ERROR carries a Status (e.g. 410 Expired: relist and watch again). */
export interface ClusterWatchEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  readonly object: KubeObject;
}

/** A running watch; `stop` is idempotent. `closed` settles when the watch ends for any reason. */
export interface ClusterWatch {
  stop(): void;
  readonly closed: Promise<void>;
}
