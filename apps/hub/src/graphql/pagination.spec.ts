import { InvalidInputException } from '../common/invalid-input.exception.js';
import { decodeCursor, encodeCursor, mapPage, pageSize, toPage } from './pagination.js';

describe('pagination', () => {
  it.each([1, 50, 500])('accepts first = %d', (first) => expect(pageSize(first)).toBe(first));
  it.each([0, -1, 501, 1.5, Number.NaN])('refuses first = %d, naming the argument', (first) => {
    expect(() => pageSize(first)).toThrow(InvalidInputException);
    expect(() => pageSize(first)).toThrow(/^first: must be an integer from 1 to 500/);
  });

  it('round-trips a cursor of the expected shape', () => {
    const cursor = encodeCursor(['c-01', 7]);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, ['string', 'number'])).toEqual(['c-01', 7]);
  });

  it.each([
    ['not base64url', '!!!'],
    ['not JSON', Buffer.from('{oops').toString('base64url')],
    ['an object', Buffer.from('{"a":1}').toString('base64url')],
    ['too few values', encodeCursor(['c-01'])],
    ['a wrong type', encodeCursor([7, 'c-01'])],
    ['too long', 'A'.repeat(1_025)],
    ['empty', ''],
  ])('refuses a cursor that is %s, naming `after`', (_what, cursor) => {
    expect(() => decodeCursor(cursor, ['string', 'number'])).toThrow('after: is not a cursor of this list');
  });

  it('refuses a non-finite number in a cursor', () => {
    expect(() => decodeCursor(Buffer.from('[1e999]').toString('base64url'), ['number'])).toThrow('after: is not a cursor of this list');
  });

  it('builds a page from first + 1 rows: the extra row only says that more follow', () => {
    const rows = [{ n: 'a' }, { n: 'b' }, { n: 'c' }];
    const page = toPage(rows, 2, null, 9, (row) => [row.n], (row) => row.n.toUpperCase());
    expect(page.nodes).toEqual(['A', 'B']);
    expect(page.edges.map((edge) => decodeCursor(edge.cursor, ['string']))).toEqual([['a'], ['b']]);
    expect(page.pageInfo).toEqual({ hasNextPage: true, hasPreviousPage: false, startCursor: page.edges[0]!.cursor, endCursor: page.edges[1]!.cursor });
    expect(page.totalCount).toBe(9);
    const last = toPage(rows.slice(2), 2, page.pageInfo.endCursor, 9, (row) => [row.n], (row) => row.n);
    expect(last.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    const empty = toPage([], 2, last.pageInfo.endCursor, 9, (row: { n: string }) => [row.n], (row) => row.n);
    expect(empty.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: true, startCursor: null, endCursor: null });
  });

  it('maps nodes and keeps cursors', () => {
    const page = toPage([{ n: 'a' }], 5, null, 1, (row) => [row.n], (row) => row);
    const mapped = mapPage(page, (row) => row.n.length);
    expect(mapped.nodes).toEqual([1]);
    expect(mapped.edges[0]).toEqual({ cursor: page.edges[0]!.cursor, node: 1 });
    expect(mapped.pageInfo).toBe(page.pageInfo);
  });
});
