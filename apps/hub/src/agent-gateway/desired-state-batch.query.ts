import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { DesiredEntry } from './desired-state.reader.js';

/** Clusters per query: enough to make a fleet-wide push a handful of statements, small enough to keep each quick. */
const CLUSTERS_PER_QUERY = 1_000;

/**
 * The desired state of many clusters in one query per thousand: a change that reaches the whole
 * fleet costs a few statements instead of one per connected cluster. Rows are the same as
 * DesiredStateReader.forCluster's, for each cluster asked about (an empty list when it has none).
 */
@Injectable()
export class DesiredStateBatchQuery {
  constructor(private readonly dataSource: DataSource) {}

  async forClusters(clusterIds: readonly string[]): Promise<Map<string, DesiredEntry[]>> {
    const byCluster = new Map<string, DesiredEntry[]>(clusterIds.map((id) => [id, []]));
    for (let offset = 0; offset < clusterIds.length; offset += CLUSTERS_PER_QUERY) {
      const rows: Record<string, unknown>[] = await this.dataSource.query(
        `SELECT d.cluster_id, d.bundle_id, b.name, d.desired_generation::text AS generation, d.desired_hash, d.desired_revision, d.removal,
                coalesce(b.good_spec->'dependsOn', '[]'::jsonb) AS depends_on, coalesce((b.good_spec->>'suspend')::boolean, false)
                  OR EXISTS (SELECT 1 FROM bundle_suspensions s WHERE s.bundle_name = b.name AND (s.cluster_id IS NULL OR s.cluster_id = d.cluster_id)) AS suspend
           FROM bundle_deployments d JOIN bundles b ON b.id = d.bundle_id
          WHERE d.cluster_id = ANY($1::uuid[]) AND d.desired_generation IS NOT NULL AND d.desired_hash IS NOT NULL`,
        [clusterIds.slice(offset, offset + CLUSTERS_PER_QUERY)],
      );
      for (const row of rows) {
        byCluster.get(String(row.cluster_id))?.push({
          bundleId: String(row.bundle_id),
          bundle: row.name as string,
          generation: BigInt(row.generation as string),
          hash: row.desired_hash as string,
          revision: (row.desired_revision as string | null) ?? '',
          removal: (row.removal as DesiredEntry['removal']) ?? null,
          dependsOn: row.depends_on as string[],
          suspend: row.suspend as boolean,
        });
      }
    }
    return byCluster;
  }
}
