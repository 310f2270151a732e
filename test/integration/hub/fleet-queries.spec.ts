import pg from 'pg';
import { startTestHub, type GraphqlResponse, type TestHub } from '../../support/test-hub.js';

/** Counts every SQL statement the process sends while `work` runs (the hub runs in this process). */
async function statementsDuring(work: () => Promise<unknown>): Promise<number> {
  const prototype = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = prototype.query;
  let count = 0;
  prototype.query = function (this: unknown, ...args: unknown[]) {
    count += 1;
    return original.apply(this, args);
  };
  try {
    await work();
  } finally {
    prototype.query = original;
  }
  return count;
}

describe('fleet queries', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
    for (let i = 0; i < 25; i += 1) {
      const created = await hub.graphql('mutation($n: String!) { createCluster(input: {name: $n, labels: [{key: "env", value: "prod"}]}) { id } }', {
        token: hub.adminToken,
        variables: { n: `c${i}` },
      });
      expect(created.errors).toBeUndefined();
    }
    const db = new pg.Client({ connectionString: hub.database.url });
    await db.connect();
    await db.query(`INSERT INTO cluster_connections (cluster_id, state, agent_version) SELECT id, 'Connected', 'v' FROM clusters WHERE name LIKE 'c1%'`);
    await db.end();
  });
  afterAll(() => hub?.close());

  it('loads nested connections in one statement, whatever the number of clusters (no N+1)', async () => {
    const query = '{ clusters { nodes { name connection { state agentVersion } } } }';
    await hub.graphql(query, { token: hub.adminToken }); // warm: token last-used, schema
    let answer: GraphqlResponse<{ clusters: { nodes: { name: string; connection: { state: string } }[] } }> = {};
    const statements = await statementsDuring(async () => (answer = await hub.graphql(query, { token: hub.adminToken })));
    expect(answer.data!.clusters.nodes).toHaveLength(25);
    expect(answer.data!.clusters.nodes.filter((c) => c.connection.state === 'Connected')).toHaveLength(11);
    // Token lookup, cluster list, one batched connection lookup (plus pool bookkeeping at most).
    expect(statements).toBeGreaterThanOrEqual(2); // the counter sees the hub's statements
    expect(statements).toBeLessThanOrEqual(5);
  });

  it('summarises the fleet in one query', async () => {
    const result = await hub.graphql<{ fleet: { clusters: number; clustersByConnection: { value: string; count: number }[]; pendingApprovals: number } }>(
      '{ fleet { clusters clustersByConnection { value count } bundleDeployments pendingApprovals rolloutsByPhase { value count } sources { name } } }',
      { token: hub.adminToken },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.fleet).toMatchObject({
      clusters: 25,
      clustersByConnection: [
        { value: 'Connected', count: 11 },
        { value: 'Disconnected', count: 14 },
      ],
      pendingApprovals: 0,
    });
  });
});
