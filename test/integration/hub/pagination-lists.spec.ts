import { startTestHub, type TestHub } from '../../support/test-hub.js';
import { clusterName, pageOf, seedFleet, sql, walk, type PageOf } from './pagination.support.js';

const CLUSTERS = 12;
const DEPLOYED = 10;

interface DeploymentNode {
  bundle: string;
  cluster: string;
  phase: string | null;
  health: string | null;
  driftedFields: number;
}

describe('the other lists: bundleDeployments filters, and every list as a connection', () => {
  let hub: TestHub;
  let sourceIds: string[];
  let bundleIds: Record<string, string>;
  const gql = async <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const result = await hub.graphql<T>(query, { token: hub.adminToken, variables });
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data!;
  };
  const deployments = async (args: Record<string, unknown>, first = 4): Promise<DeploymentNode[]> => {
    const walked = await walk(
      async (after) =>
        (
          await gql<{ bundleDeployments: PageOf<DeploymentNode> }>(
            `query($first: Int, $after: String, $bundle: String, $cluster: String, $phase: String, $health: String, $drifted: Boolean, $reason: String) {
               bundleDeployments(first: $first, after: $after, bundle: $bundle, cluster: $cluster, phase: $phase, health: $health, drifted: $drifted, reason: $reason)
               ${pageOf('bundle cluster phase health driftedFields')} }`,
            { ...args, first, after },
          )
        ).bundleDeployments,
      first,
    );
    expect(walked.totalCount).toBe(walked.nodes.length);
    return walked.nodes;
  };

  beforeAll(async () => {
    hub = await startTestHub({ env: { FLOTILLA_SOURCE_POLL_INTERVAL_S: '0' } });
    ({ sourceIds, bundleIds } = await seedFleet(hub, CLUSTERS, DEPLOYED));
    // Statuses for "api" on c-00…c-09: APPLIED/HEALTHY on even clusters, FAILED/DEGRADED with a reason on odd ones, drift on c-03.
    await sql(
      hub,
      `INSERT INTO bundle_statuses (bundle_id, cluster_id, generation, phase, health, drifted_fields, reason)
       SELECT $1::bigint, c.id, 1,
              CASE WHEN right(c.name, 1)::int % 2 = 0 THEN 'APPLIED' ELSE 'FAILED' END,
              CASE WHEN right(c.name, 1)::int % 2 = 0 THEN 'HEALTHY' ELSE 'DEGRADED' END,
              CASE WHEN c.name = 'c-03' THEN 2 ELSE 0 END,
              CASE WHEN right(c.name, 1)::int % 2 = 0 THEN '' ELSE 'ImagePullBackOff on ' || c.name END
         FROM clusters c WHERE c.name < $2`,
      [bundleIds['api@fleet'], clusterName(DEPLOYED)],
    );
    await sql(hub, `UPDATE bundle_deployments SET reason = 'apps/web/flotilla.yaml:3:1: unknown field' WHERE bundle_id = $1 AND cluster_id = (SELECT id FROM clusters WHERE name = 'c-05')`, [
      bundleIds['web@other'],
    ]);
  });
  afterAll(() => hub?.close());

  it('walks every bundle deployment by bundle, then cluster; a bundle name shared by two sources stays in order', async () => {
    const rows = await deployments({});
    expect(rows).toHaveLength(3 * DEPLOYED);
    const keys = rows.map((r) => `${r.bundle}@${r.cluster}`);
    const clusters = Array.from({ length: DEPLOYED }, (_, c) => clusterName(c));
    // The two "web" bundles interleave cluster by cluster: their id only breaks the tie on (bundle, cluster).
    expect(keys).toEqual([...clusters.map((c) => `api@${c}`), ...clusters.flatMap((c) => [`web@${c}`, `web@${c}`])]);
    expect(new Set(keys).size).toBe(2 * DEPLOYED);
  });

  it('filters by bundle, cluster, phase, health, drift and reason (each with its total)', async () => {
    expect((await deployments({ bundle: 'api' })).map((r) => r.cluster)).toEqual(Array.from({ length: DEPLOYED }, (_, c) => clusterName(c)));
    expect((await deployments({ cluster: 'c-04' })).map((r) => r.bundle)).toEqual(['api', 'web', 'web']);
    expect((await deployments({ phase: 'failed' })).map((r) => r.cluster)).toEqual(['c-01', 'c-03', 'c-05', 'c-07', 'c-09']);
    expect((await deployments({ health: 'HEALTHY' })).map((r) => r.cluster)).toEqual(['c-00', 'c-02', 'c-04', 'c-06', 'c-08']);
    expect(await deployments({ phase: 'NONE' })).toHaveLength(2 * DEPLOYED);
    expect((await deployments({ drifted: true })).map((r) => `${r.bundle}@${r.cluster}:${r.driftedFields}`)).toEqual(['api@c-03:2']);
    expect(await deployments({ drifted: false })).toHaveLength(3 * DEPLOYED - 1);
    expect((await deployments({ reason: 'imagepull' })).map((r) => r.cluster)).toEqual(['c-01', 'c-03', 'c-05', 'c-07', 'c-09']);
    expect((await deployments({ reason: 'UNKNOWN FIELD' })).map((r) => `${r.bundle}@${r.cluster}`)).toEqual(['web@c-05']);
    expect((await deployments({ bundle: 'api', phase: 'FAILED', reason: 'c-07' })).map((r) => r.cluster)).toEqual(['c-07']);
    expect(await deployments({ cluster: 'c-11' })).toEqual([]);
  });

  it.each([
    [{ phase: 'Broken' }, 'phase: must be one of WAITING, APPLYING, APPLIED, FAILED, REMOVING, REMOVED, SUSPENDED, NONE, got "Broken"'],
    [{ health: 'fine' }, 'health: must be one of HEALTHY, PROGRESSING, DEGRADED, UNKNOWN, NONE, got "fine"'],
    [{ reason: 'x'.repeat(201) }, 'reason: must be at most 200 characters'],
    [{ first: 501 }, 'first: must be an integer from 1 to 500, got 501'],
    [{ after: Buffer.from('["web","c-01","1; drop"]').toString('base64url') }, 'after: is not a cursor of this list'],
    [{ after: Buffer.from('["c-01"]').toString('base64url') }, 'after: is not a cursor of this list'],
  ])('refuses %j with an error naming the argument', async (args, message) => {
    const result = await hub.graphql(
      'query($first: Int, $after: String, $phase: String, $health: String, $reason: String) { bundleDeployments(first: $first, after: $after, phase: $phase, health: $health, reason: $reason) { totalCount } }',
      { token: hub.adminToken, variables: args },
    );
    expect(result.errors?.[0]).toMatchObject({ message, extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('pages bundles (of all sources or one, with a search) and sources', async () => {
    const bundles = (args: Record<string, unknown>) =>
      walk(async (after) => (await gql<{ bundles: PageOf<{ name: string; sourceId: string }> }>(`query($first: Int, $after: String, $sourceId: ID, $search: String) { bundles(first: $first, after: $after, sourceId: $sourceId, search: $search) ${pageOf('name sourceId')} }`, { ...args, first: 1, after })).bundles, 1);
    expect((await bundles({})).nodes.map((b) => b.name)).toEqual(['api', 'web', 'web']);
    expect((await bundles({ sourceId: sourceIds[1] })).nodes).toEqual([{ name: 'web', sourceId: sourceIds[1] }]);
    expect((await bundles({ search: 'WE' })).totalCount).toBe(2);
    const bad = await hub.graphql('{ bundles(sourceId: "nope") { totalCount } }', { token: hub.adminToken });
    expect(bad.errors?.[0]).toMatchObject({ message: 'sourceId: must be a source id (a UUID)', extensions: { code: 'BAD_USER_INPUT' } });
    const sources = await walk(async (after) => (await gql<{ sources: PageOf<{ name: string }> }>(`query($after: String) { sources(first: 1, after: $after) ${pageOf('name')} }`, { after })).sources, 1);
    expect(sources.nodes.map((s) => s.name)).toEqual(['fleet', 'other']);
  });

  it('pages revisions newest first, exact even when many share one fetch time', async () => {
    // One statement: every row gets the same fetched_at, so only the id keeps them apart.
    await sql(hub, `INSERT INTO revisions (source_id, sha, author_name, author_email, message, committed_at) SELECT $1, 'sha' || i, 'a', 'a@x', 'm' || i, now() FROM generate_series(1, 7) i`, [sourceIds[0]]);
    await sql(hub, `INSERT INTO revisions (source_id, sha, author_name, author_email, message, committed_at) VALUES ($1, 'newest', 'a', 'a@x', 'm', now())`, [sourceIds[0]]);
    const walked = await walk(async (after) => (await gql<{ revisions: PageOf<{ sha: string }> }>(`query($id: ID!, $after: String) { revisions(sourceId: $id, first: 3, after: $after) ${pageOf('sha')} }`, { id: sourceIds[0], after })).revisions, 3);
    expect(walked.nodes.map((r) => r.sha)).toEqual(['newest', 'sha7', 'sha6', 'sha5', 'sha4', 'sha3', 'sha2', 'sha1']);
    const wrong = await hub.graphql('query($id: ID!) { revisions(sourceId: $id, after: "WyJ4IiwiMSJd") { totalCount } }', { token: hub.adminToken, variables: { id: sourceIds[0] } });
    expect(wrong.errors?.[0]).toMatchObject({ message: 'after: is not a cursor of this list', extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('pages rollouts newest first, by bundle and state, with their waves', async () => {
    const state = (phase: string) => JSON.stringify({ bundle: 'api', revision: 'r', phase, wave: 0, reason: null, clusters: { a: { wave: 0, phase: 'Done' } } });
    await sql(
      hub,
      `INSERT INTO rollouts (bundle_id, revision, digest, phase, state) VALUES ($1, 'r1', 'd', 'Succeeded', $3), ($1, 'r2', 'd', 'Failed', $4), ($2, 'r3', 'd', 'Succeeded', $3), ($1, 'r4', 'd', 'Succeeded', $3)`,
      [bundleIds['api@fleet'], bundleIds['web@fleet'], state('Succeeded'), state('Failed')],
    );
    const rollouts = (args: Record<string, unknown>) =>
      walk(async (after) => (await gql<{ rollouts: PageOf<{ revision: string; phase: string; waves: { done: number }[] }> }>(`query($after: String, $bundle: String, $state: String) { rollouts(first: 2, after: $after, bundle: $bundle, state: $state) ${pageOf('revision phase waves { done }')} }`, { ...args, after })).rollouts, 2);
    expect((await rollouts({})).nodes.map((r) => r.revision)).toEqual(['r4', 'r3', 'r2', 'r1']);
    expect((await rollouts({ bundle: 'api', state: 'Succeeded' })).nodes.map((r) => r.revision)).toEqual(['r4', 'r1']);
    expect((await rollouts({ bundle: 'api' })).nodes[0]!.waves).toEqual([{ done: 1 }]);
    const bad = await hub.graphql('{ rollouts(state: "Done") { totalCount } }', { token: hub.adminToken });
    expect(bad.errors?.[0]?.message).toMatch(/^state: must be one of Progressing, /);
  });

  it("pages a bundle deployment's status history, newest first, and only its own", async () => {
    const onCluster = (name: string) => `SELECT $1::bigint, c.id FROM clusters c WHERE c.name = '${name}'`;
    // Seven transitions of api on c-00 (generation 1, health flapping, then generation 2), one on c-01.
    await sql(
      hub,
      `INSERT INTO bundle_status_history (bundle_id, cluster_id, generation, phase, health, reason)
       SELECT t.*, CASE WHEN i < 7 THEN 1 ELSE 2 END, 'APPLIED', CASE WHEN i % 2 = 0 THEN 'HEALTHY' ELSE 'PROGRESSING' END, CASE WHEN i = 3 THEN 'rolling out' ELSE '' END
         FROM (${onCluster('c-00')}) t, generate_series(1, 7) i ORDER BY i`,
      [bundleIds['api@fleet']],
    );
    await sql(hub, `INSERT INTO bundle_status_history (bundle_id, cluster_id, generation, phase, health, reason) SELECT t.*, 9, 'FAILED', 'DEGRADED', 'other' FROM (${onCluster('c-01')}) t`, [
      bundleIds['api@fleet'],
    ]);
    type Transition = { generation: string; health: string; reason: string | null; recordedAt: string };
    const history = await walk(
      async (after) =>
        (
          await gql<{ bundleDeployments: { nodes: { history: PageOf<Transition> }[] } }>(
            `query($after: String) { bundleDeployments(bundle: "api", cluster: "c-00") { nodes { history(first: 3, after: $after) ${pageOf('generation health reason recordedAt')} } } }`,
            { after },
          )
        ).bundleDeployments.nodes[0]!.history,
      3,
    );
    expect(history.totalCount).toBe(7);
    expect(history.pages).toBe(3);
    expect(history.nodes.map((t) => `${t.generation}:${t.health}`)).toEqual(['2:PROGRESSING', '1:HEALTHY', '1:PROGRESSING', '1:HEALTHY', '1:PROGRESSING', '1:HEALTHY', '1:PROGRESSING']);
    expect(history.nodes.map((t) => t.reason)).toEqual([null, null, null, null, 'rolling out', null, null]);
    expect(Number.isNaN(Date.parse(history.nodes[0]!.recordedAt))).toBe(false);

    const none = await gql<{ bundleDeployments: { nodes: { history: { totalCount: number } }[] } }>('{ bundleDeployments(bundle: "web", cluster: "c-00") { nodes { history { totalCount } } } }');
    expect(none.bundleDeployments.nodes.map((d) => d.history.totalCount)).toEqual([0, 0]);
    const bad = await hub.graphql('{ bundleDeployments(bundle: "api", cluster: "c-00") { nodes { history(after: "WyJ4Il0") { totalCount } } } }', { token: hub.adminToken });
    expect(bad.errors?.[0]?.message).toBe('after: is not a cursor of this list');
    const beyondBigint = Buffer.from(JSON.stringify(['9'.repeat(19)])).toString('base64url');
    const huge = await hub.graphql(`{ bundleDeployments(bundle: "api", cluster: "c-00") { nodes { history(after: "${beyondBigint}") { totalCount } } } }`, { token: hub.adminToken });
    expect(huge.errors?.[0]?.message).toBe('after: is not a cursor of this list');
  });

  it('refuses a row id beyond bigint in every id-keyed cursor as a bad cursor, not a database error', async () => {
    const cursor = (key: unknown[]) => Buffer.from(JSON.stringify(key)).toString('base64url');
    const id = '9'.repeat(19);
    for (const query of [
      `{ events(after: "${cursor([new Date().toISOString(), id])}") { totalCount } }`,
      `{ webhookDeliveries(after: "${cursor([id])}") { totalCount } }`,
      `{ bundleDeployments(after: "${cursor(['api', 'c-00', id])}") { totalCount } }`,
    ]) {
      const refused = await hub.graphql(query, { token: hub.adminToken });
      expect(refused.errors?.[0]).toMatchObject({ message: 'after: is not a cursor of this list', extensions: { code: 'BAD_USER_INPUT' } });
    }
  });

  it('pages approvals (pending or all), API tokens and the audit log', async () => {
    await sql(
      hub,
      `INSERT INTO approvals (kind, source_id, revision, details, decided_at, decision) SELECT 'empty-revision', $1, 'r' || i, 'd' || i, CASE WHEN i % 2 = 0 THEN now() END, CASE WHEN i % 2 = 0 THEN 'approved' END FROM generate_series(1, 5) i`,
      [sourceIds[0]],
    );
    const approvals = (pending: boolean) =>
      walk(async (after) => (await gql<{ approvals: PageOf<{ revision: string }> }>(`query($after: String, $pending: Boolean!) { approvals(pending: $pending, first: 2, after: $after) ${pageOf('revision')} }`, { after, pending })).approvals, 2);
    expect((await approvals(true)).nodes.map((a) => a.revision)).toEqual(['r5', 'r3', 'r1']);
    expect((await approvals(false)).nodes.map((a) => a.revision)).toEqual(['r5', 'r4', 'r3', 'r2', 'r1']);

    for (let i = 0; i < 4; i += 1) await gql('mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }', { input: { name: `bot-${i}`, role: 'viewer' } });
    const tokens = await walk(async (after) => (await gql<{ apiTokens: PageOf<{ name: string }> }>(`query($after: String) { apiTokens(first: 2, after: $after) ${pageOf('name')} }`, { after })).apiTokens, 2);
    expect(tokens.nodes.map((t) => t.name)).toEqual(['initial-admin', 'bot-0', 'bot-1', 'bot-2', 'bot-3']);

    const audit = await walk(async (after) => (await gql<{ auditLog: PageOf<{ id: string; action: string }> }>(`query($after: String) { auditLog(first: 3, after: $after) ${pageOf('id action')} }`, { after })).auditLog, 3);
    expect(audit.nodes.filter((r) => r.action === 'createApiToken')).toHaveLength(4);
    const ids = audit.nodes.map((r) => Number(r.id));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(audit.totalCount).toBe(Number((await sql(hub, 'SELECT count(*)::int AS n FROM audit_log'))[0]!.n));
  });
});
