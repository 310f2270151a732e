import pg from 'pg';
import { GitRepoFixture } from '../../../libs/git/src/testing/git-repo.fixture.js';
import { startTestHub, type TestHub } from '../../support/test-hub.js';
import { reportAsAgents } from '../../support/simulated-agents.js';

/** One bundle_deployments row of the bundle under test, with its cluster's name. */
export interface DeploymentRow {
  readonly cluster: string;
  readonly desired_hash: string | null;
  readonly target_hash: string | null;
  readonly desired_revision: string | null;
  readonly removal: string | null;
  readonly g: string | null;
}

/** The wave view the API gives of a rollout. */
export interface RolloutView {
  readonly id: string;
  readonly phase: string;
  readonly revision: string;
  readonly reason: string | null;
  readonly currentWave: string | null;
  readonly waves: {
    name: string;
    state: string;
    admitted: number;
    done: number;
    failed: number;
    total: number;
    approvalRequired: boolean;
    approved: boolean;
    approvedUntil: string | null;
    members: { cluster: string; state: string; generation: string | null; reason: string | null; since: string | null }[];
  }[];
}

const ROLLOUT_FIELDS = `id phase revision reason currentWave waves { name state admitted done failed total approvalRequired approved approvedUntil
  members { cluster state generation reason since } }`;

/**
 * A real hub on its own database, a Git repository, clusters created through the API and marked
 * connected, and simulated agents writing statuses the way the status ingester does: each
 * cluster reports its desired generation Applied and Healthy (or REMOVED for a removal) — except
 * clusters in `broken`, which report nothing while asked to run their target content.
 */
export class RolloutFleet {
  readonly broken = new Set<string>();
  /** Clusters whose simulated agent says nothing at all. */
  readonly silent = new Set<string>();
  private simulating = true;
  private simulation: Promise<void> = Promise.resolve();
  sourceId = '';

  private constructor(
    readonly hub: TestHub,
    readonly repo: GitRepoFixture,
    readonly db: pg.Client,
  ) {}

  static async start(files: Record<string, string>): Promise<RolloutFleet> {
    const repo = await GitRepoFixture.create();
    for (const [path, text] of Object.entries(files)) await repo.write(path, text);
    await repo.commit('v1');
    const hub = await startTestHub({ env: { FLOTILLA_GIT_ALLOW_FILE_URLS: 'true', FLOTILLA_SOURCE_POLL_INTERVAL_S: '0' } });
    const db = new pg.Client({ connectionString: hub.database.url });
    await db.connect();
    const fleet = new RolloutFleet(hub, repo, db);
    fleet.simulation = fleet.simulate();
    return fleet;
  }

  async addSource(): Promise<void> {
    const added = await this.gql<{ addSource: { source: { id: string } } }>('mutation($input: AddSourceInput!) { addSource(input: $input) { source { id } } }', {
      input: { name: 'fleet', url: this.repo.url, ref: 'main', pollIntervalSeconds: 0 },
    });
    this.sourceId = added.addSource.source.id;
  }

  async createCluster(name: string, labels: Record<string, string>): Promise<string> {
    const created = await this.gql<{ createCluster: { id: string } }>('mutation($input: CreateClusterInput!) { createCluster(input: $input) { id } }', {
      input: { name, labels: Object.entries(labels).map(([key, value]) => ({ key, value })) },
    });
    await this.db.query(`INSERT INTO cluster_connections (cluster_id, state) VALUES ($1, 'Connected') ON CONFLICT (cluster_id) DO UPDATE SET state = 'Connected'`, [
      created.createCluster.id,
    ]);
    return created.createCluster.id;
  }

  async commit(files: Record<string, string | null>, message: string): Promise<string> {
    for (const [path, text] of Object.entries(files)) {
      if (text === null) await this.repo.remove(path);
      else await this.repo.write(path, text);
    }
    const sha = await this.repo.commit(message);
    await this.gql('mutation($id: ID!) { syncSource(id: $id) { lastError } }', { id: this.sourceId });
    return sha;
  }

  async gql<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const result = await this.hub.graphql<T>(query, { token: this.hub.adminToken, variables });
    if (result.errors) throw new Error(`GraphQL: ${JSON.stringify(result.errors)}`);
    return result.data!;
  }

  /** The newest rollout of a bundle, through the API. */
  async rollout(bundle = 'web'): Promise<RolloutView | undefined> {
    const id = await this.latestRolloutId(bundle);
    return id ? this.rolloutById(id) : undefined;
  }

  async rolloutById(id: string): Promise<RolloutView> {
    return (await this.gql<{ rollout: RolloutView }>(`query($id: ID!) { rollout(id: $id) { ${ROLLOUT_FIELDS} } }`, { id })).rollout;
  }

  async latestRolloutId(bundle = 'web'): Promise<string | undefined> {
    const rows = await this.db.query(`SELECT r.id::text AS id FROM rollouts r JOIN bundles b ON b.id = r.bundle_id WHERE b.name = $1 ORDER BY r.id DESC LIMIT 1`, [bundle]);
    return rows.rows[0]?.id;
  }

  async rows(bundle = 'web'): Promise<DeploymentRow[]> {
    return (
      await this.db.query(
        `SELECT c.name AS cluster, d.desired_hash, d.target_hash, d.desired_revision, d.removal, d.desired_generation::text AS g
           FROM bundle_deployments d JOIN clusters c ON c.id = d.cluster_id JOIN bundles b ON b.id = d.bundle_id WHERE b.name = $1 ORDER BY c.name`,
        [bundle],
      )
    ).rows;
  }

  /** Polls until `check` holds, failing with `what` and the rollout's state at the deadline. */
  async until(check: () => Promise<boolean>, what: string, timeoutMs = 25_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(await this.rollout().catch((e: Error) => e.message))}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  async phaseIs(phase: string, bundle = 'web'): Promise<boolean> {
    return (await this.rollout(bundle))?.phase === phase;
  }

  async close(): Promise<void> {
    this.simulating = false;
    await this.simulation;
    await this.db.end();
    await this.hub.close();
    await this.repo.destroy();
  }

  private async simulate(): Promise<void> {
    while (this.simulating) {
      await reportAsAgents((sql, parameters) => this.db.query(sql, parameters), { broken: this.broken, silent: this.silent });
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
  }
}

/** A flotilla.yaml of bundle `web` with a three-wave rollout; `rollout` replaces the rollout section's extra lines. */
export function webSpec(options: { restApproval?: boolean; restMax?: string; secondMax?: string; bake?: string; deadline?: string; onFailure?: string; maxFailures?: number } = {}): string {
  return `name: web
namespace: web
targets: [{selector: {matchLabels: {env: prod}}}]
rollout:
  waves:
    - {name: canary, selector: {matchLabels: {canary: "true"}}, maxConcurrent: 1}
    - {name: second, selector: {matchLabels: {ring: "1"}}, maxConcurrent: ${options.secondMax ?? '1'}}
    - {name: rest, maxConcurrent: ${options.restMax ?? '50%'}, approval: ${options.restApproval ?? false}}
  bake: ${options.bake ?? '300ms'}
  progressDeadline: ${options.deadline ?? '3s'}
  maxFailures: ${options.maxFailures ?? 0}
  onFailure: ${options.onFailure ?? 'rollback'}
`;
}

export function deployment(version: string): string {
  return `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {template: {spec: {containers: [{name: web, image: "web:${version}"}]}}}\n`;
}
