import { randomUUID } from 'node:crypto';
import type { JsonObject } from '../fields/json-value.util.js';
import { ResourceCatalog } from '../schema/resource-catalog.js';
import { resourceKey, type ResourceType } from '../schema/resource-type.js';
import { WatchHub, type StoreEvent } from './watch-hub.js';

/** Tunables of one simulated cluster. */
export interface ClusterStateOptions {
  /** How many recent events a watch can resume from (the "watch cache"); default 2000. */
  readonly watchWindow?: number;
  /** Clock used for timestamps; tests can pin it. */
  readonly clock?: () => Date;
}

/** RFC 3339 at second precision, as Kubernetes serialises metav1.Time. */
export function formatTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** Namespaces every real cluster starts with. */
const INITIAL_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/**
 * The stored objects of one simulated cluster: one resourceVersion counter per instance, objects
 * per resource (`group/plural`) keyed `namespace/name`, every committed write published to the
 * watch hub. Stored objects are never mutated in place — each write stores a new object — so
 * they can be shared with watchers and readers without copying.
 */
export class ClusterState {
  readonly catalog = new ResourceCatalog();
  readonly hub: WatchHub;
  private readonly buckets = new Map<string, Map<string, JsonObject>>();
  private revision = 0;
  private nextServiceIP = 10;
  private readonly commitListeners: ((type: ResourceType, event: StoreEvent) => void)[] = [];
  private readonly clock: () => Date;

  constructor(options: ClusterStateOptions = {}) {
    this.hub = new WatchHub(options.watchWindow ?? 2000);
    this.clock = options.clock ?? (() => new Date());
    const namespaces = this.catalog.get('', 'v1', 'namespaces')!;
    for (const name of INITIAL_NAMESPACES) {
      this.commit(namespaces, 'ADDED', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name, uid: randomUUID(), creationTimestamp: this.now(), labels: { 'kubernetes.io/metadata.name': name } },
        spec: { finalizers: ['kubernetes'] },
        status: { phase: 'Active' },
      });
    }
  }

  now(): string {
    return formatTime(this.clock());
  }

  /** The next free ClusterIP in 10.96.0.0/16 (10.96.0.1 is the `kubernetes` service on a real cluster). */
  allocateClusterIP(): string {
    const n = this.nextServiceIP++;
    return `10.96.${Math.floor(n / 254) % 256}.${(n % 254) + 1}`;
  }

  get resourceVersion(): number {
    return this.revision;
  }

  get(type: ResourceType, namespace: string | undefined, name: string): JsonObject | undefined {
    return this.buckets.get(resourceKey(type))?.get(storageName(type, namespace, name));
  }

  /** Objects of one resource, optionally in one namespace, in storage-key order (as etcd lists them). */
  list(type: ResourceType, namespace?: string): JsonObject[] {
    const bucket = this.buckets.get(resourceKey(type));
    if (!bucket) return [];
    const prefix = type.namespaced && namespace !== undefined ? `${namespace}/` : '';
    return [...bucket.entries()]
      .filter(([key]) => key.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, obj]) => obj);
  }

  /** Every namespaced object in a namespace, across resources (for namespace deletion). */
  contentsOf(namespace: string): { type: ResourceType; object: JsonObject }[] {
    const out: { type: ResourceType; object: JsonObject }[] = [];
    const seen = new Set<string>();
    for (const type of this.catalog.all()) {
      const key = resourceKey(type);
      if (!type.namespaced || seen.has(key)) continue;
      seen.add(key);
      for (const object of this.list(type, namespace)) out.push({ type, object });
    }
    return out;
  }

  /**
   * Stores (or deletes) an object with the next resourceVersion and publishes the event.
   * Returns the stored object, whose metadata.resourceVersion is the new version.
   */
  commit(type: ResourceType, eventType: StoreEvent['type'], object: JsonObject, previous?: JsonObject): JsonObject {
    const meta = object['metadata'] as JsonObject;
    const namespace = type.namespaced ? (meta['namespace'] as string) : undefined;
    const name = meta['name'] as string;
    this.revision += 1;
    const stored: JsonObject = { ...object, metadata: { ...meta, resourceVersion: String(this.revision) } };
    const key = resourceKey(type);
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new Map();
      this.buckets.set(key, bucket);
    }
    if (eventType === 'DELETED') bucket.delete(storageName(type, namespace, name));
    else bucket.set(storageName(type, namespace, name), stored);
    const event: StoreEvent = { type: eventType, resourceKey: key, namespace, resourceVersion: this.revision, object: stored, previous };
    this.hub.publish(event);
    for (const listener of this.commitListeners) listener(type, event);
    return stored;
  }

  /** Registers a callback run after every committed write (controllers react to these). */
  onCommit(listener: (type: ResourceType, event: StoreEvent) => void): void {
    this.commitListeners.push(listener);
  }

  /** Every stored object with its type; namespaced ones optionally limited to one namespace. */
  allObjects(namespace?: string): { type: ResourceType; object: JsonObject }[] {
    if (namespace !== undefined) return this.contentsOf(namespace);
    const out: { type: ResourceType; object: JsonObject }[] = [];
    const seen = new Set<string>();
    for (const type of this.catalog.all()) {
      const key = resourceKey(type);
      if (seen.has(key)) continue;
      seen.add(key);
      for (const object of this.list(type)) out.push({ type, object });
    }
    return out;
  }

  /** Number of stored objects (all resources). */
  get size(): number {
    let n = 0;
    for (const bucket of this.buckets.values()) n += bucket.size;
    return n;
  }
}

function storageName(type: ResourceType, namespace: string | undefined, name: string): string {
  return type.namespaced ? `${namespace ?? ''}/${name}` : name;
}
