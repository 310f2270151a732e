// Agent core figures: a 200-object bundle applied through KubernetesClusterClient (client-node
// over HTTPS) against a KubeSimServer, drift detection latency after an edit, and memory.
// Run: node --import ./scripts/register-ts.mjs test/bench/agent.bench.ts
import { BundleReconciler, type BundleReport } from '@flotilla/agent-core';
import { KubernetesClusterClient, type KubeObject } from '@flotilla/cluster-client';
import { KubeSimServer } from '@flotilla/kube-sim';
import { applyPolicySchema } from '@flotilla/render';

async function until<T>(probe: () => T | undefined, what: string, deadlineMs = 60_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

function objects(count: number): KubeObject[] {
  const out: KubeObject[] = [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } }];
  for (let i = 0; out.length < count; i++) {
    const name = `app-${i}`;
    out.push({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: 'bench' },
      spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: `${name}:1` }] } } },
    });
    if (out.length < count) out.push({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'bench' }, spec: { selector: { app: name }, ports: [{ port: 80 }] } });
    if (out.length < count) out.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'bench' }, data: { i: String(i) } });
  }
  return out;
}

const server = await KubeSimServer.start({ controllerDelayMs: 5, simulatePods: false });
const client = KubernetesClusterClient.create({ kubeconfigPath: server.kubeconfigPath });
const reconciler = new BundleReconciler(client, { healthPollMs: 50, driftDebounceMs: 20 });
const reports: BundleReport[] = [];
reconciler.onReport((r) => reports.push(r));
await reconciler.start();

const manifests = objects(200);
const policy = applyPolicySchema.parse({});
const t0 = performance.now();
reconciler.desired({ bundle: 'bench', generation: 1n, hash: 'h', revision: 'r', manifests, policy, dependsOn: [], suspend: false });
await until(() => reports.find((r) => r.phase === 'Applied'), 'Applied');
const applyMs = performance.now() - t0;
await until(() => reports.find((r) => r.phase === 'Applied' && r.health === 'Healthy'), 'Healthy');
const healthyMs = performance.now() - t0;

// Drift latency: an Update by kubectl-edit until a report names the drifted field.
const samples: number[] = [];
for (let i = 0; i < 5; i++) {
  await until(() => (reports.at(-1)?.drift.driftedFields === 0 ? true : undefined), 'no drift');
  const before = reports.length;
  const start = performance.now();
  server.cluster.patch({ type: server.cluster.resource('apps', 'v1', 'deployments'), namespace: 'bench', name: `app-${i}` }, 'merge', { spec: { replicas: 3 + i } }, { fieldManager: 'kubectl-edit' });
  await until(() => (reports.slice(before).some((r) => r.drift.driftedFields > 0) ? true : undefined), 'the drift report');
  samples.push(performance.now() - start);
}
samples.sort((a, b) => a - b);
const rss = process.memoryUsage().rss;

await reconciler.stop();
await client.close();
await server.close();

console.log(`200-object bundle via client-node over HTTPS: Applied in ${applyMs.toFixed(0)} ms, Healthy in ${healthyMs.toFixed(0)} ms`);
console.log(`drift detection latency (kubectl-edit Update → report): median ${samples[2]!.toFixed(0)} ms, max ${samples[4]!.toFixed(0)} ms`);
console.log(
  [
    `objects=200`,
    `apply_ms=${applyMs.toFixed(0)}`,
    `healthy_ms=${healthyMs.toFixed(0)}`,
    `drift_latency_median_ms=${samples[2]!.toFixed(0)}`,
    `drift_latency_max_ms=${samples[4]!.toFixed(0)}`,
    `rss_mib=${(rss / 1024 / 1024).toFixed(0)}`,
  ].join(' '),
);
