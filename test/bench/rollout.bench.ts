// A 3-wave rollout over N simulated clusters (instant health, no bake) through the real hub and
// engine: clusters report their desired generation Applied and Healthy as soon as it is admitted
// (written as the status ingester would). Prints the total time, the engine's own time per
// decision measured apart, the hub's mean step time (from /metrics), and a manual rollback of the
// whole fleet (mutation answered, then every cluster rolled back). Usage: npm run bench:rollout [-- --clusters N]
import { decideRollout, startRollout, type ClusterView, type RolloutPlan } from '@flotilla/rollout';
import pg from 'pg';
import { GitRepoFixture } from '../../libs/git/src/testing/git-repo.fixture.js';
import { startBenchHub } from '../support/bench-hub.js';

const arg = process.argv.indexOf('--clusters');
const clusterCount = arg > 0 ? Number(process.argv[arg + 1]) : 1_000;
const spec = (version: string) => `name: web
targets: [{selector: {matchLabels: {env: prod}}}]
values: {version: "${version}"}
rollout:
  waves:
    - {name: canary, selector: {matchLabels: {canary: "true"}}, maxConcurrent: 1}
    - {name: early, selector: {matchLabels: {ring: "1"}}, maxConcurrent: 50%}
    - {name: rest, maxConcurrent: 50%}
  bake: 0s
  progressDeadline: 5m
`;
const manifest = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web, namespace: default}\ndata: {version: "{{ values.version }}"}\n';

// The engine alone: one decision over the whole fleet, repeated.
const plan: RolloutPlan = {
  waves: [
    { name: 'canary', selector: { matchLabels: { canary: 'true' } }, maxConcurrent: 1, approval: false },
    { name: 'early', selector: { matchLabels: { ring: '1' } }, maxConcurrent: '50%', approval: false },
    { name: 'rest', maxConcurrent: '50%', approval: false },
  ],
  bakeMs: 0,
  progressDeadlineMs: 300_000,
  maxFailures: 0,
  onFailure: 'rollback',
};
const views: ClusterView[] = Array.from({ length: clusterCount }, (_, i) => ({
  id: `c${i}`,
  labels: (i === 0 ? { canary: 'true' } : i < clusterCount / 10 ? { ring: '1' } : {}) as Record<string, string>,
  connected: true,
  targetHash: 'new',
  desiredHash: 'old',
  report: null,
  renderError: null,
}));
const engineState = startRollout(plan, 'web', 'r', views);
let started = performance.now();
for (let i = 0; i < 200; i += 1) decideRollout(plan, engineState, views, new Set(), Date.now());
const decisionMs = (performance.now() - started) / 200;

const repo = await GitRepoFixture.create();
await repo.write('web/flotilla.yaml', spec('1'));
await repo.write('web/cm.yaml', manifest);
await repo.commit('v1');
const bench = await startBenchHub('rollout');
const db = new pg.Client({ connectionString: bench.databaseUrl });
await db.connect();
let simulating = true;
const simulate = async () => {
  while (simulating) {
    await db.query(
      `INSERT INTO bundle_statuses (bundle_id, cluster_id, generation, stream, seq, phase, health)
       SELECT bundle_id, cluster_id, desired_generation, 1, desired_generation, 'APPLIED', 'HEALTHY' FROM bundle_deployments WHERE desired_generation IS NOT NULL
       ON CONFLICT (bundle_id, cluster_id) DO UPDATE SET generation = EXCLUDED.generation, seq = EXCLUDED.seq, phase = 'APPLIED', health = 'HEALTHY'
       WHERE bundle_statuses.generation IS DISTINCT FROM EXCLUDED.generation`,
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};
const phase = async (): Promise<string | undefined> => (await db.query(`SELECT phase FROM rollouts ORDER BY id DESC LIMIT 1`)).rows[0]?.phase;
try {
  const names = Array.from({ length: clusterCount }, (_, i) => `cluster-${i}`);
  const labels = names.map((_, i) => JSON.stringify({ env: 'prod', ...(i === 0 ? { canary: 'true' } : i < clusterCount / 10 ? { ring: '1' } : {}) }));
  await db.query(`INSERT INTO clusters (name, labels) SELECT * FROM unnest($1::text[], $2::jsonb[])`, [names, labels]);
  await db.query(`INSERT INTO cluster_connections (cluster_id, state) SELECT id, 'Connected' FROM clusters`);
  const simulation = simulate();
  const added = await bench.gql<{ addSource: { source: { id: string } } }>('mutation($i: AddSourceInput!) { addSource(input: $i) { source { id } } }', {
    i: { name: 'bench', url: repo.url, ref: 'main', pollIntervalSeconds: 0 },
  });
  const deadline = Date.now() + 120_000;
  while ((await phase()) !== 'Succeeded' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
  await repo.write('web/flotilla.yaml', spec('2'));
  await repo.commit('v2');
  started = performance.now();
  await bench.gql('mutation($id: ID!) { syncSource(id: $id) { lastError } }', { id: added.addSource.source.id });
  while (!((await phase()) === 'Succeeded' && (await db.query(`SELECT count(*)::int AS n FROM rollouts`)).rows[0].n === 2) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const totalMs = performance.now() - started;
  const admitted = (await db.query(`SELECT count(*)::int AS n FROM bundle_deployments WHERE desired_hash = target_hash`)).rows[0].n;
  const lastId = (await db.query(`SELECT id::text FROM rollouts ORDER BY id DESC LIMIT 1`)).rows[0].id as string;

  // A person's rollback of the whole fleet: every cluster a new generation with its previous hash, then rolled back.
  started = performance.now();
  await bench.gql('mutation($id: ID!) { rollbackRollout(rolloutId: $id) { phase } }', { id: lastId });
  const rollbackIssuedMs = performance.now() - started;
  while ((await phase()) !== 'RolledBack' && Date.now() < deadline + 60_000) await new Promise((resolve) => setTimeout(resolve, 25));
  const rollbackMs = performance.now() - started;
  simulating = false;
  await simulation;

  // The hub's own step time per bundle (read the fleet, decide, persist, carry out), from /metrics.
  const metrics = await (await fetch(`${bench.url}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1] ?? NaN);
  const steps = value('flotilla_rollout_decision_seconds_count');
  const stepMeanMs = (value('flotilla_rollout_decision_seconds_sum') / steps) * 1000;
  console.log(`rollout of ${clusterCount} clusters in 3 waves: ${totalMs.toFixed(0)} ms, ${admitted} clusters at the new hash; one engine decision ${decisionMs.toFixed(2)} ms`);
  console.log(
    `clusters=${clusterCount} waves=3 rollout_total_ms=${totalMs.toFixed(0)} clusters_at_new_hash=${admitted} decision_ms=${decisionMs.toFixed(2)} ` +
      `hub_steps=${steps} hub_step_mean_ms=${stepMeanMs.toFixed(2)} rollback_issued_ms=${rollbackIssuedMs.toFixed(0)} rollback_total_ms=${rollbackMs.toFixed(0)}`,
  );
} finally {
  simulating = false;
  await db.end();
  await bench.close();
  await repo.destroy();
}
