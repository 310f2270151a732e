import type { Configuration } from '@kubernetes/client-node/dist/gen/configuration.js';
import { createConfiguration, HttpMethod, PatchStrategy, RequestContext, ServerConfiguration, Watch } from './client-node.loader.js';
import { ClusterApiError } from './cluster-api.error.js';
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
} from './cluster-client.js';
import { KeepAliveKubeConfig } from './keep-alive-kube-config.js';
import { ResumingWatch } from './resuming-watch.js';

/** Where the client finds its cluster: in-cluster service account (default) or a kubeconfig. */
export interface KubernetesClusterClientOptions {
  /** A kubeconfig file; omitted (with no `kubeconfig` either), the in-cluster service account is used. */
  readonly kubeconfigPath?: string;
  /** A kubeconfig as YAML text, e.g. from a Secret. */
  readonly kubeconfig?: string;
  /** The context to use; the kubeconfig's current context when omitted. */
  readonly context?: string;
}

interface ResourceListJson {
  groupVersion: string;
  resources: { name: string; kind: string; namespaced: boolean; verbs: string[] }[];
}

/**
 * ClusterClient over `@kubernetes/client-node`: its KubeConfig (auth, TLS, exec plugins) and its
 * HTTP layer, with one keep-alive connection pool. Objects stay plain JSON (client-node's typed
 * models would drop fields they do not know and turn timestamps into Dates, which drift
 * comparison must not see). Scope comes from discovery, cached per group/version and refreshed
 * when a kind is unknown (a CRD established since).
 */
export class KubernetesClusterClient implements ClusterClient {
  private readonly config: Configuration;
  private readonly scopes = new Map<string, Map<string, { plural: string; namespaced: boolean }>>();
  private readonly watches = new Set<ClusterWatch>();

  constructor(
    readonly kubeConfig: KeepAliveKubeConfig,
    private readonly server = kubeConfig.getCurrentCluster()?.server ?? '',
  ) {
    if (!this.server) throw new Error('the kubeconfig names no cluster server');
    this.config = createConfiguration({ baseServer: new ServerConfiguration(this.server, {}), authMethods: { default: kubeConfig } });
  }

  /** In-cluster config by default; any kubeconfig otherwise (design.md §6). */
  static create(options: KubernetesClusterClientOptions = {}): KubernetesClusterClient {
    const kc = new KeepAliveKubeConfig();
    if (options.kubeconfig !== undefined) kc.loadFromString(options.kubeconfig);
    else if (options.kubeconfigPath !== undefined) kc.loadFromFile(options.kubeconfigPath);
    else kc.loadFromCluster();
    if (options.context) kc.setCurrentContext(options.context);
    return new KubernetesClusterClient(kc);
  }

  async discover(): Promise<ApiResourceInfo[]> {
    const groups = (await this.request('GET', '/apis')) as { groups: { versions: { groupVersion: string }[] }[] };
    const groupVersions = ['v1', ...groups.groups.flatMap((g) => g.versions.map((v) => v.groupVersion))];
    const lists = await Promise.all(groupVersions.map((gv) => this.resourceList(gv).catch(() => undefined)));
    return lists.flatMap((list) => {
      if (!list) return [];
      const [group, version] = list.groupVersion.includes('/') ? list.groupVersion.split('/') : ['', list.groupVersion];
      const subresources = new Map<string, string[]>();
      for (const r of list.resources) {
        const [plural, sub] = r.name.split('/');
        if (sub) subresources.set(plural!, [...(subresources.get(plural!) ?? []), sub]);
      }
      return list.resources
        .filter((r) => !r.name.includes('/'))
        .map((r) => ({ group: group!, version: version!, kind: r.kind, plural: r.name, namespaced: r.namespaced, verbs: r.verbs, subresources: subresources.get(r.name) ?? [] }));
    });
  }

  async get(key: ObjectKey): Promise<KubeObject | undefined> {
    try {
      return (await this.request('GET', await this.path(key))) as KubeObject;
    } catch (err) {
      if (err instanceof ClusterApiError && err.code === 404) return undefined;
      throw err;
    }
  }

  async list(apiVersion: string, kind: string, options: ClusterListOptions = {}): Promise<KubeObjectList> {
    const path = await this.collectionPath(apiVersion, kind, options.namespace);
    const body = (await this.request('GET', path, {
      labelSelector: options.labelSelector,
      fieldSelector: options.fieldSelector,
      limit: options.limit?.toString(),
      continue: options.continue,
    })) as { items: KubeObject[]; metadata: { resourceVersion: string; continue?: string } };
    return {
      // List items come without apiVersion/kind; the interface promises them.
      items: body.items.map((item) => ({ ...item, apiVersion, kind })),
      resourceVersion: body.metadata.resourceVersion,
      ...(body.metadata.continue ? { continue: body.metadata.continue } : {}),
    };
  }

  async apply(object: KubeObject, options: ClusterApplyOptions): Promise<KubeObject> {
    const path = await this.path({ apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name, namespace: object.metadata.namespace });
    const query = { fieldManager: options.fieldManager, force: options.force ? 'true' : undefined, dryRun: options.dryRun ? 'All' : undefined };
    return (await this.request('PATCH', path, query, JSON.stringify(object), PatchStrategy.ServerSideApply)) as KubeObject;
  }

