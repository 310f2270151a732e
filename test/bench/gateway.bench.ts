// The agent stream at scale: the hub (in this process) and N real agents (a fleet-simulator child
// process, each agent with its own EC key, certificate and TLS connection). Prints the time from a
// desired-state change to every agent having acked it, and the hub's RSS per connected agent
// ((RSS at N − RSS at 0) / N, this process holding the hub and nothing else of the fleet).
// Usage: npm run bench:gateway [-- --agents N]
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { parseAllDocuments } from 'yaml';
import { GitRepoFixture } from '../../libs/git/src/testing/git-repo.fixture.js';
import { startBenchHub } from '../support/bench-hub.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const arg = process.argv.indexOf('--agents');
const agents = arg > 0 ? Number(process.argv[arg + 1]) : 100;

const repo = await GitRepoFixture.create();
await repo.write('web/flotilla.yaml', 'name: web\ntargets: [{selector: {}}]\nvalues: {v: "1"}\n');
await repo.write('web/cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web, namespace: default}\ndata: {v: "{{ values.v }}"}\n');
await repo.commit('v1');
const bench = await startBenchHub('gateway');
console.log('hub started');
const sample = () => {
  global.gc?.();
  return process.memoryUsage().rss;
};
try {
  const added = await bench.gql<{ addSource: { source: { id: string } } }>('mutation($i: AddSourceInput!) { addSource(input: $i) { source { id } } }', {
    i: { name: 'bench', url: repo.url, ref: 'main' },
  });
  // Register every cluster (bootstrap tokens), a few requests at a time.
  const tokens: string[] = [];
  let caPem = '';
  for (let offset = 0; offset < agents; offset += 25) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(25, agents - offset) }, (_, i) =>
        bench.gql<{ registerCluster: { bootstrapToken: string; installManifest: string } }>('mutation($n: String!) { registerCluster(name: $n) { bootstrapToken installManifest } }', {
          n: `edge-${offset + i}`,
        }),
      ),
    );
    for (const registered of batch) tokens.push(registered.registerCluster.bootstrapToken);
    caPem ||= (parseAllDocuments(batch[0]!.registerCluster.installManifest).map((d) => d.toJS() as { kind: string; stringData?: Record<string, string> }).find((o) => o.kind === 'Secret')!.stringData!['hub-ca.pem'])!;
  }
  const rssBefore = sample();
  console.log(`registered ${agents} clusters`);

  const child = spawn(process.execPath, ['--import', join(root, 'scripts', 'register-ts.mjs'), join(root, 'test', 'bench', 'fleet-simulator.process.ts')], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const events: Record<string, unknown>[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      events.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // not a JSON line
    }
  });
  child.stdin!.write(
    `${JSON.stringify({ agents, hubAddress: `127.0.0.1:${bench.hub.grpcPort}`, registrationAddress: `127.0.0.1:${bench.hub.registrationPort}`, hubCaPem: caPem, tlsServerName: 'localhost', tokens, stateDir: join(bench.scratch, 'agents'), startConcurrency: 8, summaryIntervalMs: 200 })}\n`,
  );
  const until = async (check: () => boolean, what: string, timeoutMs: number): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last events ${JSON.stringify(events.slice(-5))}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const welcomed = () => Math.max(0, ...events.map((e) => (typeof e.welcomed === 'number' ? e.welcomed : 0)));
  const ackedAt = (generation: string) =>
    events.filter((e) => (e.acked as { generation?: string } | undefined)?.generation === generation).map((e) => (e.acked as { agents: number }).agents).reduce((a, b) => Math.max(a, b), 0);
  const startedAt = performance.now();
  await until(() => welcomed() >= agents, 'every agent to connect', 300_000);
  const connectMs = performance.now() - startedAt;
  console.log(`${agents} agents welcomed`);
  const db = new pg.Client({ connectionString: bench.databaseUrl });
  await db.connect();
  const rssConnected = sample();

  // The change: a new commit that changes what every cluster gets.
  await repo.write('web/flotilla.yaml', 'name: web\ntargets: [{selector: {}}]\nvalues: {v: "2"}\n');
  await repo.commit('v2');
  const changeStarted = performance.now();
  await bench.gql('mutation($id: ID!) { syncSource(id: $id) { lastError } }', { id: added.addSource.source.id });
  const generations: { g: string }[] = (await db.query(`SELECT DISTINCT desired_generation::text AS g FROM bundle_deployments`)).rows;
  const wanted = new Set(generations.map((row) => row.g));
  await until(() => [...wanted].reduce((sum, g) => sum + ackedAt(g), 0) >= agents, 'every agent to ack the change', 300_000);
  const changeToAckedMs = performance.now() - changeStarted;
  await db.end();
  child.stdin!.write('stop\n');
  await new Promise((resolve) => child.once('exit', resolve));

  const perAgentKb = (rssConnected - rssBefore) / 1024 / agents;
  console.log(`${agents} agents connected in ${(connectMs / 1000).toFixed(1)} s; change → all acked in ${changeToAckedMs.toFixed(0)} ms; hub RSS ${(rssBefore / 1048576).toFixed(0)} → ${(rssConnected / 1048576).toFixed(0)} MiB`);
  console.log(`agents=${agents} connect_s=${(connectMs / 1000).toFixed(1)} change_to_all_acked_ms=${changeToAckedMs.toFixed(0)} hub_rss_per_agent_kb=${perAgentKb.toFixed(0)}`);
} finally {
  await bench.close();
  await repo.destroy();
}
