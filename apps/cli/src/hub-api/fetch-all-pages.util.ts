import { CliError } from '../cli.error.js';
import type { HubClient } from './hub-client.js';

/** One page of a Relay connection, as the list queries answer it. */
export interface ConnectionPage<T> {
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
 * `$after: String` and selects `nodes`, `pageInfo { hasNextPage endCursor }` and `totalCount` of `field` — a top-level field, or, with
 * `pick`, a connection nested deeper (`field` then names it in errors). A hub that answers the same cursor twice is an error rather than an
 * endless loop.
 */
export async function fetchAllPages<T>(
  client: HubClient,
  query: string,
  field: string,
  variables: Record<string, unknown>,
  limit = Infinity,
  pick: (data: Record<string, unknown>) => ConnectionPage<T> | undefined = (data) => data[field] as ConnectionPage<T> | undefined,
): Promise<AllPages<T>> {
  const nodes: T[] = [];
  const seen = new Set<string>();
  let after: string | null = null;
  for (;;) {
    const first = Math.min(client.pageSize, limit - nodes.length);
    const page = pick(await client.request<Record<string, unknown>>(query, { ...variables, first, after }));
    if (!page || !Array.isArray(page.nodes)) throw new CliError(`the hub answered no "${field}" list`, 1);
    nodes.push(...page.nodes);
    if (!page.pageInfo.hasNextPage || nodes.length >= limit) return { nodes, totalCount: page.totalCount };
    const cursor = page.pageInfo.endCursor;
    if (!cursor || seen.has(cursor)) throw new CliError(`the hub's "${field}" list did not move past cursor ${cursor}`, 1);
    seen.add(cursor);
    after = cursor;
  }
}
