import { Query, Resolver } from '@nestjs/graphql';
import { DataSource } from 'typeorm';
import { FleetSummaryModel, type CountByModel } from './dtos/fleet-summary.model.js';

function counts(rows: { value: string | null; count: number }[]): CountByModel[] {
  return rows.map((row) => ({ value: row.value ?? 'NONE', count: Number(row.count) }));
}

@Resolver(() => FleetSummaryModel)
export class FleetResolver {
  constructor(private readonly dataSource: DataSource) {}

  @Query(() => FleetSummaryModel, { description: 'Clusters, bundle deployments, rollouts, approvals and sources, counted in one round of queries.' })
  async fleet(): Promise<FleetSummaryModel> {
    const q = <T>(sql: string): Promise<T[]> => this.dataSource.query(sql);
    const [clusters, byConnection, deployments, byPhase, byHealth, rollouts, approvals, sources] = await Promise.all([
      q<{ n: number }>(`SELECT count(*)::int AS n FROM clusters`),
      q<{ value: string; count: number }>(
        `SELECT coalesce(k.state, 'Disconnected') AS value, count(*)::int AS count FROM clusters c LEFT JOIN cluster_connections k ON k.cluster_id = c.id GROUP BY 1 ORDER BY 1`,
      ),
      q<{ n: number; drifted: number; waiting: number; errors: number }>(
        `SELECT count(*)::int AS n,
                count(*) FILTER (WHERE s.drifted_fields > 0)::int AS drifted,
                count(*) FILTER (WHERE d.target_hash IS DISTINCT FROM d.desired_hash AND d.removal IS NULL AND d.target_hash IS NOT NULL)::int AS waiting,
                count(*) FILTER (WHERE d.reason IS NOT NULL)::int AS errors
           FROM bundle_deployments d LEFT JOIN bundle_statuses s USING (bundle_id, cluster_id)`,
      ),
      q<{ value: string | null; count: number }>(
        `SELECT s.phase AS value, count(*)::int AS count FROM bundle_deployments d LEFT JOIN bundle_statuses s USING (bundle_id, cluster_id) GROUP BY 1 ORDER BY 1`,
      ),
      q<{ value: string | null; count: number }>(
        `SELECT s.health AS value, count(*)::int AS count FROM bundle_deployments d LEFT JOIN bundle_statuses s USING (bundle_id, cluster_id) GROUP BY 1 ORDER BY 1`,
      ),
      q<{ value: string; count: number }>(`SELECT phase AS value, count(*)::int AS count FROM rollouts GROUP BY 1 ORDER BY 1`),
      q<{ n: number }>(`SELECT count(*)::int AS n FROM approvals WHERE decided_at IS NULL`),
      q<{ id: string; name: string; last_fetched_sha: string | null; last_fetched_at: Date | null; last_error: string | null }>(
        `SELECT id, name, last_fetched_sha, last_fetched_at, last_error FROM sources ORDER BY name`,
      ),
    ]);
    return {
      clusters: clusters[0]!.n,
      clustersByConnection: counts(byConnection),
      bundleDeployments: deployments[0]!.n,
      bundleDeploymentsByPhase: counts(byPhase),
      bundleDeploymentsByHealth: counts(byHealth),
      drifted: deployments[0]!.drifted,
      waitingForAdmission: deployments[0]!.waiting,
      withErrors: deployments[0]!.errors,
      rolloutsByPhase: counts(rollouts),
      pendingApprovals: approvals[0]!.n,
      sources: sources.map((s) => ({ sourceId: s.id, name: s.name, revision: s.last_fetched_sha, fetchedAt: s.last_fetched_at, lastError: s.last_error })),
    };
  }
}