  async delete(key: ObjectKey, options: ClusterDeleteOptions = {}): Promise<'deleted' | 'pending' | 'absent'> {
    const body = { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: options.propagationPolicy, dryRun: options.dryRun ? ['All'] : undefined };
    try {
      const result = (await this.request('DELETE', await this.path(key), {}, JSON.stringify(body), 'application/json')) as KubeObject;
      // A Status means gone; an object means it still exists with a deletionTimestamp (finalizers).
      return result.kind === 'Status' || !result.metadata?.deletionTimestamp ? 'deleted' : 'pending';
    } catch (err) {
      if (err instanceof ClusterApiError && err.code === 404) return 'absent';
      throw err;
    }
  }

  watch(apiVersion: string, kind: string, options: ClusterWatchOptions, onEvent: (event: ClusterWatchEvent) => void): ClusterWatch {
    const watcher = new Watch(this.kubeConfig);
    const handle = new ResumingWatch({
      path: () => this.collectionPath(apiVersion, kind, options.namespace),
      list: () => this.listAll(apiVersion, kind, options),
      open: (path, resourceVersion, onRaw, onEnd) =>
        watcher.watch(
          path,
          { resourceVersion, labelSelector: options.labelSelector, allowWatchBookmarks: true },
          (type: string, object: KubeObject) => onRaw(type as ClusterWatchEvent['type'], object),
          (err: unknown) => onEnd(err),
        ),
      typeMeta: { apiVersion, kind },
      resourceVersion: options.resourceVersion,
      bookmarks: options.allowBookmarks ?? false,
      onEvent,
    });
    this.watches.add(handle);
    void handle.closed.then(() => this.watches.delete(handle));
    handle.start();
    return handle;
  }

  /** Stops every watch and closes the connection pool. */
  async close(): Promise<void> {
    for (const w of [...this.watches]) w.stop();
    await Promise.all([...this.watches].map((w) => w.closed));
    await this.kubeConfig.closeConnections();
  }

  private async listAll(apiVersion: string, kind: string, options: ClusterWatchOptions): Promise<KubeObjectList> {
    return this.list(apiVersion, kind, { namespace: options.namespace, labelSelector: options.labelSelector });
  }

  private async resourceList(groupVersion: string): Promise<ResourceListJson> {
    const list = (await this.request('GET', groupVersion.includes('/') ? `/apis/${groupVersion}` : `/api/${groupVersion}`)) as ResourceListJson;
    const kinds = new Map(list.resources.filter((r) => !r.name.includes('/')).map((r) => [r.kind, { plural: r.name, namespaced: r.namespaced }]));
    this.scopes.set(groupVersion, kinds);
    return list;
  }

  private async scopeOf(apiVersion: string, kind: string): Promise<{ plural: string; namespaced: boolean }> {
    let scope = this.scopes.get(apiVersion)?.get(kind);
    if (!scope) {
      await this.resourceList(apiVersion).catch((err: unknown) => {
        if (!(err instanceof ClusterApiError && err.code === 404)) throw err;
      });
      scope = this.scopes.get(apiVersion)?.get(kind);
    }
    if (!scope) throw new ClusterApiError(404, `the server could not find the requested resource: no kind "${kind}" is registered for version "${apiVersion}"`, 'NotFound');
    return scope;
  }

  private async collectionPath(apiVersion: string, kind: string, namespace: string | undefined): Promise<string> {
    const scope = await this.scopeOf(apiVersion, kind);
    const root = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    return scope.namespaced && namespace ? `${root}/namespaces/${encodeURIComponent(namespace)}/${scope.plural}` : `${root}/${scope.plural}`;
  }

  private async path(key: ObjectKey): Promise<string> {
    const scope = await this.scopeOf(key.apiVersion, key.kind);
    return `${await this.collectionPath(key.apiVersion, key.kind, scope.namespaced ? (key.namespace ?? 'default') : undefined)}/${encodeURIComponent(key.name)}`;
  }

  private async request(method: keyof typeof HttpMethod, path: string, query: Record<string, string | undefined> = {}, body?: string, contentType?: string): Promise<unknown> {
    const context = new RequestContext(`${this.server.replace(/\/$/, '')}${path}`, HttpMethod[method]);
    for (const [name, value] of Object.entries(query)) if (value !== undefined) context.setQueryParam(name, value);
    context.setHeaderParam('Accept', 'application/json');
    if (body !== undefined) {
      context.setHeaderParam('Content-Type', contentType ?? 'application/json');
      context.setBody(body);
    }
    await this.kubeConfig.applySecurityAuthentication(context);
    const response = await this.config.httpApi.send(context).toPromise();
    const text = await response.body.text();
    const parsed: unknown = text ? JSON.parse(text) : {};
    if (response.httpStatusCode >= 200 && response.httpStatusCode < 300) return parsed;
    const status = parsed as { message?: string; reason?: string };
    throw new ClusterApiError(response.httpStatusCode, status.message ?? `HTTP ${response.httpStatusCode} from ${method} ${path}`, status.reason);
  }
}
