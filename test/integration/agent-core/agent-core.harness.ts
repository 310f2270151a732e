import { BundleReconciler, type BundleReconcilerOptions, type BundleReport, type DesiredBundle } from '@flotilla/agent-core';
import { KubernetesClusterClient, type ClusterClient, type KubeObject } from '@flotilla/cluster-client';
import { InMemoryClusterClient, KubeSimServer, SimulatedCluster, type SimulatedClusterOptions } from '@flotilla/kube-sim';
import { applyPolicySchema, type ApplyPolicy } from '@flotilla/render';

/** Which ClusterClient a suite runs through: kube-sim in memory, or client-node over HTTPS. */
export type Transport = 'in-memory' | 'https';
export const TRANSPORTS: Transport[] = ['in-memory', 'https'];

/** A simulated cluster, a client of it, and a started reconciler collecting every report. */
export interface Harness {
  readonly cluster: SimulatedCluster;
  readonly client: ClusterClient;
  readonly reconciler: BundleReconciler;
  readonly reports: BundleReport[];
  /** `Kind/name` of every non-dry-run apply, in order. */
  readonly applies: string[];
  /** The kubeconfig of the HTTPS server (undefined in memory). */
  readonly kubeconfigPath?: string;
  close(): Promise<void>;
}

/** Test-speed timings: health polls and drift debounce in tens of milliseconds. */
export const FAST: BundleReconcilerOptions = { healthPollMs: 30, driftDebounceMs: 20, driftIntervalMs: 60_000, retryMs: 50, maxRetryMs: 500, crdEstablishTimeoutMs: 5_000 };

export async function startHarness(transport: Transport, options: BundleReconcilerOptions = {}, sim: SimulatedClusterOptions = {}): Promise<Harness> {
  let server: KubeSimServer | undefined;
  let cluster: SimulatedCluster;
  let client: ClusterClient;
  let kube: KubernetesClusterClient | undefined;
  if (transport === 'https') {
    server = await KubeSimServer.start({ controllerDelayMs: 5, ...sim });
    cluster = server.cluster;
    client = kube = KubernetesClusterClient.create({ kubeconfigPath: server.kubeconfigPath });
  } else {
    cluster = new SimulatedCluster({ controllerDelayMs: 5, ...sim });
    client = new InMemoryClusterClient(cluster);
  }
  const applies: string[] = [];
  const inner = client;
  client = Object.assign(Object.create(inner) as ClusterClient, {
    apply: (object: KubeObject, o: Parameters<ClusterClient['apply']>[1]) => {
      if (!o.dryRun) applies.push(`${object.kind}/${object.metadata.name}`);
      return inner.apply(object, o);
    },
  });
  const reconciler = new BundleReconciler(client, { ...FAST, ...options });
  const reports: BundleReport[] = [];
  reconciler.onReport((r) => reports.push(r));
  await reconciler.start();
  return {
    cluster,
    client,
    reconciler,
    reports,
    applies,
    kubeconfigPath: server?.kubeconfigPath,
    close: async () => {
      await reconciler.stop();
      await kube?.close();
      if (server) await server.close();
      else cluster.close();
    },
  };
}

export function policy(overrides: Partial<ApplyPolicy> = {}): ApplyPolicy {
  return { ...applyPolicySchema.parse({}), ...overrides };
}

export function desired(bundle: string, generation: number, manifests: KubeObject[], more: Partial<DesiredBundle> = {}): DesiredBundle {
  return { bundle, generation: BigInt(generation), hash: `h${generation}`, revision: 'r1', manifests, policy: policy(), dependsOn: [], suspend: false, ...more };
}

/** Polls the collected reports until one matches; fails with the last report seen. */
export async function reportMatching(h: Harness, what: string, match: (r: BundleReport) => boolean, deadlineMs = 8000): Promise<BundleReport> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const found = h.reports.find(match);
    if (found) return found;
    if (Date.now() > deadline) {
      const last = h.reports.at(-1);
      throw new Error(`timed out waiting for ${what}; last report: ${last ? JSON.stringify({ ...last, generation: String(last.generation) }).slice(0, 2000) : 'none'}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export async function until<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, deadlineMs = 8000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export const ns = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
export const configMap = (name: string, namespace: string, data: Record<string, string> = { a: '1' }): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data });
export const deployment = (name: string, namespace: string, replicas = 1, annotations: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace, annotations },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: `${name}:1` }] } },
  },
});
export const service = (name: string, namespace: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace },
  spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }] },
});
