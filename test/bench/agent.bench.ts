// The agent core's figures (issue #6): kube-sim runs in its own process over HTTPS; this process
// runs the real BundleReconciler over KubernetesClusterClient (client-node). It prints `key=value`:
//   apply_ms                 Desired handed over → report Applied, for a bundle of N objects
//   healthy_ms               … → Applied and Healthy
//   drift_latency_*_ms       a kubectl-edit Update (merge patch over HTTPS) → the report naming the drift,
//                            median and max over several edits of different objects
//   rss_mib                  this process's VmRSS after the bundle is applied with its watches open, after a GC,
//                            and where it is (rss_node_binary_mib, rss_malloc_mib, heap_total/used_mib)
//   apply_requests, apply_cpu_ms_agent/_kube_sim, loadavg: what the apply cost, and how busy the machine was
//                            (on a shared machine the wall times follow the load; the CPU times less so)
// Targets: apply ≤ 2 s for 200 objects; drift latency ≤ 2 s; RSS ≤ 80 MB.
// Usage: npm run bench:agent [-- --objects 200] [-- --edits 9]   (a smoke run: --objects 30 --edits 3)
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BundleReport } from '@flotilla/agent-core';
import type { KubeObject } from '@flotilla/cluster-client';
import { KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// The agent core as it runs in production: the build output (`npm run bench:agent` builds first, and
// runs this file with Node's own type stripping), so the memory measured is the agent's, not a
// TypeScript loader's — swc's native module alone would hold ~28 MiB of this process.
const built = (lib: string): Promise<unknown> => import(pathToFileURL(join(root, 'dist', 'libs', lib, 'src', 'index.js')).href);
const { BundleReconciler } = (await built('agent-core')) as typeof import('@flotilla/agent-core');
const { KeepAliveKubeConfig, KubernetesClusterClient } = (await built('cluster-client')) as typeof import('@flotilla/cluster-client');
const { applyPolicySchema } = (await built('render')) as typeof import('@flotilla/render');
const option = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`);
  const value = at > 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name}: expected a positive integer, got "${process.argv[at + 1]}"`);
  return value;
};
const count = option('objects', 200);
const edits = option('edits', 9);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (npm run bench:agent does)');

/** A bundle of `total` objects: a Namespace, then Deployments, Services and ConfigMaps in turn. */
function objects(total: number): KubeObject[] {
  const out: KubeObject[] = [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } }];
  for (let i = 0; out.length < total; i++) {
    const name = `app-${i}`;
    out.push({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: 'bench' },
      spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: `${name}:1` }] } } },
    });
    if (out.length < total) out.push({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'bench' }, spec: { selector: { app: name }, ports: [{ port: 80 }] } });
    if (out.length < total) out.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'bench' }, data: { i: String(i) } });
  }
  return out;
}

/** CPU time (user + system) a process has used, from /proc/<pid>/stat, in ms. */
async function cpuMsOf(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

async function vmRssMib(): Promise<number> {
  const status = await readFile('/proc/self/status', 'utf8');
  const kib = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]);
  return kib / 1024;
}

/** Where this process's resident memory is, from /proc/self/smaps: the node binary's own pages, glibc's heap, and anonymous mappings (the V8 heap, mostly). */
async function rssBreakdownMib(): Promise<{ nodeBinary: number; mallocHeap: number; anonymous: number }> {
  const totals = { nodeBinary: 0, mallocHeap: 0, anonymous: 0 };
  let region: keyof typeof totals | undefined;
  for (const line of (await readFile('/proc/self/smaps', 'utf8')).split('\n')) {
    const mapping = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (mapping) {
      const name = mapping[1] ?? '';
      region = name === '' ? 'anonymous' : name === '[heap]' ? 'mallocHeap' : name === process.execPath ? 'nodeBinary' : undefined;
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss && region) totals[region] += Number(rss[1]) / 1024;
  }
  return totals;
}

const rssAfterImportsMib = await vmRssMib();
const { subscribe } = await import('node:diagnostics_channel');
let requests = 0;
let connections = 0;
subscribe('undici:request:create', () => (requests += 1));
subscribe('undici:client:connected', () => (connections += 1));

// kube-sim in its own process.
const sim = spawn(process.execPath, ['--import', join(root, 'scripts', 'register-ts.mjs'), join(root, 'test', 'bench', 'kube-sim.process.ts')], {
  cwd: root,
  stdio: ['pipe', 'pipe', 'inherit'],
});
const simExited = new Promise<void>((resolve) => sim.once('exit', () => resolve()));
const firstLine = await createInterface({ input: sim.stdout! })[Symbol.asyncIterator]().next();
if (firstLine.done) throw new Error('kube-sim exited before it listened');
const { kubeconfig } = JSON.parse(firstLine.value) as { kubeconfig: string };

const client = KubernetesClusterClient.create({ kubeconfigPath: kubeconfig });
const reconciler = new BundleReconciler(client, { healthPollMs: 50, driftDebounceMs: 20 });
let latest: BundleReport | undefined;
const waiters = new Set<() => void>();
reconciler.onReport((report) => {
  latest = report;
  for (const wake of waiters) wake();
});
/** Resolves once a report satisfies `match` (checked at every report, no polling), or fails at the deadline. */
const reportWhere = (what: string, match: (r: BundleReport) => boolean, timeoutMs = 60_000): Promise<BundleReport> =>
  new Promise((resolve, reject) => {
    if (latest && match(latest)) return resolve(latest);
    const timer = setTimeout(() => {
      waiters.delete(check);
      reject(new Error(`timed out waiting for ${what}; last report: phase ${latest?.phase}, health ${latest?.health}, reason ${latest?.reason}`));
    }, timeoutMs);
    const check = (): void => {
      if (!latest || !match(latest)) return;
      clearTimeout(timer);
      waiters.delete(check);
      resolve(latest);
    };
    waiters.add(check);
  });
