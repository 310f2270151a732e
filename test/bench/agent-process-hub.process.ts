// The hub side of bench:agent's second part (issue #6): a real hub, in this process, on a database
// of its own (FLOTILLA_BENCH_DATABASE_URL, an admin URL, or an embedded PostgreSQL), a Git
// repository, and one registered cluster, `bench`, whose agent the benchmark runs from the build
// output as the image runs it. This process is not measured; it holds what the agent talks to.
// Protocol, one JSON object per line. Out (stdout): {"ready": {"env": …, "postgres": …}} — the
// agent's environment, its bootstrap Secret's files written to a scratch directory. In (stdin):
//   {"connected": true}              → {"connected": true} once the hub counts the agent's stream
//   {"deploy": {"manifests": [...]}} → commits them as one bundle (one YAML file per object), adds
//       the source, and answers {"deployed": …} once the hub reports the bundle Applied, Healthy and
//       drift-free at its desired generation on `bench`
// Any failure is answered {"error": "…"}. The end of stdin, SIGTERM or SIGINT stops the hub, drops
// its database and removes the scratch files.
// Run: node --import ./scripts/register-ts.mjs test/bench/agent-process-hub.process.ts <kubeconfig>
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseAllDocuments, stringify } from 'yaml';
import { freePort } from '../../apps/cli/src/demo/demo-hub.js';
import { GitRepoFixture } from '../../libs/git/src/testing/git-repo.fixture.js';
import { agentEnvironment } from '../integration/agent-process/agent-process.support.js';
import { startBenchHub, type BenchHub } from '../support/bench-hub.js';

/** The row of bundle `bench` on cluster `bench`, as the hub's API reports it. */
interface DeploymentRow {
  phase: string | null;
  health: string | null;
  driftedFields: number;
  desiredGeneration: string | null;
  reportedGeneration: string | null;
  updatedAt: string;
  observedAt: string | null;
}

const kubeconfigPath = process.argv[2];
if (!kubeconfigPath) throw new Error('usage: agent-process-hub.process.ts <kubeconfig of the agent’s cluster>');
const send = (message: unknown): void => void process.stdout.write(`${JSON.stringify(message)}\n`);

/** Polls `probe` every 25 ms until it returns a value; fails naming `what` and the last value seen at the deadline. */
async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

let hub: BenchHub | undefined;
let repo: GitRepoFixture | undefined;
let stopping: Promise<void> | undefined;
const stop = (): Promise<void> =>
  (stopping ??= (async () => {
    await hub?.close();
    await repo?.destroy();
  })());
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void stop().then(() => process.exit(0)));

try {
  repo = await GitRepoFixture.create();
  hub = await startBenchHub('agent-process');
  const registered = await hub.gql<{ registerCluster: { installManifest: string } }>('mutation { registerCluster(name: "bench") { installManifest } }');
  const secret = parseAllDocuments(registered.registerCluster.installManifest)
    .map((doc) => doc.toJS() as { kind: string; stringData?: Record<string, string> })
    .find((object) => object.kind === 'Secret')?.stringData;
  if (!secret?.['hub-ca.pem'] || !secret['bootstrap-token']) throw new Error('the install manifest holds no Secret with hub-ca.pem and bootstrap-token');
  const dir = join(hub.scratch, 'agent');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'hub-ca.pem'), secret['hub-ca.pem']);
  await writeFile(join(dir, 'bootstrap-token'), secret['bootstrap-token']);
  // As the agent's install manifest and the integration tests set it, against the benchmark's kube-sim.
  const env = agentEnvironment(
    {
      hubGrpcPort: hub.hub.grpcPort,
      hubRegistrationPort: hub.hub.registrationPort,
      hubCaFile: join(dir, 'hub-ca.pem'),
      bootstrapTokenFile: join(dir, 'bootstrap-token'),
      stateDir: join(dir, 'state'),
      kubeconfigPath,
      home: dir,
    },
    await freePort(),
  );
  const postgres = process.env.FLOTILLA_BENCH_DATABASE_URL ? `external ${new URL(process.env.FLOTILLA_BENCH_DATABASE_URL).host}` : 'embedded';
  send({ ready: { env, postgres } });

  const row = async (): Promise<DeploymentRow | undefined> =>
    (
      await hub!.gql<{ bundleDeployments: { nodes: DeploymentRow[] } }>(
        '{ bundleDeployments(cluster: "bench") { nodes { phase health driftedFields desiredGeneration reportedGeneration updatedAt observedAt } } }',
      )
    ).bundleDeployments.nodes[0];

  for await (const line of createInterface({ input: process.stdin })) {
    const command = JSON.parse(line) as { connected?: true; deploy?: { manifests: Record<string, unknown>[] } };
    try {
      if (command.connected) {
        await until('the agent of cluster bench to connect', async () => {
          const answer = await hub!.gql<{ cluster: { connection: { state: string } } }>('{ cluster(name: "bench") { connection { state } } }');
          return answer.cluster.connection.state === 'Connected' ? true : undefined;
        });
        send({ connected: true });
      } else if (command.deploy) {
        const { manifests } = command.deploy;
        await repo.write('bench/flotilla.yaml', 'name: bench\nnamespace: bench\ntargets: [{selector: {}}]\n');
        for (const [i, manifest] of manifests.entries()) {
          const metadata = manifest['metadata'] as { name: string };
          await repo.write(`bench/${String(i).padStart(3, '0')}-${String(manifest['kind']).toLowerCase()}-${metadata.name}.yaml`, stringify(manifest));
        }
        await repo.commit('bench');
        const start = performance.now();
        await hub.gql(`mutation { addSource(input: {name: "bench", url: ${JSON.stringify(repo.url)}, ref: "main"}) { source { id } } }`);
        let last: DeploymentRow | undefined;
        const done = await until('bundle bench Applied, Healthy and drift-free at its desired generation', async () => {
          last = await row();
          const ready = last?.phase === 'APPLIED' && last.health === 'HEALTHY' && last.driftedFields === 0 && last.desiredGeneration !== null && last.reportedGeneration === last.desiredGeneration;
          return ready ? last : undefined;
        }).catch((error: Error) => {
          throw new Error(`${error.message}; last row: ${JSON.stringify(last)}`);
        });
        send({
          deployed: {
            sourceToHealthyMs: performance.now() - start,
            // Both clocks are this machine's: the hub's when it admitted the generation, the agent's when it observed the result.
            admittedToObservedMs: Date.parse(done.observedAt!) - Date.parse(done.updatedAt),
            generation: done.desiredGeneration,
          },
        });
      }
    } catch (error) {
      send({ error: (error as Error).message });
    }
  }
} catch (error) {
  send({ error: (error as Error).message });
  process.exitCode = 1;
} finally {
  await stop();
}
