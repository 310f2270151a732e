import {
  ApiException,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  ListWatch,
  PatchStrategy,
  Watch,
  type KubernetesObject,
  type V1ConfigMap,
} from '@kubernetes/client-node';
import { KubeSimServer } from '@flotilla/kube-sim';

interface Deployment extends KubernetesObject {
  spec?: { replicas?: number; template?: { spec?: { containers?: { name: string; image?: string }[] } } };
}

async function until<T>(probe: () => T | undefined, what: string, deadlineMs = 5000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function failure(promise: Promise<unknown>): Promise<{ code: number; body: { reason?: string; message?: string } }> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ApiException) {
      const body = typeof err.body === 'string' ? (JSON.parse(err.body) as { reason?: string; message?: string }) : (err.body as { reason?: string });
      return { code: err.code, body };
    }
    throw err;
  }
  throw new Error('expected the request to fail');
}

function deployment(replicas: number, image: string): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image }] } },
    } as Deployment['spec'],
  };
}

describe('kube-sim through @kubernetes/client-node', () => {
  let server: KubeSimServer;
  let kc: KubeConfig;
  let objects: KubernetesObjectApi;
  let core: CoreV1Api;

  beforeAll(async () => {
    server = await KubeSimServer.start({ bookmarkIntervalMs: 50, watchWindow: 100 });
    kc = new KubeConfig();
    kc.loadFromFile(server.kubeconfigPath);
    objects = KubernetesObjectApi.makeApiClient(kc);
    core = kc.makeApiClient(CoreV1Api);
  });
  afterAll(async () => {
    await server.close();
  });

  it('server-side applies: create, update, conflict with another manager, force takes ownership', async () => {
    const created = (await objects.patch(deployment(2, 'nginx:1'), undefined, undefined, 'flotilla', false, PatchStrategy.ServerSideApply)) as Deployment;
    expect(created.metadata?.generation).toBe(1);
    expect(created.metadata?.managedFields?.map((m) => [m.manager, m.operation])).toEqual([['flotilla', 'Apply']]);

    const updated = (await objects.patch(deployment(3, 'nginx:1'), undefined, undefined, 'flotilla', false, PatchStrategy.ServerSideApply)) as Deployment;
    expect(updated.spec?.replicas).toBe(3);
    expect(updated.metadata?.generation).toBe(2);

    await objects.patch(
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 7 } } as Deployment,
      undefined,
      undefined,
      'kubectl-edit',
      false,
      PatchStrategy.MergePatch,
    );
    const conflict = await failure(objects.patch(deployment(3, 'nginx:2'), undefined, undefined, 'flotilla', false, PatchStrategy.ServerSideApply));
    expect(conflict.code).toBe(409);
    expect(conflict.body.message).toBe('Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.replicas');

    const forced = (await objects.patch(deployment(3, 'nginx:2'), undefined, undefined, 'flotilla', true, PatchStrategy.ServerSideApply)) as Deployment;
    expect(forced.spec?.replicas).toBe(3);
    expect(forced.spec?.template?.spec?.containers?.[0]?.image).toBe('nginx:2');
    expect(forced.metadata?.managedFields?.filter((m) => m.manager !== 'kube-controller-manager').map((m) => m.manager)).toEqual(['flotilla']);
  });

  it('lists with label and field selectors and pages through with limit/continue', async () => {
    for (let i = 0; i < 7; i++) {
      await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: `page-${i}`, labels: { tier: i < 4 ? 'front' : 'back' } } } });
    }
    const front = await core.listNamespacedConfigMap({ namespace: 'default', labelSelector: 'tier=front' });
    expect(front.items.map((c) => c.metadata?.name)).toEqual(['page-0', 'page-1', 'page-2', 'page-3']);
    const notFront = await core.listNamespacedConfigMap({ namespace: 'default', labelSelector: 'tier,tier notin (front)' });
    expect(notFront.items).toHaveLength(3);
    const one = await core.listConfigMapForAllNamespaces({ fieldSelector: 'metadata.name=page-5' });
    expect(one.items.map((c) => c.metadata?.namespace)).toEqual(['default']);
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await core.listNamespacedConfigMap({ namespace: 'default', labelSelector: 'tier', limit: 3, _continue: token });
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((c) => c.metadata!.name!));
      token = page.metadata?._continue || undefined;
    } while (token);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => `page-${i}`));
  });

  it('watches changes, resumes after a dropped stream from the last resourceVersion, and gets 410 when too old', async () => {
    const start = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'watched' } } });
    const startRv = start.metadata!.resourceVersion!;
    const events: [string, string, string][] = [];
    const watch = new Watch(kc);
    let lastRv = startRv;
    let ended = 0;
    const open = (from: string): Promise<AbortController> =>
      watch.watch(
        '/api/v1/namespaces/default/configmaps',
        { resourceVersion: from, allowWatchBookmarks: true },
        (phase, obj: KubernetesObject) => {
          lastRv = obj.metadata?.resourceVersion ?? lastRv;
          if (phase !== 'BOOKMARK') events.push([phase, obj.metadata!.name!, lastRv]);
        },
        () => {
          ended += 1;
        },
      );
    const first = await open(startRv);
    await core.patchNamespacedConfigMap({ namespace: 'default', name: 'watched', body: [{ op: 'add', path: '/data', value: { a: '1' } }] });
    await until(() => (events.some(([p]) => p === 'MODIFIED') ? true : undefined), 'MODIFIED');

    expect(server.dropWatches()).toBe(1);
    await until(() => (ended > 0 ? true : undefined), 'the dropped stream to end');
    first.abort();
    await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'watched' });
    const resumed = await open(lastRv);
    await until(() => (events.some(([p]) => p === 'DELETED') ? true : undefined), 'DELETED after resume');
    resumed.abort();
    expect(events.map(([p, n]) => `${p} ${n}`)).toEqual(['MODIFIED watched', 'DELETED watched']);

    for (let i = 0; i < 120; i++) await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: `churn-${i}` } } });
    const errors: unknown[] = [];
    const stale = await watch.watch('/api/v1/namespaces/default/configmaps', { resourceVersion: startRv }, (phase, obj) => {
      if (phase === 'ERROR') errors.push(obj);
    }, () => undefined);
    await until(() => (errors.length > 0 ? true : undefined), 'the 410 ERROR event');
    stale.abort();
    expect(errors[0]).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' });
  });

  it('keeps a client-node informer in sync across dropped streams and a compacted history (410 → relist)', async () => {
    const path = '/api/v1/namespaces/default/configmaps';
    let lists = 0;
    const listFn = () => {
      lists += 1;
      return core.listNamespacedConfigMap({ namespace: 'default', labelSelector: 'informer=yes' });
    };
    const informer = new ListWatch<V1ConfigMap>(path, new Watch(kc), listFn, false, 'informer=yes');
    const names = (): string => informer.list('default').map((c) => c.metadata!.name!).sort().join();
    const create = (name: string): Promise<V1ConfigMap> => core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name, labels: { informer: 'yes' } } } });
    await informer.start();
    try {
      await create('inf-a');
      await until(() => (names() === 'inf-a' ? true : undefined), 'the first object in the cache');
      server.dropWatches();
      await create('inf-b');
      await until(() => (names() === 'inf-a,inf-b' ? true : undefined), 'an object created while the stream was down');
      expect(lists).toBe(1);
      // Move the history past the informer's resourceVersion, then cut it off: it must relist.
      await core.createNamespacedSecret({ namespace: 'default', body: { metadata: { name: 'unrelated' } } });
      server.cluster.state.hub.compact(server.cluster.state.resourceVersion);
      server.dropWatches();
      await until(() => (lists === 2 ? true : undefined), 'the relist after 410 Expired', 8000);
      await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'inf-a' });
      await until(() => (names() === 'inf-b' ? true : undefined), 'the deletion after the relist', 8000);
    } finally {
      await informer.stop();
    }
  });

  it('dry-run create, apply and delete leave nothing behind', async () => {
    const before = server.cluster.state.resourceVersion;
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dry', namespace: 'default' }, data: { a: 'b' } };
    const created = await objects.create(cm, undefined, 'All');
    expect(created.metadata?.name).toBe('dry');
    await objects.patch(cm, undefined, 'All', 'flotilla', false, PatchStrategy.ServerSideApply);
    expect((await failure(objects.read(cm))).code).toBe(404);
    await objects.create(cm);
    const rv = server.cluster.state.resourceVersion;
    await objects.delete(cm, undefined, 'All');
    expect((await objects.read(cm)).metadata?.name).toBe('dry');
    expect(server.cluster.state.resourceVersion).toBe(rv);
    expect(rv).toBe(before + 1);
  });

  it('serves custom resources once a CRD is established, with its status subresource', async () => {
    await objects.create({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'gadgets.example.com' },
      spec: {
        group: 'example.com',
        scope: 'Cluster',
        names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            subresources: { status: {} },
            schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } }, status: { type: 'object', properties: { phase: { type: 'string' } } } } } },
          },
        ],
      },
    } as KubernetesObject);
    const crd = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'gadgets.example.com' } };
    const established = async (): Promise<boolean> => {
      const live = (await objects.read(crd)) as KubernetesObject & { status?: { conditions?: { type: string; status: string }[] } };
      return live.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false;
    };
    const deadline = Date.now() + 5000;
    while (!(await established())) if (Date.now() > deadline) throw new Error('CRD never established');
    const gadget = { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g1' }, spec: { size: 3 }, status: { phase: 'ignored' } };
    const applied = (await objects.patch(gadget, undefined, undefined, 'flotilla', false, PatchStrategy.ServerSideApply)) as typeof gadget;
    expect(applied.spec).toEqual({ size: 3 });
    expect((applied as Partial<typeof gadget>).status).toBeUndefined();
    const list = await objects.list('example.com/v1', 'Gadget');
    expect(list.items.map((g) => g.metadata?.name)).toEqual(['g1']);
  });
});
