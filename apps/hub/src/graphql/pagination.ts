import type { Type } from '@nestjs/common';
import { ArgsType, Field, Int, ObjectType } from '@nestjs/graphql';
import { InvalidInputException } from '../common/invalid-input.exception.js';

/** The largest page any list serves; asking for more is an error, not a silent cut. */
export const MAX_PAGE_SIZE = 500;

/**
 * A row id (a bigint identity) as a cursor holds it: at most 18 digits, so the value always fits
 * PostgreSQL's bigint and a forged one is a bad cursor, not a failed cast in the database.
 */
export const ROW_ID_PATTERN = /^\d{1,18}$/;

/** A cursor position: the values of the list's sort key for one row, in sort order. */
export type CursorKey = readonly (string | number)[];

@ObjectType('PageInfo', { description: 'Where a page sits in its list (Relay cursor connections, forward paging).' })
export class PageInfoModel {
  @Field({ description: 'Whether more items follow the last one of this page.' })
  hasNextPage!: boolean;

  @Field({ description: 'Whether this page was asked for after a cursor.' })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Cursor of the first item of this page; null when the page is empty.' })
  startCursor!: string | null;

  @Field(() => String, { nullable: true, description: 'Cursor of the last item of this page; pass it as `after` for the next page.' })
  endCursor!: string | null;
}

@ArgsType()
export class PageArgs {
  @Field(() => Int, { defaultValue: 50, description: `Page size, 1 to ${MAX_PAGE_SIZE}.` })
  first!: number;

  @Field(() => String, { nullable: true, description: 'Only items after this cursor (an endCursor of this same list).' })
  after?: string | null;
}

/** One page of a list, in the Relay connection shape; `nodes` is the edges' nodes, for clients that need no cursors. */
export interface Page<T> {
  edges: { cursor: string; node: T }[];
  nodes: T[];
  pageInfo: PageInfoModel;
  totalCount: number;
}

/**
 * The GraphQL types `<Name>Connection` and `<Name>Edge` for a node type. Call once per node type, at module level,
 * and extend the result: `@ObjectType('ClusterConnection') class ClusterPageModel extends PageType(ClusterModel, 'Cluster') {}`.
 */
export function PageType<T>(nodeType: Type<T>, name: string): Type<Page<T>> {
  @ObjectType(`${name}Edge`, { description: `One ${name} in a page, with its cursor.` })
  class EdgeModel {
    @Field({ description: 'Opaque position of this item; valid as `after` on the same list with the same filters.' })
    cursor!: string;

    @Field(() => nodeType, { description: `The ${name}.` })
    node!: T;
  }

  @ObjectType({ isAbstract: true })
  abstract class PageModel implements Page<T> {
    @Field(() => [EdgeModel], { description: 'The items of this page with their cursors.' })
    edges!: { cursor: string; node: T }[];

    @Field(() => [nodeType], { description: 'The items of this page.' })
    nodes!: T[];

    @Field(() => PageInfoModel, { description: 'Where this page sits in the list.' })
    pageInfo!: PageInfoModel;

    @Field(() => Int, { description: 'How many items match the filters, over all pages.' })
    totalCount!: number;
  }
  return PageModel as unknown as Type<Page<T>>;
}

/** Checks `first` against the page-size bounds; the error names the argument. */
export function pageSize(first: number, max = MAX_PAGE_SIZE): number {
  if (!Number.isInteger(first) || first < 1 || first > max) {
    throw new InvalidInputException('first', `must be an integer from 1 to ${max}, got ${first}`);
  }
  return first;
}

/** An opaque cursor for a sort key: base64url of its JSON. */
export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/**
 * The sort key inside a cursor, checked against the shape the list expects (one string or number per sort column);
 * anything else is an InvalidInputException naming `after`, never a server error or a silently wrong page.
 */
export function decodeCursor(cursor: string, shape: readonly ('string' | 'number')[], argument = 'after'): CursorKey {
  const invalid = (): InvalidInputException => new InvalidInputException(argument, 'is not a cursor of this list');
  if (cursor.length > 1024 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(key) || key.length !== shape.length) throw invalid();
  key.forEach((value, i) => {
    if (typeof value !== shape[i] || (typeof value === 'number' && !Number.isFinite(value))) throw invalid();
  });
  return key as CursorKey;
}

/**
 * Builds a page from rows fetched with `LIMIT first + 1` after the cursor: the extra row only tells that a next page
 * exists and is not returned.
 */
export function toPage<R, T>(rows: readonly R[], first: number, after: string | null | undefined, totalCount: number, keyOf: (row: R) => CursorKey, toNode: (row: R) => T): Page<T> {
  const pageRows = rows.slice(0, first);
  const edges = pageRows.map((row) => ({ cursor: encodeCursor(keyOf(row)), node: toNode(row) }));
  return {
    edges,
    nodes: edges.map((edge) => edge.node),
    pageInfo: {
      hasNextPage: rows.length > first,
      hasPreviousPage: Boolean(after),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount,
  };
}

/** The same page with every node mapped (cursors unchanged): storage rows in, API models out. */
export function mapPage<T, U>(page: Page<T>, map: (node: T) => U): Page<U> {
  const edges = page.edges.map((edge) => ({ cursor: edge.cursor, node: map(edge.node) }));
  return { edges, nodes: edges.map((edge) => edge.node), pageInfo: page.pageInfo, totalCount: page.totalCount };
}
