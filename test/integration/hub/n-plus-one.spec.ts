import pg from 'pg';
import { startTestHub, type TestHub } from '../../support/test-hub.js';
import { clusterName, seedFleet, sql } from './pagination.support.js';

const CLUSTERS = 30;

/**
 * Counts the SQL statements the process sends while `work` runs (the hub runs in this process). The hub's timers
 * (rollout engine, event probes, webhook dispatch…) may add a statement at any moment; see `run`, which keeps the
 * fewest of several runs. The rollout engine's scan of bundles, the most frequent, is left out here.
 */
async function statementsDuring(work: () => Promise<unknown>): Promise<number> {
  const prototype = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = prototype.query;
  let count = 0;
  prototype.query = function (this: unknown, ...args: unknown[]) {
    const text = typeof args[0] === 'string' ? args[0] : ((args[0] as { text?: string } | undefined)?.text ?? '');
    if (!text.includes("good_spec->'rollout' IS NOT NULL")) count += 1;
    return original.apply(this, args);
  };
  try {
    await work();
  } finally {
    prototype.query = original;
  }
  return count;
}

const CLUSTERS_QUERY = `query($first: Int!) {
  clusters(first: $first) {
    totalCount
    nodes {
      name
      connection { state }
      bundleDeployments {
        bundle phase
        clusterNode { name labels { key value } connection { state agentVersion } }
        bundleNode { name path sourceId }
      }
    }
  }
}`;

const DEPLOYMENTS_QUERY = `query($first: Int!) {
  bundleDeployments(first: $first) { totalCount nodes { cluster drift { path } resources { kind } clusterNode { name connection { state } bundleDeployments { bundle } } bundleNode { name } } }
}`;

const ROLLOUTS_QUERY = `query($first: Int!) { rollouts(first: $first) { totalCount nodes { bundle waves { name done approved approvedBy members { cluster state } } } } }`;

// A cluster that took part and was deleted since: the API shows it by id.
const GONE_CLUSTER = '00000000-0000-4000-8000-000000000001';

describe('nested queries cost a fixed number of SQL statements (DataLoader on every relation)', () => {
  let hub: TestHub;

  beforeAll(async () => {
    hub = await startTestHub({ env: { FLOTILLA_SOURCE_POLL_INTERVAL_S: '0' } });
    const { bundleIds } = await seedFleet(hub, CLUSTERS, CLUSTERS);
    const state = JSON.stringify({ bundle: 'api', revision: 'r', phase: 'Succeeded', wave: 0, reason: null, clusters: { [GONE_CLUSTER]: { wave: 0, phase: 'Done' } } });
    await sql(
      hub,
      `INSERT INTO rollouts (bundle_id, revision, digest, phase, state) SELECT b, 'r', 'd', 'Succeeded', $3 FROM unnest(ARRAY[$1::bigint, $2::bigint]) b, generate_series(1, 15)`,
      [bundleIds['api@fleet'], bundleIds['web@fleet'], state],
    );
  });
  afterAll(() => hub?.close());

  /**
   * The statements of one request, as the fewest over five runs: background timers only ever add statements, so
   * the minimum is the request's own cost (a request that costs more every time still shows).
   */
  const run = async <T>(query: string, first: number): Promise<{ statements: number; data: T }> => {
    await hub.graphql(query, { token: hub.adminToken, variables: { first } }); // warm: token last-used, schema
    let fewest = Number.POSITIVE_INFINITY;
    let data: T | undefined;
    for (let i = 0; i < 5; i += 1) {
      let result: { data?: T | null; errors?: unknown[] } = {};
      const statements = await statementsDuring(async () => (result = await hub.graphql<T>(query, { token: hub.adminToken, variables: { first } })));
      expect(result.errors).toBeUndefined();
      fewest = Math.min(fewest, statements);
      data = result.data!;
    }
    return { statements: fewest, data: data! };
  };

  it(`clusters → connection, bundleDeployments → clusterNode → connection, bundleNode: 6 statements for 2 or ${CLUSTERS} clusters`, async () => {
    type Answer = { clusters: { nodes: { name: string; connection: { state: string }; bundleDeployments: { bundle: string; clusterNode: { name: string; connection: { state: string } } }[] }[] } };
    const small = await run<Answer>(CLUSTERS_QUERY, 2);
    const large = await run<Answer>(CLUSTERS_QUERY, CLUSTERS);
    expect(large.data.clusters.nodes).toHaveLength(CLUSTERS);
    for (const cluster of large.data.clusters.nodes) {
      expect(cluster.bundleDeployments.map((d) => d.bundle)).toEqual(['api', 'web', 'web']);
      for (const deployment of cluster.bundleDeployments) {
        expect(deployment.clusterNode.name).toBe(cluster.name);
        expect(deployment.clusterNode.connection.state).toBe(cluster.connection.state);
      }
    }
    expect(large.data.clusters.nodes.filter((c) => c.connection.state === 'Connected').map((c) => c.name)).toEqual(
      Array.from({ length: CLUSTERS }, (_, i) => i).filter((i) => i % 4 === 0).map(clusterName),
    );
    // Token, page (connections joined in, primed into the loader), count; then one batch per relation: bundle
    // deployments; clusters, bundles. The nested clusters' connections are the same rows, from the loader's cache.
    expect(small.statements).toBe(6);
    expect(large.statements).toBe(6);
  });

  it(`bundleDeployments → clusterNode → connection and bundleDeployments, bundleNode: the same statements for 6 or ${3 * CLUSTERS} rows`, async () => {
    type Answer = { bundleDeployments: { nodes: { cluster: string; clusterNode: { name: string; bundleDeployments: unknown[] } }[] } };
    const small = await run<Answer>(DEPLOYMENTS_QUERY, 6);
    const large = await run<Answer>(DEPLOYMENTS_QUERY, 3 * CLUSTERS);
    expect(large.data.bundleDeployments.nodes).toHaveLength(3 * CLUSTERS);
    for (const node of large.data.bundleDeployments.nodes) {
      expect(node.clusterNode.name).toBe(node.cluster);
      expect(node.clusterNode.bundleDeployments).toHaveLength(3);
    }
    expect(small.statements).toBe(large.statements);
    expect(large.statements).toBeLessThanOrEqual(8); // + the latest statuses' resources, read once for drift and resources
  });

  it('rollouts → waves → approvals and members: one batched read each for 2 or 30 rollouts', async () => {
    type Answer = { rollouts: { nodes: { waves: { name: string; done: number; approved: boolean; members: { cluster: string; state: string }[] }[] }[] } };
    const small = await run<Answer>(ROLLOUTS_QUERY, 2);
    const large = await run<Answer>(ROLLOUTS_QUERY, 30);
    expect(large.data.rollouts.nodes).toHaveLength(30);
    expect(large.data.rollouts.nodes.every((r) => r.waves.length === 1 && r.waves[0]!.done === 1 && !r.waves[0]!.approved)).toBe(true);
    expect(large.data.rollouts.nodes[0]!.waves[0]!.members).toEqual([{ cluster: GONE_CLUSTER, state: 'Done' }]);
    // Token, page, count, rollout sections, approvals, clusters.
    expect(small.statements).toBe(6);
    expect(large.statements).toBe(6);
  });
});
