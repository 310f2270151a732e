import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { GitRepoFixture } from '../../../libs/git/src/testing/git-repo.fixture.js';
import { spawnHub, type HubProcess } from '../../support/hub-process.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';
import { graphqlRequest } from '../../support/test-hub.js';
import { deployment } from './rollout-fleet.support.js';
import { reportAsAgents } from '../../support/simulated-agents.js';

const SPEC = `name: web
namespace: web
targets: [{selector: {matchLabels: {env: prod}}}]
rollout:
  waves:
    - {name: canary, selector: {matchLabels: {canary: "true"}}, maxConcurrent: 1}
    - {name: second, selector: {matchLabels: {ring: "1"}}, maxConcurrent: 2, approval: true}
    - {name: rest, maxConcurrent: 3}
  bake: 300ms
  progressDeadline: 4s
  maxFailures: 0
  onFailure: rollback
`;
const MAX = [1, 2, 3];
const CLUSTERS = 12;

interface Progress {
  wave: number;
  phase: string;
  generation?: string;
  admittedAt?: number;
  since?: number;
  rollbackGeneration?: string;
}

/** A small deterministic generator, so a failing run can be replayed from its printed seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * The rollout state machine survives `kill -9` of the hub at any instant (design.md §7): the hub
 * runs as its own process and is killed at random points of several rollouts, restarted each
 * time; agents are simulated in the database. The persisted state and every sampled moment must
 * show no wave skipped, never more admitted than maxConcurrent, no approval lost, no cluster
 * admitted twice, and no second rollback.
 */
