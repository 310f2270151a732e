import type { DataSource } from 'typeorm';
import { InvalidInputException } from '../common/invalid-input.exception.js';
import { decodeCursor, ROW_ID_PATTERN, toPage, type Page } from '../graphql/pagination.js';
import type { BundleDeploymentModel } from './dtos/bundle-deployment.model.js';

/** The filters of the bundleDeployments list, already validated (phase and health upper-case; NONE: no report yet). */
export interface BundleDeploymentFilter {
  readonly bundle?: string;
  readonly cluster?: string;
  readonly phase?: string;
  readonly health?: string;
  readonly drifted?: boolean;
  readonly reason?: string;
}

const COLUMNS = `d.id, d.bundle_id, d.cluster_id, b.name AS bundle, c.name AS cluster, d.target_hash, d.target_revision, d.desired_hash,
       d.desired_generation::text AS desired_generation, d.desired_revision, d.removal, d.reason, d.updated_at,
       s.acked_generation::text AS acked_generation, s.generation::text AS reported_generation, s.phase, s.health,
       coalesce(s.terminal, false) AS terminal, coalesce(s.drifted_fields, 0) AS drifted_fields, s.reason AS reported_reason, s.observed_at`;

const FROM = `bundle_deployments d JOIN bundles b ON b.id = d.bundle_id JOIN clusters c ON c.id = d.cluster_id
  LEFT JOIN bundle_statuses s ON s.bundle_id = d.bundle_id AND s.cluster_id = d.cluster_id`;

function toModel(row: Record<string, unknown>): BundleDeploymentModel {
  return {
    id: String(row.id),
    bundleId: String(row.bundle_id),
    clusterId: row.cluster_id as string,
    bundle: row.bundle as string,
    cluster: row.cluster as string,
    targetHash: row.target_hash as string | null,
    targetRevision: row.target_revision as string | null,
    desiredHash: row.desired_hash as string | null,
    desiredGeneration: row.desired_generation as string | null,
    desiredRevision: row.desired_revision as string | null,
    removal: row.removal as string | null,
    reason: row.reason as string | null,
    updatedAt: row.updated_at as Date,
    ackedGeneration: row.acked_generation as string | null,
    reportedGeneration: row.reported_generation as string | null,
    phase: row.phase as string | null,
    health: row.health as string | null,
    terminal: row.terminal as boolean,
    driftedFields: row.drifted_fields as number,
    reportedReason: (row.reported_reason as string | null) || null,
    observedAt: row.observed_at as Date | null,
  };
}

function conditions(filter: BundleDeploymentFilter): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const where: string[] = [];
  const add = (value: unknown, condition: (placeholder: string) => string): void => {
    params.push(value);
    where.push(condition(`$${params.length}`));
  };
  if (filter.bundle !== undefined) add(filter.bundle, (p) => `b.name = ${p}`);
  if (filter.cluster !== undefined) add(filter.cluster, (p) => `c.name = ${p}`);
  if (filter.phase === 'NONE') where.push('s.phase IS NULL');
  else if (filter.phase !== undefined) add(filter.phase, (p) => `s.phase = ${p}`);
  if (filter.health === 'NONE') where.push('s.health IS NULL');
  else if (filter.health !== undefined) add(filter.health, (p) => `s.health = ${p}`);
  if (filter.drifted !== undefined) where.push(filter.drifted ? 's.drifted_fields > 0' : 'coalesce(s.drifted_fields, 0) = 0');
  if (filter.reason !== undefined) {
    add(filter.reason.toLowerCase(), (p) => `(strpos(lower(coalesce(d.reason, '')), ${p}) > 0 OR strpos(lower(coalesce(s.reason, '')), ${p}) > 0)`);
  }
  return { sql: where.length > 0 ? where.join(' AND ') : 'true', params };
}

/**
 * One page of bundle deployments by (bundle name, cluster name, id) — the id breaks the tie between bundles of
 * the same name in different sources — as a keyset after the cursor, with the total over the same filters.
 */
export async function selectBundleDeploymentPage(db: DataSource, filter: BundleDeploymentFilter, first: number, after: string | null | undefined): Promise<Page<BundleDeploymentModel>> {
  const where = conditions(filter);
  const pageParams = [...where.params];
  let keyset = '';
  if (after) {
    const [bundle, cluster, id] = decodeCursor(after, ['string', 'string', 'string']);
    if (!ROW_ID_PATTERN.test(String(id))) throw new InvalidInputException('after', 'is not a cursor of this list');
    pageParams.push(bundle, cluster, id);
    const n = pageParams.length;
    keyset = ` AND (b.name, c.name, d.id) > ($${n - 2}::text, $${n - 1}::text, $${n}::bigint)`;
  }
  pageParams.push(first + 1);
  const [rows, total] = await Promise.all([
    db.query(`SELECT ${COLUMNS} FROM ${FROM} WHERE ${where.sql}${keyset} ORDER BY b.name, c.name, d.id LIMIT $${pageParams.length}`, pageParams) as Promise<Record<string, unknown>[]>,
    db.query(`SELECT count(*)::int AS n FROM ${FROM} WHERE ${where.sql}`, where.params) as Promise<{ n: number }[]>,
  ]);
  return toPage(rows, first, after, total[0]!.n, (row) => [row.bundle as string, row.cluster as string, String(row.id)], toModel);
}

/** Every bundle deployment of the given clusters, by bundle name, in one statement (the Cluster.bundleDeployments loader). */
export async function selectBundleDeploymentsOfClusters(db: DataSource, clusterIds: readonly string[]): Promise<BundleDeploymentModel[][]> {
  const rows: Record<string, unknown>[] = await db.query(`SELECT ${COLUMNS} FROM ${FROM} WHERE d.cluster_id = ANY($1::uuid[]) ORDER BY b.name, d.id`, [clusterIds]);
  const byCluster = new Map<string, BundleDeploymentModel[]>(clusterIds.map((id) => [id, []]));
  for (const row of rows) byCluster.get(row.cluster_id as string)?.push(toModel(row));
  return clusterIds.map((id) => byCluster.get(id) ?? []);
}
