// The agent's figures (issue #6), in two parts of one run, each against kube-sim over HTTPS in its own process.
// Part 1, the agent core: the real BundleReconciler over KubernetesClusterClient (client-node), from the build
// output, in a process of its own (agent-core.process.mjs) started with the node flags of the agent image's
// command (deploy/agent/Dockerfile), so its memory is measured as shipped. This process hands it the bundle,
// edits objects as kubectl would, and reads its reports. It prints `key=value`:
//   apply_ms                 Desired handed over → report Applied, for a bundle of N objects
//   healthy_ms               … → Applied and Healthy
//   drift_latency_*_ms       a kubectl-edit Update (merge patch over HTTPS) → the report naming the drift,
//                            median and max over several edits of different objects
//   rss_mib                  the agent core's VmRSS after the bundle is applied with its watches open,
//                            after a full GC (rss_before_gc_mib: the same moment without forcing one), and
//                            where it is (rss_node_binary_mib, rss_malloc_mib, heap_total/used_mib)
//   apply_requests, apply_cpu_ms_agent/_kube_sim, loadavg: what the apply cost, and how busy the machine was
//                            (on a shared machine the wall times follow the load; the CPU times less so)
// Part 2, the shipped agent: `node <image flags> dist/apps/agent/src/main.js` — Nest shell, probes, metrics,
// its gRPC stream to a real hub — registered with a hub (agent-process-hub.process.ts: a database of its own
// on FLOTILLA_BENCH_DATABASE_URL or an embedded PostgreSQL, a Git repository holding the same objects as one
// bundle), against a fresh kube-sim. It prints `key=value` on a line of its own:
//   agent_process_rss_mib    its VmRSS once the hub reports the bundle Applied, Healthy and drift-free at its
//                            desired generation (watches open), /metrics scraped once: the last of 5 samples
//                            over 2 s, no forced GC (the image has no --expose-gc); _min/_max_mib their range,
//                            _connected_mib once its stream was up, _node_binary/_malloc/_anonymous_mib where it
//                            is, heap_total/used_mib V8's view as its /metrics exports it
//   agent_process_apply_ms   desired generation admitted (the hub's updatedAt) → the agent observed it Applied
//                            and Healthy (its observedAt); _source_to_healthy_ms: the source added → the hub
//                            reports it so (Git fetch and render included); _apply_cpu_ms: the agent's CPU meanwhile
//   agent_process_connect_ms spawned → the hub counts its stream (registration included)
// Part 3, floors: VmRSS of a process (the image's flags, a forced GC) that only loads modules, printed as
// `floor_*_mib` — what part of the figures above no change to the agent's own code can remove:
//   floor_node_mib           nothing but Node
//   floor_stack_mib          the libraries the design prescribes for the agent's connections: grpc-js, client-node's
//                            KubeConfig and Watch (without its generated models, as the agent loads it), the X.509
//                            library (through @flotilla/pki) and the protocol's messages
//   floor_stack_nest_mib     … with the Nest shell and prom-client (probes and /metrics, as conventions.md shapes it)
//   floor_agent_modules_mib  every module the shipped agent's main.js imports, loaded and not run
// Targets: apply ≤ 2 s for 200 objects; drift latency ≤ 2 s; RSS ≤ 80 MB.
// Usage: npm run bench:agent [-- --objects 200] [-- --edits 9]   (a smoke run: --objects 30 --edits 3)
//        [-- --node-flags "--flag …"]  other flags for both agent processes than the image's, to compare
//        (the figures then say so: node_flags=… is printed)
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { KubeObject } from '@flotilla/cluster-client';
import { KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import { cpuMs } from './process-cpu.mjs';
import { residentMemory } from './process-memory.mjs';
import { integerOption, loadavg } from './bench-args.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const built = (lib: string): Promise<unknown> => import(pathToFileURL(join(root, 'dist', 'libs', lib, 'src', 'index.js')).href);
const { KeepAliveKubeConfig } = (await built('cluster-client')) as typeof import('@flotilla/cluster-client');
const { applyPolicySchema } = (await built('render')) as typeof import('@flotilla/render');
const count = integerOption('objects', 200);
const edits = integerOption('edits', 9);

/** The node flags of the agent image's command: `CMD ["node", …flags, "dist/apps/agent/src/main.js"]`. */
async function shippedNodeFlags(): Promise<string[]> {
  const dockerfile = await readFile(join(root, 'deploy', 'agent', 'Dockerfile'), 'utf8');
  const cmd = /^CMD (\[.*\])\s*$/m.exec(dockerfile);
  const argv = cmd ? (JSON.parse(cmd[1]!) as string[]) : [];
  if (argv[0] !== 'node' || argv.at(-1) !== 'dist/apps/agent/src/main.js') throw new Error(`deploy/agent/Dockerfile: expected CMD ["node", …flags, "dist/apps/agent/src/main.js"], found ${cmd?.[1]}`);
  // The documented start command must run the agent the same way, or the figures describe only one of them.
  const { scripts } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const documented = ['node', ...argv.slice(1)].join(' ');
  if (!scripts['start:agent']?.endsWith(documented)) throw new Error(`package.json start:agent should end with "${documented}" (the image's command), found "${scripts['start:agent']}"`);
  return argv.slice(1, -1);
}
const flagsAt = process.argv.indexOf('--node-flags');
const nodeFlags = flagsAt > 0 ? (process.argv[flagsAt + 1] ?? '').split(/\s+/).filter(Boolean) : await shippedNodeFlags();

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

/** A child process speaking one JSON object per line on stdout; `next(key)` resolves with the next message carrying `key`. */
function lines(child: ChildProcess, what: string): { next<T>(key: string, timeoutMs?: number): Promise<T>; on(key: string, listener: (value: unknown) => void): void } {
  const listeners = new Map<string, Set<(value: unknown) => void>>();
  let exited = false;
  child.once('exit', (code) => {
    exited = true;
    for (const set of listeners.values()) for (const listener of set) listener(new Error(`${what} exited (${code})`));
  });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    // Anything else a child prints (a library's log line) is passed on, not taken for a message.
    if (!line.startsWith('{')) return void process.stderr.write(`${line}\n`);
    const message = JSON.parse(line) as Record<string, unknown>;
    // {"error": "…"}: the child failed at what it was asked; every waiter learns why.
    if (typeof message['error'] === 'string') for (const set of listeners.values()) for (const listener of [...set]) listener(new Error(`${what}: ${message['error']}`));
    for (const [key, value] of Object.entries(message)) for (const listener of [...(listeners.get(key) ?? [])]) listener(value);
  });
  const on = (key: string, listener: (value: unknown) => void): void => {
    if (!listeners.has(key)) listeners.set(key, new Set());
    listeners.get(key)!.add(listener);
  };
  return {
    on,
    next: <T>(key: string, timeoutMs = 60_000) =>
      new Promise<T>((resolve, reject) => {
        if (exited) return reject(new Error(`${what} has exited`));
        const timer = setTimeout(() => reject(new Error(`timed out waiting for "${key}" from ${what}`)), timeoutMs);
        const once = (value: unknown): void => {
          clearTimeout(timer);
          listeners.get(key)!.delete(once);
          if (value instanceof Error) reject(value);
          else resolve(value as T);
        };
        on(key, once);
      }),
  };
}

