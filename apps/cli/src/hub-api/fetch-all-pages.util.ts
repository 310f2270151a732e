import { CliError } from '../cli.error.js';
import type { HubClient } from './hub-client.js';

/** One page of a Relay connection, as the list queries answer it. */
interface ConnectionPage<T> {
  nodes: T[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

/** Every node of a list query (or the first `limit`), and how many match in all. Guarantees no node twice. */
export interface AllPages<T> {
  readonly nodes: T[];
  readonly totalCount: number;
}

/**
 * Follows `endCursor` through a connection, `client.pageSize` nodes a request, until the end (or `limit` nodes). The query takes `$first: Int!` and
 * `$after: String` and selects `nodes`, `pageInfo { hasNextPage endCursor }` and `totalCount` of `field`. A hub
 * that answers the same cursor twice is an error rather than an endless loop.
 */
export async function fetchAllPages<T>(client: HubClient, query: string, field: string, variables: Record<string, unknown>, limit = Infinity): Promise<AllPages<T>> {
  const nodes: T[] = [];
  const seen = new Set<string>();
  let after: string | null = null;
  for (;;) {
    const first = Math.min(client.pageSize, limit - nodes.length);
    const data: Record<string, ConnectionPage<T>> = await client.request(query, { ...variables, first, after });
    const page = data[field];
    if (!page || !Array.isArray(page.nodes)) throw new CliError(`the hub answered no "${field}" list`, 1);
    nodes.push(...page.nodes);
    if (!page.pageInfo.hasNextPage || nodes.length >= limit) return { nodes, totalCount: page.totalCount };
    const cursor = page.pageInfo.endCursor;
    if (!cursor || seen.has(cursor)) throw new CliError(`the hub's "${field}" list did not move past cursor ${cursor}`, 1);
    seen.add(cursor);
    after = cursor;
  }
}