await reconciler.start();

const manifests = objects(count);
const cpuBefore = { agent: await cpuMsOf(process.pid), sim: await cpuMsOf(sim.pid!) };
const t0 = performance.now();
reconciler.desired({ bundle: 'bench', generation: 1n, hash: 'h1', revision: 'r1', manifests, policy: applyPolicySchema.parse({}), dependsOn: [], suspend: false });
await reportWhere('Applied', (r) => r.phase === 'Applied');
const applyMs = performance.now() - t0;
const applyRequests = requests;
const applyCpu = { agent: (await cpuMsOf(process.pid)) - cpuBefore.agent, sim: (await cpuMsOf(sim.pid!)) - cpuBefore.sim };
await reportWhere('Healthy', (r) => r.phase === 'Applied' && r.health === 'Healthy');
const healthyMs = performance.now() - t0;
await reportWhere('no drift', (r) => r.drift.driftedFields === 0);

// Memory with the bundle applied and its watches open.
gc();
await new Promise((resolve) => setImmediate(resolve));
gc();
const rssMib = await vmRssMib();
const breakdown = await rssBreakdownMib();
const memory = process.memoryUsage();
const mib = (bytes: number): number => bytes / 1024 / 1024;

// Drift latency: kubectl-edit scales a Deployment (an Update over HTTPS) until a report names the new value.
// The editor keeps its connection open (as kubectl's would within one command): the latency is the agent's, not a TLS handshake's.
const editor = new KeepAliveKubeConfig();
editor.loadFromFile(kubeconfig);
const api = KubernetesObjectApi.makeApiClient(editor);
const deployments = manifests.filter((m) => m.kind === 'Deployment');
const samples: number[] = [];
for (let i = 0; i < edits; i++) {
  const target = deployments[i % deployments.length]!;
  await reportWhere('drift cleared', (r) => r.drift.driftedFields === 0);
  const replicas = 3 + i;
  const start = performance.now();
  await api.patch(
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: target.metadata.name, namespace: 'bench' }, spec: { replicas } },
    undefined,
    undefined,
    'kubectl-edit',
    undefined,
    PatchStrategy.MergePatch,
  );
  await reportWhere(`the drift of ${target.metadata.name}`, (r) => r.resources.some((x) => x.name === target.metadata.name && x.kind === 'Deployment' && x.drift.some((d) => d.liveJson === String(replicas))));
  samples.push(performance.now() - start);
}
samples.sort((a, b) => a - b);
const median = samples[Math.floor(samples.length / 2)]!;

await reconciler.stop();
await client.close();
await editor.closeConnections();
sim.stdin!.end();
await simExited;
const loadavg = (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join('/');

console.log(`${count}-object bundle via client-node over HTTPS to kube-sim in its own process: Applied in ${applyMs.toFixed(0)} ms (${applyRequests} requests, ${connections} TLS connections so far), Healthy in ${healthyMs.toFixed(0)} ms`);
console.log(`  CPU during the apply: agent ${applyCpu.agent.toFixed(0)} ms, kube-sim ${applyCpu.sim.toFixed(0)} ms (load average ${loadavg} on ${(await import('node:os')).availableParallelism()} cores)`);
console.log(`drift detection latency over ${edits} kubectl-edit Updates → report: median ${median.toFixed(0)} ms, max ${samples.at(-1)!.toFixed(0)} ms`);
console.log(
  `VmRSS after the apply, watches open, after GC: ${rssMib.toFixed(1)} MiB (${rssAfterImportsMib.toFixed(1)} MiB once the modules were loaded) — ` +
    `node binary ${breakdown.nodeBinary.toFixed(1)}, malloc ${breakdown.mallocHeap.toFixed(1)}, ` +
    `anonymous ${breakdown.anonymous.toFixed(1)} (V8 heap committed ${mib(memory.heapTotal).toFixed(1)}, used ${mib(memory.heapUsed).toFixed(1)})`,
);
console.log(
  [
    `objects=${count}`,
    `apply_ms=${applyMs.toFixed(0)}`,
    `healthy_ms=${healthyMs.toFixed(0)}`,
    `apply_requests=${applyRequests}`,
    `apply_cpu_ms_agent=${applyCpu.agent.toFixed(0)}`,
    `apply_cpu_ms_kube_sim=${applyCpu.sim.toFixed(0)}`,
    `drift_edits=${edits}`,
    `drift_latency_median_ms=${median.toFixed(0)}`,
    `drift_latency_max_ms=${samples.at(-1)!.toFixed(0)}`,
    `rss_mib=${rssMib.toFixed(1)}`,
    `rss_after_imports_mib=${rssAfterImportsMib.toFixed(1)}`,
    `rss_node_binary_mib=${breakdown.nodeBinary.toFixed(1)}`,
    `rss_malloc_mib=${breakdown.mallocHeap.toFixed(1)}`,
    `heap_total_mib=${mib(memory.heapTotal).toFixed(1)}`,
    `heap_used_mib=${mib(memory.heapUsed).toFixed(1)}`,
    `loadavg=${loadavg}`,
  ].join(' '),
);