describe('rollouts across hub crashes', () => {
  const seed = Number(process.env.FLOTILLA_CRASH_SEED ?? Date.now() % 100_000);
  const next = random(seed);
  let database: TestDatabase;
  let dataDir: string;
  let repo: GitRepoFixture;
  let db: pg.Client;
  let hub: HubProcess | undefined;
  let url = '';
  let token = '';
  let sourceId = '';
  const broken = new Set<string>();
  let simulating = true;
  let simulation: Promise<void> = Promise.resolve();
  const violations: string[] = [];
  let kills = 0;

  const start = async () => {
    hub = spawnHub({
      DATABASE_URL: database.url,
      FLOTILLA_DATA_DIR: dataDir,
      FLOTILLA_HTTP_PORT: '0',
      FLOTILLA_BIND_ADDRESS: '127.0.0.1',
      FLOTILLA_GIT_ALLOW_FILE_URLS: 'true',
      FLOTILLA_SOURCE_POLL_INTERVAL_S: '0',
      FLOTILLA_LOG_LEVEL: 'log',
    });
    const [, port] = await hub.waitForOutput(/hub ready in \d+ ms: http:\/\/127\.0\.0\.1:(\d+)\//, 60_000);
    url = `http://127.0.0.1:${port}`;
    if (!token) token = (await hub.waitForOutput(/(flt_[A-Za-z0-9_-]{43})/))[1]!;
  };
  const kill = async () => {
    hub!.child.kill('SIGKILL');
    await hub!.exited;
    kills += 1;
  };
  const gql = async <T>(query: string, variables?: Record<string, unknown>): Promise<T> => {
    const result = await graphqlRequest<T>(url, query, { token, variables });
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data!;
  };
  const latest = async (): Promise<{ id: string; phase: string; revision: string; state: { wave: number; rolledBackAt?: number; clusters: Record<string, Progress> } } | undefined> =>
    (await db.query(`SELECT id::text, phase, revision, state FROM rollouts ORDER BY id DESC LIMIT 1`)).rows[0];
  const generations = async (): Promise<Map<string, string>> =>
    new Map((await db.query(`SELECT cluster_id, desired_generation::text AS g FROM bundle_deployments`)).rows.map((r: { cluster_id: string; g: string }) => [r.cluster_id, r.g]));

  /** Statuses as agents would report them, and every cluster connected (a restarted hub marks all disconnected). */
  const simulate = async () => {
    while (simulating) {
      await db.query(`INSERT INTO cluster_connections (cluster_id, state) SELECT id, 'Connected' FROM clusters ON CONFLICT (cluster_id) DO UPDATE SET state = 'Connected'`);
      await reportAsAgents((sql, parameters) => db.query(sql, parameters), { broken });
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
  };

  /**
   * Drives one rollout to `until`, killing the hub `crashes` times at random instants, sampling the
   * persisted state all along. Returns the generations each cluster went through.
   */
  const drive = async (revision: string, until: string, crashes: number, onStart?: (id: string) => Promise<void>): Promise<Map<string, Set<string>>> => {
    const seen = new Map<string, Set<string>>();
    const phases: string[] = [];
    // Each crash comes a random time after the hub (re)started: anywhere from the first step to mid-wave.
    const killAfter = Array.from({ length: crashes }, () => 100 + Math.floor(next() * 2_500));
    let began = Date.now();
    let started = false;
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (Date.now() > deadline) throw new Error(`rollout of ${revision.slice(0, 12)} never reached ${until} (seed ${seed}): ${JSON.stringify(await latest())}`);
      if (killAfter.length > 0 && Date.now() - began >= killAfter[0]!) {
        killAfter.shift();
        await kill();
        await start();
        began = Date.now();
      }
      const record = await latest();
      for (const [cluster, generation] of await generations()) {
        if (!seen.has(cluster)) seen.set(cluster, new Set());
        seen.get(cluster)!.add(generation);
      }
      if (record?.revision === revision) {
        if (!started && onStart) await onStart(record.id);
        started = true;
        if (phases.at(-1) !== record.phase) phases.push(record.phase);
        for (let wave = 0; wave < 3; wave += 1) {
          const admitted = Object.values(record.state.clusters).filter((c) => c.wave === wave && c.phase === 'Admitted').length;
          if (admitted > MAX[wave]!) violations.push(`${revision.slice(0, 7)}: ${admitted} admitted in wave ${wave} (max ${MAX[wave]})`);
        }
        if (record.phase === until && killAfter.length === 0) break;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    if (phases.filter((phase) => phase === 'RollingBack').length > 1) violations.push(`${revision.slice(0, 7)}: rolled back twice (${phases.join(' → ')})`);
    if (onStart && phases.includes('WaitingForApproval')) violations.push(`${revision.slice(0, 7)}: the early approval was lost (${phases.join(' → ')})`);
    return seen;
  };

  /** The persisted timeline: nothing of a wave admitted before every earlier wave was done; concurrency never above the limit. */
  const checkTimeline = (label: string, clusters: Record<string, Progress>) => {
    const all = Object.values(clusters);
    for (let wave = 1; wave < 3; wave += 1) {
      const earlierDone = Math.max(...all.filter((c) => c.wave < wave).map((c) => c.since ?? Infinity));
      const firstAdmitted = Math.min(...all.filter((c) => c.wave === wave).map((c) => c.admittedAt ?? Infinity));
      if (firstAdmitted < earlierDone) violations.push(`${label}: wave ${wave} admitted at ${firstAdmitted} before earlier waves were done at ${earlierDone}`);
    }
    for (let wave = 0; wave < 3; wave += 1) {
      const members = all.filter((c) => c.wave === wave);
      for (const member of members) {
        const t = member.admittedAt!;
        const overlapping = members.filter((c) => c.admittedAt! <= t && (c.since ?? Infinity) > t).length;
        if (overlapping > MAX[wave]!) violations.push(`${label}: ${overlapping} clusters in flight in wave ${wave} at ${t}`);
      }
    }
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = await mkdtemp(join(tmpdir(), 'flotilla-crash-'));
    await chmod(dataDir, 0o755);
    repo = await GitRepoFixture.create();
    await repo.write('web/flotilla.yaml', SPEC);
    await repo.write('web/deploy.yaml', deployment('1'));
    await repo.commit('v1');
    await start();
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
    for (let i = 0; i < CLUSTERS; i += 1) {
      const labels = [{ key: 'env', value: 'prod' }, ...(i === 0 ? [{ key: 'canary', value: 'true' }] : i <= 4 ? [{ key: 'ring', value: '1' }] : [])];
      await gql('mutation($input: CreateClusterInput!) { createCluster(input: $input) { id } }', { input: { name: `c${String(i).padStart(2, '0')}`, labels } });
    }
    simulation = simulate();
    const added = await gql<{ addSource: { source: { id: string } } }>('mutation($input: AddSourceInput!) { addSource(input: $input) { source { id } } }', {
      input: { name: 'fleet', url: repo.url, ref: 'main', pollIntervalSeconds: 0 },
    });
    sourceId = added.addSource.source.id;
  }, 120_000);

  afterAll(async () => {
    simulating = false;
    await simulation;
    if (hub && hub.child.exitCode === null) await kill();
    await db?.end();
    await database?.drop();
    await repo?.destroy();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps every invariant through kill -9 at random instants of successful, approved and failed rollouts', async () => {
    const approve = (id: string) => gql('mutation($id: ID!) { approveRolloutWave(rolloutId: $id, wave: "second") { id } }', { id }).then(() => undefined);
    const runs: { version: string; crashes: number; outcome: string; broken?: string }[] = [
      { version: '2', crashes: 2, outcome: 'Succeeded' },
      { version: '3', crashes: 3, outcome: 'Succeeded' },
      { version: '4-broken', crashes: 2, outcome: 'RolledBack', broken: 'c00' },
    ];
    // The first rollout (v1, from nothing) is approved and finished without crashes: the runs start from a settled fleet.
    const firstSha = (await db.query(`SELECT revision FROM rollouts ORDER BY id LIMIT 1`)).rows[0]?.revision as string | undefined;
    await drive(firstSha ?? (await waitForRollout()), 'Succeeded', 0, approve);

    for (const run of runs) {
      if (run.broken) broken.add(run.broken);
      await repo.write('web/deploy.yaml', deployment(run.version));
      const sha = await repo.commit(`v${run.version}`);
      await gql('mutation($id: ID!) { syncSource(id: $id) { lastError } }', { id: sourceId });
      const before = await generations();
      const seen = await drive(sha, run.outcome, run.crashes, approve);
      const record = (await latest())!;
      const after = await generations();
      if (run.outcome === 'Succeeded') {
        checkTimeline(`v${run.version}`, record.state.clusters);
        for (const [cluster, progress] of Object.entries(record.state.clusters)) {
          // Admitted exactly once: the generation it holds is the one the state recorded, and it moved only once.
          if (after.get(cluster) !== progress.generation) violations.push(`v${run.version}: ${cluster} holds ${after.get(cluster)}, state says ${progress.generation}`);
          const moves = [...seen.get(cluster)!].filter((g) => g !== before.get(cluster)).length;
          if (moves !== 1) violations.push(`v${run.version}: ${cluster} went through ${moves} new generations`);
        }
        expect(Object.keys(record.state.clusters)).toHaveLength(CLUSTERS);
      } else {
        broken.delete(run.broken!);
        expect(record.state.rolledBackAt).toBeDefined();
        for (const [cluster, progress] of Object.entries(record.state.clusters)) {
          if (progress.phase === 'Pending') continue;
          // One admission and one rollback: two new generations, the last being the rollback's.
          if (after.get(cluster) !== progress.rollbackGeneration) violations.push(`v${run.version}: ${cluster} holds ${after.get(cluster)}, rollback was ${progress.rollbackGeneration}`);
          const moves = [...seen.get(cluster)!].filter((g) => g !== before.get(cluster)).length;
          if (moves !== 2) violations.push(`v${run.version}: ${cluster} went through ${moves} new generations`);
        }
      }
      const approvals = await db.query(`SELECT wave FROM rollout_approvals WHERE rollout_id = $1`, [record.id]);
      expect(approvals.rows).toEqual([{ wave: 'second' }]);
    }
    expect({ seed, kills, violations }).toEqual({ seed, kills: 7, violations: [] });
  }, 400_000);

  async function waitForRollout(): Promise<string> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const record = await latest();
      if (record) return record.revision;
      if (Date.now() > deadline) throw new Error('the first rollout never started');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
});
