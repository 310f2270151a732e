// Measures kube-sim's start time, apply throughput and memory per instance; prints figures, asserts nothing.
// Run: npm run bench:kube-sim
import { KubeConfig, KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import type { KubeObject } from '@flotilla/cluster-client';
import { InMemoryClusterClient, KubeSimServer, SimulatedCluster } from '@flotilla/kube-sim';

function objectSet(round: number): KubeObject[] {
  const out: KubeObject[] = [];
  for (let i = 0; i < 5; i++) {
    out.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, namespace: 'default', labels: { app: 'bench' } }, data: { round: String(round), i: String(i) } });
    out.push({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: `web-${i}`, namespace: 'default', labels: { app: 'bench' } },
      spec: {
        replicas: 1 + (round % 3),
        selector: { matchLabels: { app: `web-${i}` } },
        template: {
          metadata: { labels: { app: `web-${i}` } },
          spec: { containers: [{ name: 'web', image: `nginx:1.${round % 5}`, ports: [{ containerPort: 80, protocol: 'TCP' }], env: [{ name: 'ROUND', value: String(round) }] }] },
        },
      },
    });
  }
  return out;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

const t0 = performance.now();
const first = await KubeSimServer.start({ controllerDelayMs: 1_000_000 });
const firstMs = performance.now() - t0;

const starts: number[] = [];
const servers: KubeSimServer[] = [];
gc();
const heapBefore = process.memoryUsage().heapUsed;
const rssBefore = process.memoryUsage().rss;
for (let i = 0; i < 50; i++) {
  const s = performance.now();
  servers.push(await KubeSimServer.start({ controllerDelayMs: 1_000_000 }));
  starts.push(performance.now() - s);
}
for (const s of servers) {
  const client = new InMemoryClusterClient(s.cluster);
  for (const obj of objectSet(0)) await client.apply(obj, { fieldManager: 'flotilla' });
}
gc();
const heapPerInstance = (process.memoryUsage().heapUsed - heapBefore) / servers.length;
const rssPerInstance = (process.memoryUsage().rss - rssBefore) / servers.length;
await Promise.all(servers.map((s) => s.close()));

const cluster = new SimulatedCluster({ controllerDelayMs: 1_000_000 });
const memory = new InMemoryClusterClient(cluster);
let applies = 0;
const memStart = performance.now();
for (let round = 0; performance.now() - memStart < 2000; round++) {
  for (const obj of objectSet(round)) await memory.apply(obj, { fieldManager: 'flotilla' });
  applies += 10;
}
const memRate = applies / ((performance.now() - memStart) / 1000);
cluster.close();

const kc = new KubeConfig();
kc.loadFromFile(first.kubeconfigPath);
const api = KubernetesObjectApi.makeApiClient(kc);
let httpApplies = 0;
const httpStart = performance.now();
for (let round = 0; performance.now() - httpStart < 3000; round++) {
  for (const obj of objectSet(round)) await api.patch(obj as KubernetesObject, undefined, undefined, 'flotilla', false, PatchStrategy.ServerSideApply);
  httpApplies += 10;
}
const httpRate = httpApplies / ((performance.now() - httpStart) / 1000);
await first.close();

const sorted = [...starts].sort((a, b) => a - b);
console.log(`first instance start (CA + schema load): ${firstMs.toFixed(1)} ms`);
console.log(`instance start after the CA exists: median ${sorted[25]!.toFixed(2)} ms, max ${sorted[49]!.toFixed(2)} ms (50 instances in one process)`);
console.log(`memory per instance (10 objects applied): heap ${(heapPerInstance / 1024).toFixed(0)} KiB, rss ${(rssPerInstance / 1024).toFixed(0)} KiB`);
console.log(`server-side apply, 10-object set, in memory: ${memRate.toFixed(0)} applies/s`);
console.log(`server-side apply, 10-object set, client-node over HTTPS (sequential): ${httpRate.toFixed(0)} applies/s`);
console.log(
  [
    `first_start_ms=${firstMs.toFixed(1)}`,
    `start_median_ms=${sorted[25]!.toFixed(2)}`,
    `start_max_ms=${sorted[49]!.toFixed(2)}`,
    `instances=50`,
    `heap_per_instance_kib=${(heapPerInstance / 1024).toFixed(0)}`,
    `rss_per_instance_kib=${(rssPerInstance / 1024).toFixed(0)}`,
    `ssa_applies_per_s_in_memory=${memRate.toFixed(0)}`,
    `ssa_applies_per_s_https=${httpRate.toFixed(0)}`,
  ].join(' '),
);