/** kube-sim over HTTPS in its own process, with an empty cluster; stopped by the end of its stdin. */
async function startKubeSim(): Promise<{ child: ChildProcess; exited: Promise<void>; kubeconfig: string }> {
  const child = spawn(process.execPath, ['--import', join(root, 'scripts', 'register-ts.mjs'), join(root, 'test', 'bench', 'kube-sim.process.ts')], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const first = await createInterface({ input: child.stdout! })[Symbol.asyncIterator]().next();
  if (first.done) throw new Error('kube-sim exited before it listened');
  return { child, exited, kubeconfig: (JSON.parse(first.value) as { kubeconfig: string }).kubeconfig };
}

// Part 1, the agent core. kube-sim in its own process.
const { child: sim, exited: simExited, kubeconfig } = await startKubeSim();

// The agent core in its own process, with the image's node flags (+ --expose-gc to measure after a collection).
type Memory = Record<'rssMib' | 'nodeBinaryMib' | 'mallocMib' | 'anonymousMib' | 'heapTotalMib' | 'heapUsedMib' | 'externalMib', number>;
interface Report {
  phase: string;
  health: string;
  reason: string;
  driftedFields: number;
  drifted: { kind: string; name: string; live: string[] }[];
}
const agent = spawn(process.execPath, [...nodeFlags, '--expose-gc', join(root, 'test', 'bench', 'agent-core.process.mjs'), kubeconfig], {
  cwd: root,
  stdio: ['pipe', 'pipe', 'inherit'],
});
const agentExited = new Promise<void>((resolve) => agent.once('exit', () => resolve()));
const fromAgent = lines(agent, 'the agent process');
const command = (message: unknown): void => void agent.stdin!.write(`${JSON.stringify(message)}\n`);
let latest: Report | undefined;
const waiters = new Set<() => void>();
fromAgent.on('report', (report) => {
  if (report instanceof Error) return;
  latest = report as Report;
  for (const wake of waiters) wake();
});
/** Resolves once a report satisfies `match` (checked at every report, no polling), or fails at the deadline. */
const reportWhere = (what: string, match: (r: Report) => boolean, timeoutMs = 60_000): Promise<Report> =>
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
const afterImports = await fromAgent.next<Memory>('ready');

const manifests = objects(count);
const cpuBefore = { agent: await cpuMs(agent.pid!), sim: await cpuMs(sim.pid!) };
const t0 = performance.now();
command({ desired: { bundle: 'bench', generation: '1', hash: 'h1', revision: 'r1', manifests, policy: applyPolicySchema.parse({}), dependsOn: [], suspend: false } });
await reportWhere('Applied', (r) => r.phase === 'Applied');
const applyMs = performance.now() - t0;
const applyCpu = { agent: (await cpuMs(agent.pid!)) - cpuBefore.agent, sim: (await cpuMs(sim.pid!)) - cpuBefore.sim };
command({ counters: true });
const applyCounters = await fromAgent.next<{ requests: number; connections: number }>('counters');
await reportWhere('Healthy', (r) => r.phase === 'Applied' && r.health === 'Healthy');
const healthyMs = performance.now() - t0;
await reportWhere('no drift', (r) => r.driftedFields === 0);

// Memory with the bundle applied and its watches open.
command({ measure: true });
const { before: memoryBeforeGc, after: memory } = await fromAgent.next<{ before: Memory; after: Memory }>('memory');

// Drift latency: kubectl-edit scales a Deployment (an Update over HTTPS) until a report names the new value.
// The editor keeps its connection open (as kubectl's would within one command): the latency is the agent's, not a TLS handshake's.
const editor = new KeepAliveKubeConfig();
editor.loadFromFile(kubeconfig);
const api = KubernetesObjectApi.makeApiClient(editor);
const deployments = manifests.filter((m) => m.kind === 'Deployment');
const samples: number[] = [];
for (let i = 0; i < edits; i++) {
  const target = deployments[i % deployments.length]!;
  await reportWhere('drift cleared', (r) => r.driftedFields === 0);
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
  await reportWhere(`the drift of ${target.metadata.name}`, (r) => r.drifted.some((x) => x.name === target.metadata.name && x.kind === 'Deployment' && x.live.includes(String(replicas))));
  samples.push(performance.now() - start);
}
samples.sort((a, b) => a - b);
const median = samples[Math.floor(samples.length / 2)]!;

agent.stdin!.end();
await agentExited;
await editor.closeConnections();
sim.stdin!.end();
await simExited;
const loadAfter = await loadavg();

console.log(`agent process: node ${nodeFlags.join(' ')}${flagsAt > 0 ? ' (--node-flags, NOT the image’s flags)' : ' (the agent image’s flags)'} --expose-gc`);
console.log(`${count}-object bundle via client-node over HTTPS to kube-sim in its own process: Applied in ${applyMs.toFixed(0)} ms (${applyCounters.requests} requests, ${applyCounters.connections} TLS connections so far), Healthy in ${healthyMs.toFixed(0)} ms`);
console.log(`  CPU during the apply: agent ${applyCpu.agent.toFixed(0)} ms, kube-sim ${applyCpu.sim.toFixed(0)} ms (load average ${loadAfter} on ${(await import('node:os')).availableParallelism()} cores)`);
console.log(`drift detection latency over ${edits} kubectl-edit Updates → report: median ${median.toFixed(0)} ms, max ${samples.at(-1)!.toFixed(0)} ms`);
console.log(
  `agent VmRSS after the apply, watches open: ${memoryBeforeGc.rssMib.toFixed(1)} MiB, after GC ${memory.rssMib.toFixed(1)} MiB (${afterImports.rssMib.toFixed(1)} MiB once the modules were loaded) — ` +
    `node binary ${memory.nodeBinaryMib.toFixed(1)}, malloc ${memory.mallocMib.toFixed(1)}, ` +
    `anonymous ${memory.anonymousMib.toFixed(1)} (V8 heap committed ${memory.heapTotalMib.toFixed(1)}, used ${memory.heapUsedMib.toFixed(1)}; external ${memory.externalMib.toFixed(1)})`,
);
console.log(
  [
    `objects=${count}`,
    `apply_ms=${applyMs.toFixed(0)}`,
    `healthy_ms=${healthyMs.toFixed(0)}`,
    `apply_requests=${applyCounters.requests}`,
    `apply_cpu_ms_agent=${applyCpu.agent.toFixed(0)}`,
    `apply_cpu_ms_kube_sim=${applyCpu.sim.toFixed(0)}`,
    `drift_edits=${edits}`,
    `drift_latency_median_ms=${median.toFixed(0)}`,
    `drift_latency_max_ms=${samples.at(-1)!.toFixed(0)}`,
    `rss_mib=${memory.rssMib.toFixed(1)}`,
    `rss_before_gc_mib=${memoryBeforeGc.rssMib.toFixed(1)}`,
    `rss_after_imports_mib=${afterImports.rssMib.toFixed(1)}`,
    `rss_node_binary_mib=${memory.nodeBinaryMib.toFixed(1)}`,
    `rss_malloc_mib=${memory.mallocMib.toFixed(1)}`,
    `heap_total_mib=${memory.heapTotalMib.toFixed(1)}`,
    `heap_used_mib=${memory.heapUsedMib.toFixed(1)}`,
    `node_flags=${JSON.stringify(nodeFlags.join(' '))}`,
    `loadavg=${loadAfter}`,
  ].join(' '),
);

// Part 2, the shipped agent process: main.js from the build output with the image's node flags only
// (no --expose-gc: what it holds is measured as it stands), its gRPC stream to a real hub and its Nest
// shell included, against a fresh kube-sim. The hub, its database and Git repository live in a
// helper process (agent-process-hub.process.ts), which is not measured.
const part2Sim = await startKubeSim();
const hubSide = spawn(process.execPath, ['--import', join(root, 'scripts', 'register-ts.mjs'), join(root, 'test', 'bench', 'agent-process-hub.process.ts'), part2Sim.kubeconfig], {
  cwd: root,
  stdio: ['pipe', 'pipe', 'inherit'],
});
const hubSideExited = new Promise<void>((resolve) => hubSide.once('exit', () => resolve()));
const fromHub = lines(hubSide, 'the hub process');
const toHub = (message: unknown): void => void hubSide.stdin!.write(`${JSON.stringify(message)}\n`);
let shipped: ChildProcess | undefined;
let shippedOutput = '';
// A failure anywhere must not leave an agent dialling a hub that is gone.
process.once('exit', () => shipped?.kill('SIGKILL'));
try {
  const { env, postgres } = await fromHub.next<{ env: Record<string, string>; postgres: string }>('ready', 120_000);
  const startedAt = performance.now();
  shipped = spawn(process.execPath, [...nodeFlags, join(root, 'dist', 'apps', 'agent', 'src', 'main.js')], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const shippedExited = new Promise<void>((resolve) => shipped!.once('exit', () => resolve()));
  for (const stream of [shipped.stdout!, shipped.stderr!]) stream.on('data', (chunk: Buffer) => (shippedOutput += chunk.toString()));
  const pid = shipped.pid!;
  toHub({ connected: true });
  await fromHub.next('connected', 60_000);
  const connectedMs = performance.now() - startedAt;
  const atConnect = await residentMemory(pid);

  const cpuBeforeDeploy = await cpuMs(pid);
  toHub({ deploy: { manifests } });
  const deployed = await fromHub.next<{ sourceToHealthyMs: number; admittedToObservedMs: number; generation: string }>('deployed', 120_000);
  const deployCpuMs = (await cpuMs(pid)) - cpuBeforeDeploy;

  // Scraped once, as Prometheus would; it also proves the agent holds the whole bundle.
  const scrape = async (): Promise<string> => (await fetch(`http://127.0.0.1:${env['FLOTILLA_AGENT_HTTP_PORT']}/metrics`)).text();
  const metric = (text: string, series: string): number => Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);
  const appliedResources = metric(await scrape(), 'flotilla_agent_applied_resources{bundle="bench"}');
  if (appliedResources !== count) throw new Error(`the agent reports ${appliedResources} applied resources of bundle bench, expected ${count}`);

  // Five samples 500 ms apart with the watches open; without a forced GC the figure moves, so the last and the range are printed.
  const samples: Awaited<ReturnType<typeof residentMemory>>[] = [];
  for (let i = 0; i < 5; i++) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, 500));
    samples.push(await residentMemory(pid));
  }
  const last = samples.at(-1)!;
  // V8's view from inside, as the agent exports it (prom-client's default metrics), just after the last sample.
  const metricsAfter = await scrape();
  const heapMib = { total: metric(metricsAfter, 'nodejs_heap_size_total_bytes') / 2 ** 20, used: metric(metricsAfter, 'nodejs_heap_size_used_bytes') / 2 ** 20 };
  const rss = samples.map((s) => s.rssMib);

  shipped.kill('SIGTERM');
  await shippedExited;
  console.log(`\nshipped agent process: node ${nodeFlags.join(' ')} dist/apps/agent/src/main.js${flagsAt > 0 ? ' (--node-flags, NOT the image’s flags)' : ''}, gRPC stream to a real hub (${postgres} PostgreSQL), kube-sim over HTTPS`);
  console.log(
    `  connected in ${connectedMs.toFixed(0)} ms; the ${count}-object bundle from Git: source added → Applied+Healthy ${deployed.sourceToHealthyMs.toFixed(0)} ms, ` +
      `desired admitted → agent observed Applied+Healthy ${deployed.admittedToObservedMs} ms (agent CPU ${deployCpuMs.toFixed(0)} ms)`,
  );
  console.log(
    `  VmRSS after the apply, watches open, no forced GC: ${last.rssMib.toFixed(1)} MiB (last of 5 samples over 2 s, range ${Math.min(...rss).toFixed(1)}–${Math.max(...rss).toFixed(1)}; ` +
      `${atConnect.rssMib.toFixed(1)} MiB once connected) — node binary ${last.nodeBinaryMib.toFixed(1)}, malloc ${last.mallocMib.toFixed(1)}, anonymous ${last.anonymousMib.toFixed(1)} (V8 heap committed ${heapMib.total.toFixed(1)}, used ${heapMib.used.toFixed(1)})`,
  );
  console.log(
    [
      `agent_process_rss_mib=${last.rssMib.toFixed(1)}`,
      `agent_process_rss_min_mib=${Math.min(...rss).toFixed(1)}`,
      `agent_process_rss_max_mib=${Math.max(...rss).toFixed(1)}`,
      `agent_process_rss_connected_mib=${atConnect.rssMib.toFixed(1)}`,
      `agent_process_rss_node_binary_mib=${last.nodeBinaryMib.toFixed(1)}`,
      `agent_process_rss_malloc_mib=${last.mallocMib.toFixed(1)}`,
      `agent_process_rss_anonymous_mib=${last.anonymousMib.toFixed(1)}`,
      `agent_process_heap_total_mib=${heapMib.total.toFixed(1)}`,
      `agent_process_heap_used_mib=${heapMib.used.toFixed(1)}`,
      `agent_process_connect_ms=${connectedMs.toFixed(0)}`,
      `agent_process_apply_ms=${deployed.admittedToObservedMs}`,
      `agent_process_source_to_healthy_ms=${deployed.sourceToHealthyMs.toFixed(0)}`,
      `agent_process_apply_cpu_ms=${deployCpuMs.toFixed(0)}`,
      `agent_process_database=${postgres.split(' ')[0]}`,
    ].join(' '),
  );
} catch (error) {
  if (shippedOutput) process.stderr.write(`the shipped agent printed:\n${shippedOutput}\n`);
  throw error;
} finally {
  shipped?.kill('SIGTERM');
  hubSide.stdin!.end();
  part2Sim.child.stdin!.end();
  await Promise.all([hubSideExited, part2Sim.exited]);
}

