import { cloneJson, type JsonObject } from '../fields/json-value.util.js';
import { apiVersionOf, type ResourceType } from '../schema/resource-type.js';
import { KubeApiError } from '../store/api-status.error.js';
import type { ObjectRef } from '../store/api-request.js';
import type { SimulatedCluster } from '../store/simulated-cluster.js';
import type {
  ApiResourceInfo,
  ClusterApplyOptions,
  ClusterClient,
  ClusterDeleteOptions,
  ClusterListOptions,
  ClusterWatch,
  ClusterWatchEvent,
  ClusterWatchOptions,
  KubeObject,
  KubeObjectList,
  ObjectKey,
} from '@flotilla/cluster-client';

/**
 * ClusterClient over a SimulatedCluster without HTTP: the same storage, validation and apply
 * engine the HTTP server uses, so large simulations skip sockets but keep Kubernetes semantics.
 * Objects are copied in and out (callers never share storage), and watch events are delivered
 * asynchronously, as over a real connection, so a handler may write back without re-entrancy.
 */
export class InMemoryClusterClient implements ClusterClient {
  constructor(private readonly cluster: SimulatedCluster) {}

  async discover(): Promise<ApiResourceInfo[]> {
    return this.cluster.state.catalog.all().map((t) => ({
      group: t.group,
      version: t.version,
      kind: t.kind,
      plural: t.plural,
      namespaced: t.namespaced,
      verbs: [...t.verbs],
      subresources: t.subresources.map((s) => s.name),
    }));
  }

  async get(key: ObjectKey): Promise<KubeObject | undefined> {
    try {
      return out(this.cluster.get(this.ref(key)));
    } catch (err) {
      if (err instanceof KubeApiError && err.code === 404) return undefined;
      throw err;
    }
  }

  async list(apiVersion: string, kind: string, options: ClusterListOptions = {}): Promise<KubeObjectList> {
    const type = this.cluster.resourceForKind(apiVersion, kind);
    const list = this.cluster.list({ type, namespace: type.namespaced ? options.namespace : undefined }, options);
    const meta = list['metadata'] as JsonObject;
    return {
      items: (list['items'] as JsonObject[]).map((o) => withTypeMeta(type, o)),
      resourceVersion: String(meta['resourceVersion']),
      ...(typeof meta['continue'] === 'string' ? { continue: meta['continue'] } : {}),
    };
  }

  async apply(object: KubeObject, options: ClusterApplyOptions): Promise<KubeObject> {
    const ref = this.ref({ apiVersion: object.apiVersion, kind: object.kind, name: object.metadata?.name, namespace: object.metadata?.namespace });
    const result = this.cluster.patch(ref, 'apply', cloneJson(object) as unknown as JsonObject, {
      fieldManager: options.fieldManager,
      force: options.force ?? false,
      dryRun: options.dryRun ?? false,
    });
    return out(result.object);
  }

  async delete(key: ObjectKey, options: ClusterDeleteOptions = {}): Promise<'deleted' | 'pending' | 'absent'> {
    try {
      return this.cluster.delete(this.ref(key), options).finished ? 'deleted' : 'pending';
    } catch (err) {
      if (err instanceof KubeApiError && err.code === 404) return 'absent';
      throw err;
    }
  }

  watch(apiVersion: string, kind: string, options: ClusterWatchOptions, onEvent: (event: ClusterWatchEvent) => void): ClusterWatch {
    const type = this.cluster.resourceForKind(apiVersion, kind);
    let settle: () => void = () => undefined;
    const closed = new Promise<void>((resolve) => (settle = resolve));
    let stopped = false;
    const deliver = (event: ClusterWatchEvent): void => {
      queueMicrotask(() => {
        if (!stopped) onEvent(event);
      });
    };
    let handle: { stop(): void } | undefined;
    try {
      handle = this.cluster.watch(
        { type, namespace: type.namespaced ? options.namespace : undefined },
        { labelSelector: options.labelSelector, resourceVersion: options.resourceVersion, allowWatchBookmarks: options.allowBookmarks },
        (e) => deliver({ type: e.type, object: e.type === 'BOOKMARK' ? (cloneJson(e.object) as unknown as KubeObject) : withTypeMeta(type, e.object) }),
      );
    } catch (err) {
      if (!(err instanceof KubeApiError)) throw err;
      // As over HTTP, a watch that cannot start (410 Expired) is one ERROR event, then the end.
      deliver({ type: 'ERROR', object: cloneJson(err.status) as unknown as KubeObject });
      queueMicrotask(() => {
        stopped = true;
        settle();
      });
    }
    return {
      stop: () => {
        if (stopped) return;
        stopped = true;
        handle?.stop();
        settle();
      },
      closed,
    };
  }

  private ref(key: { apiVersion: string; kind: string; name?: string; namespace?: string }): ObjectRef {
    const type = this.cluster.resourceForKind(key.apiVersion, key.kind);
    return { type, namespace: type.namespaced ? (key.namespace ?? 'default') : undefined, name: key.name };
  }
}

function out(obj: JsonObject): KubeObject {
  return cloneJson(obj) as unknown as KubeObject;
}

function withTypeMeta(type: ResourceType, obj: JsonObject): KubeObject {
  return { apiVersion: apiVersionOf(type), kind: type.kind, ...(cloneJson(obj) as object) } as KubeObject;
}
