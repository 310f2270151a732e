import { ApiException, CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node';
import { KubeSimServer } from '@flotilla/kube-sim';

async function codeOf(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return 200;
  } catch (err) {
    if (err instanceof ApiException) return err.code;
    throw err;
  }
}

describe('kube-sim fault injection', () => {
  let server: KubeSimServer;
  let core: CoreV1Api;
  let kc: KubeConfig;
  let draws: number[];

  beforeAll(async () => {
    draws = [];
    server = await KubeSimServer.start({ tls: false, random: () => draws.shift() ?? 0.99 });
    kc = new KubeConfig();
    kc.loadFromFile(server.kubeconfigPath);
    core = kc.makeApiClient(CoreV1Api);
  });
  afterAll(async () => {
    await server.close();
  });
  afterEach(() => {
    server.faults.clear();
    server.faults.recover();
  });

  it('fails the matching verb and resource at the configured rate', async () => {
    server.faults.addRule({ verb: 'list', resource: 'configmaps', rate: 0.5, code: 503 });
    draws.push(0.2, 0.7);
    expect(await codeOf(core.listNamespacedConfigMap({ namespace: 'default' }))).toBe(503);
    expect(await codeOf(core.listNamespacedConfigMap({ namespace: 'default' }))).toBe(200);
    expect(await codeOf(core.listNamespacedSecret({ namespace: 'default' }))).toBe(200);
  });

  it('adds latency to every request', async () => {
    server.faults.setLatency(60);
    const started = performance.now();
    await core.listNamespace();
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
  });

  it('goes down completely — requests 503, watches dropped — and recovers', async () => {
    let ended = false;
    const watch = await new Watch(kc).watch('/api/v1/namespaces', {}, () => undefined, () => {
      ended = true;
    });
    server.faults.outage();
    const deadline = Date.now() + 5000;
    while (!ended) {
      if (Date.now() > deadline) throw new Error('the watch was not dropped');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    watch.abort();
    expect(await codeOf(core.listNamespace())).toBe(503);
    server.faults.recover();
    expect(await codeOf(core.listNamespace())).toBe(200);
  });
});
