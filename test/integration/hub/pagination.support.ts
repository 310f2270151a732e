import { randomUUID } from 'node:crypto';
import { queryRows } from '../../support/test-database.js';
import type { TestHub } from '../../support/test-hub.js';

/** One page as every list answers it (Relay connection). */
export interface PageOf<T> {
  readonly edges: { cursor: string; node: T }[];
  readonly nodes: T[];
  readonly pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  readonly totalCount: number;
}

/** The selection for a page of nodes with the given fields. */
export const pageOf = (fields: string): string => `{ edges { cursor node { ${fields} } } nodes { ${fields} } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount }`;

/** Runs SQL on the hub's own database. */
export const sql = (hub: TestHub, text: string, params: unknown[] = []): Promise<Record<string, unknown>[]> => queryRows(hub.database, text, params);

/**
 * Follows a list from its first page to its last and checks the Relay invariants on the way: each page's
 * edges and nodes agree, start/end cursors are its first/last edge, hasPreviousPage only after a cursor,
 * the total is the same on every page, and every page but the last is full.
 */
export async function walk<T>(fetchPage: (after: string | null) => Promise<PageOf<T>>, first: number): Promise<{ nodes: T[]; pages: number; totalCount: number }> {
  const nodes: T[] = [];
  let after: string | null = null;
  let totalCount: number | undefined;
  for (let pages = 1; ; pages += 1) {
    const page: PageOf<T> = await fetchPage(after);
    expect(page.edges.map((edge) => edge.node)).toEqual(page.nodes);
    expect(page.pageInfo.startCursor).toBe(page.edges[0]?.cursor ?? null);
    expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor ?? null);
    expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
    totalCount ??= page.totalCount;
    expect(page.totalCount).toBe(totalCount);
    nodes.push(...page.nodes);
    if (!page.pageInfo.hasNextPage) return { nodes, pages, totalCount };
    expect(page.nodes).toHaveLength(first);
    after = page.pageInfo.endCursor;
    if (pages > 1_000) throw new Error('the list never ended');
  }
}

/** The labels the seeded cluster number i gets: several keys present on some clusters only. */
export function seededLabels(i: number): Record<string, string> {
  return {
    env: i % 2 === 0 ? 'prod' : 'dev',
    region: ['eu', 'us', 'ap'][i % 3]!,
    ...(i % 5 === 0 ? { gpu: 'true' } : {}),
    ...(i % 7 === 0 ? { 'flotilla.dev/canary': '' } : {}),
  };
}

/** Connection state of seeded cluster i: Connected, a Disconnected row, or no row at all (also Disconnected). */
export function seededConnection(i: number): 'Connected' | 'Disconnected' | null {
  return i % 4 === 0 ? 'Connected' : i % 4 === 1 ? 'Disconnected' : null;
}

export const clusterName = (i: number): string => `c-${String(i).padStart(2, '0')}`;

/**
 * Seeds clusters c-00…c-(n-1) with labels and connections, two sources, bundles "api" and "web" in the first and
 * another "web" in the second (a tie on name), and a bundle deployment of each bundle on the first `deployed` clusters.
 */
export async function seedFleet(hub: TestHub, clusters: number, deployed: number): Promise<{ sourceIds: string[]; bundleIds: Record<string, string> }> {
  const names = Array.from({ length: clusters }, (_, i) => clusterName(i));
  await sql(hub, `INSERT INTO clusters (name, labels) SELECT * FROM unnest($1::text[], $2::jsonb[])`, [names, names.map((_, i) => JSON.stringify(seededLabels(i)))]);
  const connected = names.map((name, i) => ({ name, state: seededConnection(i) })).filter((c) => c.state !== null);
  await sql(
    hub,
    `INSERT INTO cluster_connections (cluster_id, state) SELECT c.id, u.state FROM unnest($1::text[], $2::text[]) AS u(name, state) JOIN clusters c ON c.name = u.name`,
    [connected.map((c) => c.name), connected.map((c) => c.state)],
  );
  const sourceIds = [randomUUID(), randomUUID()];
  await sql(
    hub,
    `INSERT INTO sources (id, name, url, ref, webhook_secret, poll_interval_seconds) VALUES ($1, 'fleet', 'https://example.invalid/fleet.git', 'main', '\\x00', 0), ($2, 'other', 'https://example.invalid/other.git', 'main', '\\x00', 0)`,
    sourceIds,
  );
  const bundles = await sql(
    hub,
    `INSERT INTO bundles (source_id, name, path) VALUES ($1, 'api', 'apps/api'), ($1, 'web', 'apps/web'), ($2, 'web', 'web') RETURNING id::text AS id, name, source_id`,
    sourceIds,
  );
  await sql(
    hub,
    `INSERT INTO bundle_deployments (bundle_id, cluster_id, target_hash, desired_hash)
     SELECT b.id, c.id, 'sha256:t', 'sha256:t' FROM bundles b CROSS JOIN clusters c WHERE c.name < $1`,
    [clusterName(deployed)],
  );
  const bundleIds = Object.fromEntries(bundles.map((b) => [`${b.name}@${b.source_id === sourceIds[0] ? 'fleet' : 'other'}`, b.id as string]));
  return { sourceIds, bundleIds };
}
