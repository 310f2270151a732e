// The agent core in a process of its own, for `agent.bench.ts`: the real BundleReconciler over
// KubernetesClusterClient (client-node), loaded from the build output as the agent image runs it, so
// the process's memory is the agent's and not the benchmark's (its kube-sim editor, its loaders).
// The benchmark starts it with the node flags of the agent image's command.
// Protocol, one JSON object per line. In (stdin): {"desired": DesiredBundle with generation as a
// string} | {"measure": true} | {"counters": true}; the end of stdin stops it. Out (stdout):
// {"ready": {...memory}} once loaded, {"report": ...} per report (the fields the benchmark reads),
// {"memory": ...} and {"counters": ...} on request.
// Plain JavaScript, so that no TypeScript loader (Node's type stripping holds ~19 MiB) sits in the
// measured process. Run: node [flags] --expose-gc test/bench/agent-core.process.mjs <kubeconfig>
import { subscribe } from 'node:diagnostics_channel';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { residentMemory } from './process-memory.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const built = (lib) => import(pathToFileURL(join(root, 'dist', 'libs', lib, 'src', 'index.js')).href);
const { BundleReconciler } = await built('agent-core');
const { KubernetesClusterClient } = await built('cluster-client');

const kubeconfig = process.argv[2];
if (!kubeconfig) throw new Error('usage: agent-core.process.mjs <kubeconfig>');
const send = (message) => void process.stdout.write(`${JSON.stringify(message)}\n`);

/** This process's resident memory (see process-memory.mjs), with V8's own view of its heap. */
async function memory() {
  const mib = (bytes) => Math.round((bytes / 1024 / 1024) * 10) / 10;
  const usage = process.memoryUsage();
  return { ...(await residentMemory('self')), heapTotalMib: mib(usage.heapTotal), heapUsedMib: mib(usage.heapUsed), externalMib: mib(usage.external) };
}

let requests = 0;
let connections = 0;
subscribe('undici:request:create', () => (requests += 1));
subscribe('undici:client:connected', () => (connections += 1));

const client = KubernetesClusterClient.create({ kubeconfigPath: kubeconfig });
const reconciler = new BundleReconciler(client, { healthPollMs: 50, driftDebounceMs: 20 });
reconciler.onReport((report) =>
  send({
    report: {
      phase: report.phase,
      health: report.health,
      reason: report.reason,
      driftedFields: report.drift.driftedFields,
      drifted: report.resources.filter((r) => r.drift.length > 0).map((r) => ({ kind: r.kind, name: r.name, live: r.drift.map((d) => d.liveJson) })),
    },
  }),
);
await reconciler.start();
send({ ready: await memory() });

const gc = globalThis.gc;
for await (const line of createInterface({ input: process.stdin })) {
  const command = JSON.parse(line);
  if (command.desired) reconciler.desired({ ...command.desired, generation: BigInt(command.desired.generation) });
  else if (command.counters) send({ counters: { requests, connections } });
  else if (command.measure) {
    // As it stands, then after full collections (what the process holds, not what it has yet to collect).
    const before = await memory();
    if (!gc) throw new Error('run with --expose-gc to measure after a collection');
    gc();
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    send({ memory: { before, after: await memory() } });
  }
}
await reconciler.stop();
await client.close();
