import { startTestHub, type TestHub } from '../../support/test-hub.js';

const CREATE = `mutation($input: CreateClusterInput!) { createCluster(input: $input) { id name labels { key value } vars } }`;

describe('clusters over GraphQL', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
    for (const [name, env, region] of [['prod-eu', 'prod', 'eu-west'], ['prod-us', 'prod', 'us-east'], ['dev-eu', 'dev', 'eu-west']] as const) {
      const created = await hub.graphql(CREATE, {
        token: hub.adminToken,
        variables: { input: { name, labels: [{ key: 'env', value: env }, { key: 'region', value: region }], vars: { domain: `${name}.example.com` } } },
      });
      expect(created.errors).toBeUndefined();
    }
  });
  afterAll(() => hub?.close());

  const names = async (selector?: unknown): Promise<string[]> => {
    const result = await hub.graphql<{ clusters: { nodes: { name: string }[] } }>('query($s: LabelSelectorInput) { clusters(selector: $s) { nodes { name } } }', {
      token: hub.adminToken,
      variables: { s: selector },
    });
    expect(result.errors).toBeUndefined();
    return result.data!.clusters.nodes.map((c) => c.name);
  };

  it('lists clusters, filtered by label selectors with Kubernetes semantics', async () => {
    expect(await names()).toEqual(['dev-eu', 'prod-eu', 'prod-us']);
    expect(await names({})).toEqual(['dev-eu', 'prod-eu', 'prod-us']);
    expect(await names({ matchLabels: [{ key: 'env', value: 'prod' }] })).toEqual(['prod-eu', 'prod-us']);
    expect(await names({ matchExpressions: [{ key: 'region', operator: 'NotIn', values: ['eu-west'] }] })).toEqual(['prod-us']);
    expect(await names({ matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] })).toHaveLength(3);
  });

  it('relabels, sets vars and deletes', async () => {
    const relabeled = await hub.graphql<{ setClusterLabels: { labels: { key: string; value: string }[] } }>(
      'mutation { setClusterLabels(name: "dev-eu", labels: [{key: "env", value: "staging"}]) { labels { key value } } }',
      { token: hub.adminToken },
    );
    expect(relabeled.data?.setClusterLabels.labels).toEqual([{ key: 'env', value: 'staging' }]);
    const vars = await hub.graphql<{ setClusterVars: { vars: unknown } }>('mutation { setClusterVars(name: "dev-eu", vars: {tier: 2}) { vars } }', {
      token: hub.adminToken,
    });
    expect(vars.data?.setClusterVars.vars).toEqual({ tier: 2 });
    const deleted = await hub.graphql('mutation { deleteCluster(name: "dev-eu") { name } }', { token: hub.adminToken });
    expect(deleted.errors).toBeUndefined();
    expect(await names()).toEqual(['prod-eu', 'prod-us']);
  });

  it.each([
    [{ name: 'Bad_Name', labels: [] }, 'BAD_USER_INPUT', 'must be a DNS-1123 label'],
    [{ name: 'ok', labels: [{ key: 'env', value: 'a\nb' }] }, 'BAD_USER_INPUT', 'label value'],
    [{ name: 'prod-eu', labels: [] }, 'CONFLICT', 'a cluster named "prod-eu" already exists'],
  ])('refuses %j', async (input, code, message) => {
    const before = await names();
    const result = await hub.graphql(CREATE, { token: hub.adminToken, variables: { input } });
    expect(result.errors?.[0]?.extensions?.code).toBe(code);
    expect(result.errors?.[0]?.message).toContain(message);
    expect(await names()).toEqual(before);
  });

  it('answers unknown clusters and bad selectors clearly', async () => {
    const missing = await hub.graphql('{ cluster(name: "nope") { id } }', { token: hub.adminToken });
    expect(missing.errors?.[0]).toMatchObject({ message: 'no cluster is named "nope"', extensions: { code: 'NOT_FOUND' } });
    const bad = await hub.graphql('{ clusters(selector: {matchExpressions: [{key: "a", operator: "Near", values: ["x"]}]}) { nodes { id } } }', {
      token: hub.adminToken,
    });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(bad.errors?.[0]?.message).toContain('expected In, NotIn, Exists or DoesNotExist');
  });
});
