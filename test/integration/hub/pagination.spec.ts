import { matchesLabelSelector, type LabelSelector } from '@flotilla/render';
import { startTestHub, type TestHub } from '../../support/test-hub.js';
import { clusterName, pageOf, seededConnection, seededLabels, seedFleet, sql, walk, type PageOf } from './pagination.support.js';

const CLUSTERS = 60;

interface ClusterNode {
  name: string;
}

describe('clusters: a Relay connection with filters answered in SQL', () => {
  let hub: TestHub;
  const page = async (args: Record<string, unknown>): Promise<PageOf<ClusterNode>> => {
    const result = await hub.graphql<{ clusters: PageOf<ClusterNode> }>(
      `query($first: Int, $after: String, $selector: LabelSelectorInput, $connection: String, $search: String) {
         clusters(first: $first, after: $after, selector: $selector, connection: $connection, search: $search) ${pageOf('name')} }`,
      { token: hub.adminToken, variables: args },
    );
    expect(result.errors).toBeUndefined();
    return result.data!.clusters;
  };
  const errorOf = async (args: Record<string, unknown>): Promise<{ message: string; extensions?: { code?: string } } | undefined> => {
    const result = await hub.graphql(
      `query($first: Int, $after: String, $selector: LabelSelectorInput, $connection: String, $search: String) {
         clusters(first: $first, after: $after, selector: $selector, connection: $connection, search: $search) { totalCount } }`,
      { token: hub.adminToken, variables: args },
    );
    return result.errors?.[0];
  };
  const all = async (args: Record<string, unknown>, first = 7): Promise<string[]> => {
    const walked = await walk((after) => page({ ...args, first, after }), first);
    expect(walked.totalCount).toBe(walked.nodes.length);
    return walked.nodes.map((node) => node.name);
  };
  const seeded = Array.from({ length: CLUSTERS }, (_, i) => ({ name: clusterName(i), labels: seededLabels(i), connection: seededConnection(i) ?? 'Disconnected' }));

  beforeAll(async () => {
    hub = await startTestHub({ env: { FLOTILLA_SOURCE_POLL_INTERVAL_S: '0' } });
    await seedFleet(hub, CLUSTERS, 0);
  });
  afterAll(() => hub?.close());

  it('walks every cluster by name in pages, with the total on each page and 50 by default', async () => {
    const names = await all({});
    expect(names).toEqual(seeded.map((c) => c.name));
    const first = await page({});
    expect(first.nodes).toHaveLength(50);
    expect(first.totalCount).toBe(CLUSTERS);
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const whole = await page({ first: 500 });
    expect(whole.nodes).toHaveLength(CLUSTERS);
    expect(whole.pageInfo.hasNextPage).toBe(false);
  });

  it('answers an empty page without a next page after the last cursor', async () => {
    const last = await page({ first: CLUSTERS });
    expect(last.pageInfo.hasNextPage).toBe(false);
    const beyond = await page({ first: 10, after: last.pageInfo.endCursor });
    expect(beyond).toEqual({ edges: [], nodes: [], pageInfo: { hasNextPage: false, hasPreviousPage: true, startCursor: null, endCursor: null }, totalCount: CLUSTERS });
  });

  it.each([
    ['matchLabels', { matchLabels: [{ key: 'env', value: 'prod' }] }],
    ['two matchLabels', { matchLabels: [{ key: 'env', value: 'prod' }, { key: 'region', value: 'eu' }] }],
    ['In', { matchExpressions: [{ key: 'region', operator: 'In', values: ['eu', 'ap'] }] }],
    ['NotIn (true where the key is absent)', { matchExpressions: [{ key: 'gpu', operator: 'NotIn', values: ['true'] }] }],
    ['Exists on a prefixed key with an empty value', { matchExpressions: [{ key: 'flotilla.dev/canary', operator: 'Exists' }] }],
    ['DoesNotExist', { matchExpressions: [{ key: 'gpu', operator: 'DoesNotExist' }] }],
    [
      'all operators together',
      {
        matchLabels: [{ key: 'env', value: 'prod' }],
        matchExpressions: [
          { key: 'region', operator: 'NotIn', values: ['us'] },
          { key: 'gpu', operator: 'Exists' },
        ],
      },
    ],
    ['a value nobody has', { matchLabels: [{ key: 'env', value: 'staging' }] }],
    ['empty (matches all)', {}],
  ])('filters by a label selector with Kubernetes semantics: %s', async (_name, selector) => {
    const input = selector as { matchLabels?: { key: string; value: string }[]; matchExpressions?: LabelSelector['matchExpressions'] };
    const asSelector: LabelSelector = {
      ...(input.matchLabels ? { matchLabels: Object.fromEntries(input.matchLabels.map((l) => [l.key, l.value])) } : {}),
      ...(input.matchExpressions ? { matchExpressions: input.matchExpressions } : {}),
    };
    const expected = seeded.filter((c) => matchesLabelSelector(asSelector, c.labels)).map((c) => c.name);
    expect(await all({ selector })).toEqual(expected);
  });

  it('filters by connection (no connection row counts as Disconnected) and by a case-insensitive name search', async () => {
    expect(await all({ connection: 'Connected' })).toEqual(seeded.filter((c) => c.connection === 'Connected').map((c) => c.name));
    expect(await all({ connection: 'Disconnected' })).toEqual(seeded.filter((c) => c.connection === 'Disconnected').map((c) => c.name));
    expect(await all({ search: 'C-1' })).toEqual(seeded.filter((c) => c.name.startsWith('c-1')).map((c) => c.name));
    const combined = await all({ selector: { matchLabels: [{ key: 'env', value: 'prod' }] }, connection: 'Connected', search: '-' }, 3);
    expect(combined).toEqual(seeded.filter((c) => c.labels.env === 'prod' && c.connection === 'Connected').map((c) => c.name));
    expect(combined.length).toBeGreaterThan(3);
  });

  it.each([
    ['first 0', { first: 0 }, 'first: must be an integer from 1 to 500, got 0'],
    ['first 501', { first: 501 }, 'first: must be an integer from 1 to 500, got 501'],
    ['first -1', { first: -1 }, 'first: must be an integer from 1 to 500, got -1'],
    ['a cursor that is not base64url', { after: 'not a cursor!' }, 'after: is not a cursor of this list'],
    ['a cursor holding an object', { after: Buffer.from('{"name":"c-01"}').toString('base64url') }, 'after: is not a cursor of this list'],
    ['a bundleDeployments cursor', { after: Buffer.from('["web","c-01","12"]').toString('base64url') }, 'after: is not a cursor of this list'],
    ['a cursor of the wrong type', { after: Buffer.from('[1]').toString('base64url') }, 'after: is not a cursor of this list'],
    ['a 2,000-character cursor', { after: 'A'.repeat(2_000) }, 'after: is not a cursor of this list'],
    ['an unknown connection state', { connection: 'Online' }, 'connection: must be Connected or Disconnected, got "Online"'],
    ['a search of 64 characters', { search: 'x'.repeat(64) }, 'search: must be at most 63 characters'],
  ])('refuses bad arguments with an error naming them: %s', async (_name, args, message) => {
    expect(await errorOf(args)).toMatchObject({ message, extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('refuses an invalid selector before reading anything', async () => {
    const error = await errorOf({ selector: { matchExpressions: [{ key: 'region', operator: 'In', values: [] }] } });
    expect(error).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(error!.message).toContain('operator In needs at least one value');
  });

  it('treats a cursor of another list of the same shape as a mere position (harmless)', async () => {
    const sources = await hub.graphql<{ sources: PageOf<{ name: string }> }>(`{ sources(first: 1) ${pageOf('name')} }`, { token: hub.adminToken });
    const cursor = sources.data!.sources.pageInfo.endCursor!; // the position "fleet"
    await sql(hub, `INSERT INTO clusters (name, labels) VALUES ('h-1', '{}')`);
    const after = await page({ first: 500, after: cursor });
    await sql(hub, `DELETE FROM clusters WHERE name = 'h-1'`);
    expect(after.nodes.map((n) => n.name)).toEqual(['h-1']);
    expect(after.totalCount).toBe(CLUSTERS + 1);
  });

  it('keeps its order across pages while clusters are inserted: nothing repeats, nothing is skipped', async () => {
    const first = await page({ first: 10 });
    const seen = first.nodes.map((n) => n.name);
    // One before the cursor (never shown on later pages), one inside the remaining range, one at the end.
    await sql(hub, `INSERT INTO clusters (name, labels) VALUES ('a-early', '{}'), ('c-20a', '{}'), ('zz-late', '{}')`);
    let after = first.pageInfo.endCursor;
    for (;;) {
      const next = await page({ first: 10, after });
      seen.push(...next.nodes.map((n) => n.name));
      if (!next.pageInfo.hasNextPage) break;
      after = next.pageInfo.endCursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    const expected = (await sql(hub, `SELECT name FROM clusters WHERE name <> 'a-early' ORDER BY name`)).map((row) => row.name as string);
    expect(seen).toEqual(expected);
    expect(seen).toContain('c-20a');
    expect(seen).toContain('zz-late');
    await sql(hub, `DELETE FROM clusters WHERE name IN ('a-early', 'c-20a', 'zz-late')`);
  });
});