// Part 3, floors: the same flags, a forced GC, nothing run — only modules loaded.
const floorOf = async (modules: readonly string[]): Promise<number> => {
  const child = spawn(process.execPath, [...nodeFlags, '--expose-gc', join(root, 'test', 'bench', 'agent-import-floor.process.mjs'), ...modules], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`the import floor of ${modules.join(', ') || 'bare Node'} exited with ${code}`);
  return (JSON.parse(output) as { rssMib: number }).rssMib;
};
const builtModule = (path: string): string => `./dist/${path}`;
const stack = ['@grpc/grpc-js', builtModule('libs/cluster-client/src/client-node.loader.js'), builtModule('libs/pki/src/index.js'), builtModule('libs/protocol/src/index.js')];
const floors = {
  node: await floorOf([]),
  stack: await floorOf(stack),
  stackNest: await floorOf([...stack, '@nestjs/core', '@nestjs/common', 'prom-client']),
  // main.js's own imports, read from it: loading them is all main.js does before it runs.
  agentModules: await floorOf(
    [...(await readFile(join(root, 'dist', 'apps', 'agent', 'src', 'main.js'), 'utf8')).matchAll(/^import .* from '([^']+)';$/gm)].map(([, specifier]) =>
      specifier!.startsWith('.') ? builtModule(join('apps', 'agent', 'src', specifier!)) : specifier!,
    ),
  ),
};
console.log(`\nimport floors (node ${nodeFlags.join(' ')} --expose-gc, modules loaded, nothing run, after a GC):`);
console.log(
  [
    `floor_node_mib=${floors.node.toFixed(1)}`,
    `floor_stack_mib=${floors.stack.toFixed(1)}`,
    `floor_stack_nest_mib=${floors.stackNest.toFixed(1)}`,
    `floor_agent_modules_mib=${floors.agentModules.toFixed(1)}`,
  ].join(' '),
);
