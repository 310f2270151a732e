import type { DataSource } from 'typeorm';
import { decodeCursor, toPage, type Page } from '../graphql/pagination.js';
import type { BundleRow } from '../graphql/request-loaders.js';

/** The filters of the bundles list, already validated. */
export interface BundleListFilter {
  readonly sourceId?: string;
  readonly search?: string;
}

/** One page of bundles by (name, id) after the cursor, with the total over the same filters. */
export async function selectBundlePage(db: DataSource, filter: BundleListFilter, first: number, after: string | null | undefined): Promise<Page<BundleRow>> {
  const params: unknown[] = [];
  const where: string[] = [];
  if (filter.sourceId !== undefined) {
    params.push(filter.sourceId);
    where.push(`source_id = $${params.length}::uuid`);
  }
  if (filter.search !== undefined) {
    params.push(filter.search.toLowerCase());
    where.push(`strpos(lower(name), $${params.length}) > 0`);
  }
  const conditions = where.length > 0 ? where.join(' AND ') : 'true';
  const pageParams = [...params];
  let keyset = '';
  if (after) {
    const [name, id] = decodeCursor(after, ['string', 'number']);
    pageParams.push(name, id);
    keyset = ` AND (name, id) > ($${pageParams.length - 1}::text, $${pageParams.length}::bigint)`;
  }
  pageParams.push(first + 1);
  const [rows, total] = await Promise.all([
    db.query(
      `SELECT id::text AS id, source_id, name, path, good_revision, good_spec, error, error_revision, removed_at, updated_at
         FROM bundles WHERE ${conditions}${keyset} ORDER BY name, id LIMIT $${pageParams.length}`,
      pageParams,
    ) as Promise<BundleRow[]>,
    db.query(`SELECT count(*)::int AS n FROM bundles WHERE ${conditions}`, params) as Promise<{ n: number }[]>,
  ]);
  return toPage(rows, first, after, total[0]!.n, (row) => [row.name, Number(row.id)], (row) => row);
}
