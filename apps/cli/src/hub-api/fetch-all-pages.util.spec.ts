import { CliError } from '../cli.error.js';
import { fetchAllPages, type ConnectionPage } from './fetch-all-pages.util.js';
import type { HubClient } from './hub-client.js';

/** A scripted hub answering pages of `items` after cursors that are item indexes, recording each request. */
function pagingHub(items: string[], pageSize: number, brokenCursor = false) {
  const requests: { first: number; after: string | null }[] = [];
  const client = {
    pageSize,
    request: async (_query: string, variables: { first: number; after: string | null }) => {
      requests.push({ first: variables.first, after: variables.after });
      const start = variables.after === null ? 0 : Number(variables.after) + 1;
      const nodes = items.slice(start, start + variables.first);
      const end = start + nodes.length - 1;
      return { things: { nodes, totalCount: items.length, pageInfo: { hasNextPage: end < items.length - 1, endCursor: brokenCursor ? '0' : String(end) } } };
    },
  } as unknown as HubClient;
  return { client, requests };
}

describe('fetchAllPages', () => {
  const items = ['a', 'b', 'c', 'd', 'e'];

  it('follows endCursor to the end', async () => {
    const { client, requests } = pagingHub(items, 2);
    expect(await fetchAllPages(client, 'query', 'things', {})).toEqual({ nodes: items, totalCount: 5 });
    expect(requests).toEqual([{ first: 2, after: null }, { first: 2, after: '1' }, { first: 2, after: '3' }]);
  });

  it('asks for no more than the limit', async () => {
    const { client, requests } = pagingHub(items, 2);
    expect(await fetchAllPages(client, 'query', 'things', {}, 3)).toEqual({ nodes: ['a', 'b', 'c'], totalCount: 5 });
    expect(requests.map((r) => r.first)).toEqual([2, 1]);
  });

  it('follows a connection nested in the answer, picked out by the caller', async () => {
    const { client } = pagingHub(items, 2);
    const nested = { ...client, request: async (query: string, variables: Record<string, unknown>) => ({ deployment: await client.request(query, variables) }) } as HubClient;
    const page = await fetchAllPages<string>(nested, 'query', 'history', {}, Infinity, (data) => (data.deployment as { things: ConnectionPage<string> }).things);
    expect(page).toEqual({ nodes: items, totalCount: 5 });
  });

  it('stops with an error when the hub answers the same cursor again', async () => {
    const { client } = pagingHub(items, 1, true);
    await expect(fetchAllPages(client, 'query', 'things', {})).rejects.toThrow(new CliError('the hub\'s "things" list did not move past cursor 0'));
  });
});
