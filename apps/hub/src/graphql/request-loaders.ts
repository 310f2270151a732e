import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import { selectBundleDeploymentsOfClusters } from '../bundle-deployments/bundle-deployment-rows.query.js';
import type { BundleDeploymentModel } from '../bundle-deployments/dtos/bundle-deployment.model.js';
import type { ClusterTableRow } from '../clusters/utils/cluster-from-row.util.js';

/** A cluster's connection row, as stored. */
export interface ConnectionRow {
  readonly cluster_id: string;
  readonly state: string;
  readonly connected_at: Date | null;
  readonly last_seen_at: Date | null;
  readonly agent_version: string | null;
  readonly protocol_version: number | null;
  readonly kubernetes_version: string | null;
}

/** A cluster row, as stored. */
/** A bundle row, as stored (without its digest). */
export interface BundleRow {
  readonly id: string;
  readonly source_id: string;
  readonly name: string;
  readonly path: string;
  readonly good_revision: string | null;
  readonly good_spec: Record<string, unknown> | null;
  readonly error: string | null;
  readonly error_revision: string | null;
  readonly removed_at: Date | null;
  readonly updated_at: Date;
}

/** The rollout section of a bundle's good spec, by bundle id (null when it has none). */
export type RolloutSpecRow = Record<string, unknown> | null;

/** The wave approvals of one rollout, by wave name; `valid` is judged by the database's clock. */
export type RolloutApprovalsRow = Map<string, { by: string; at: Date; expiresAt: Date | null; valid: boolean }>;

function byKey<K, R>(keys: readonly K[], rows: readonly R[], keyOf: (row: R) => K): (R | undefined)[] {
  const map = new Map(rows.map((row) => [keyOf(row), row]));
  return keys.map((key) => map.get(key));
}

/**
 * Batch loaders for one GraphQL request, one per relation field: a page of 500 clusters asking for their
 * connections and bundle deployments, and those for their bundles and clusters, costs one statement per
 * relation, not one per row. New per request, so nothing is cached across requests.
 */
export class RequestLoaders {
  readonly connections: DataLoader<string, ConnectionRow | undefined>;
  readonly clusters: DataLoader<string, ClusterTableRow | undefined>;
  readonly bundles: DataLoader<string, BundleRow | undefined>;
  readonly bundleDeploymentsOfCluster: DataLoader<string, BundleDeploymentModel[]>;
  readonly rolloutSpecs: DataLoader<string, RolloutSpecRow>;
  readonly rolloutApprovals: DataLoader<string, RolloutApprovalsRow>;
  /** The resources of a deployment's latest status, keyed `<bundleId>/<clusterId>`; null when no status arrived yet. */
  readonly statusResources: DataLoader<string, unknown>;

  constructor(dataSource: DataSource) {
    this.connections = new DataLoader(async (ids) => {
      const rows: ConnectionRow[] = await dataSource.query(
        'SELECT cluster_id, state, connected_at, last_seen_at, agent_version, protocol_version, kubernetes_version FROM cluster_connections WHERE cluster_id = ANY($1::uuid[])',
        [ids],
      );
      return byKey(ids, rows, (row) => row.cluster_id);
    });
    this.clusters = new DataLoader(async (ids) => {
      const rows: ClusterTableRow[] = await dataSource.query('SELECT id, name, labels, vars, created_at, updated_at FROM clusters WHERE id = ANY($1::uuid[])', [ids]);
      return byKey(ids, rows, (row) => row.id);
    });
    this.bundles = new DataLoader(async (ids) => {
      const rows: BundleRow[] = await dataSource.query(
        'SELECT id::text AS id, source_id, name, path, good_revision, good_spec, error, error_revision, removed_at, updated_at FROM bundles WHERE id = ANY($1::bigint[])',
        [ids],
      );
      return byKey(ids, rows, (row) => row.id);
    });
    this.bundleDeploymentsOfCluster = new DataLoader((ids) => selectBundleDeploymentsOfClusters(dataSource, ids));
    this.rolloutSpecs = new DataLoader(async (ids) => {
      const rows: { id: string; rollout: RolloutSpecRow }[] = await dataSource.query(
        `SELECT id::text AS id, coalesce(targets_spec, good_spec)->'rollout' AS rollout FROM bundles WHERE id = ANY($1::bigint[])`,
        [ids],
      );
      return byKey(ids, rows, (row) => row.id).map((row) => row?.rollout ?? null);
    });
    this.statusResources = new DataLoader(async (keys) => {
      const pairs = keys.map((key) => key.split('/'));
      const rows: { key: string; resources: unknown }[] = await dataSource.query(
        `SELECT s.bundle_id::text || '/' || s.cluster_id::text AS key, s.resources
           FROM bundle_statuses s JOIN unnest($1::bigint[], $2::uuid[]) AS k(bundle_id, cluster_id) USING (bundle_id, cluster_id)`,
        [pairs.map(([bundleId]) => bundleId), pairs.map(([, clusterId]) => clusterId)],
      );
      return byKey(keys, rows, (row) => row.key).map((row) => row?.resources ?? null);
    });
    this.rolloutApprovals = new DataLoader(async (ids) => {
      const rows: { rollout_id: string; wave: string; approved_by: string; approved_at: Date; expires_at: Date | null; valid: boolean }[] = await dataSource.query(
        `SELECT rollout_id::text AS rollout_id, wave, approved_by, approved_at, expires_at, (expires_at IS NULL OR expires_at > now()) AS valid
           FROM rollout_approvals WHERE rollout_id = ANY($1::bigint[])`,
        [ids],
      );
      const byRollout = new Map<string, RolloutApprovalsRow>(ids.map((id) => [id, new Map()]));
      for (const row of rows) byRollout.get(row.rollout_id)?.set(row.wave, { by: row.approved_by, at: row.approved_at, expiresAt: row.expires_at, valid: row.valid });
      return ids.map((id) => byRollout.get(id) ?? new Map());
    });
  }
}
