import type { DataSource } from 'typeorm';
import type { CountByModel, FleetSummaryModel } from './dtos/fleet-summary.model.js';

function counts(rows: { value: string | null; count: number }[]): CountByModel[] {
  return rows.map((row) => ({ value: row.value ?? 'NONE', count: Number(row.count) })).sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
}

interface DeploymentGroup {
  phase: string | null;
  health: string | null;
  n: number;
  drifted: number;
  waiting: number;
  errors: number;
}

/** Folds the (phase, health) groups into counts by phase, by health, and the totals. */
function fold(groups: DeploymentGroup[]): { byPhase: CountByModel[]; byHealth: CountByModel[]; n: number; drifted: number; waiting: number; errors: number } {
  const byPhase = new Map<string | null, number>();
  const byHealth = new Map<string | null, number>();
  const total = { n: 0, drifted: 0, waiting: 0, errors: 0 };
  for (const group of groups) {
    byPhase.set(group.phase, (byPhase.get(group.phase) ?? 0) + group.n);
    byHealth.set(group.health, (byHealth.get(group.health) ?? 0) + group.n);
    total.n += group.n;
    total.drifted += group.drifted;
    total.waiting += group.waiting;
    total.errors += group.errors;
  }
  const list = (map: Map<string | null, number>) => counts([...map].map(([value, count]) => ({ value, count })));
  return { byPhase: list(byPhase), byHealth: list(byHealth), ...total };
}

/**
 * Counts the whole fleet in the database: one scan of bundle deployments joined to their statuses, grouped by
 * (phase, health), answers the totals and the counts by phase and by health at once, instead of one scan per figure.
 */
export async function countFleet(db: DataSource): Promise<FleetSummaryModel> {
  const q = <T>(sql: string): Promise<T[]> => db.query(sql);
  const [clusters, byConnection, groups, rollouts, approvals, sources] = await Promise.all([
    q<{ n: number }>(`SELECT count(*)::int AS n FROM clusters`),
    q<{ value: string; count: number }>(
      `SELECT coalesce(k.state, 'Disconnected') AS value, count(*)::int AS count FROM clusters c LEFT JOIN cluster_connections k ON k.cluster_id = c.id GROUP BY 1`,
    ),
    // Deployments narrowed to their key and two flags before the join, so the hash join stays in memory.
    q<DeploymentGroup>(
      `SELECT s.phase, s.health, count(*)::int AS n, count(*) FILTER (WHERE s.drifted_fields > 0)::int AS drifted,
              sum(d.waiting)::int AS waiting, sum(d.error)::int AS errors
         FROM (SELECT bundle_id, cluster_id,
                      (target_hash IS DISTINCT FROM desired_hash AND removal IS NULL AND target_hash IS NOT NULL)::int AS waiting,
                      (reason IS NOT NULL)::int AS error
                 FROM bundle_deployments) d
         LEFT JOIN bundle_statuses s USING (bundle_id, cluster_id)
        GROUP BY s.phase, s.health`,
    ),
    q<{ value: string; count: number }>(`SELECT phase AS value, count(*)::int AS count FROM rollouts GROUP BY 1`),
    q<{ n: number }>(`SELECT count(*)::int AS n FROM approvals WHERE decided_at IS NULL`),
    q<{ id: string; name: string; last_fetched_sha: string | null; last_fetched_at: Date | null; last_error: string | null }>(
      `SELECT id, name, last_fetched_sha, last_fetched_at, last_error FROM sources ORDER BY name`,
    ),
  ]);
  const deployments = fold(groups);
  return {
    clusters: clusters[0]!.n,
    clustersByConnection: counts(byConnection),
    bundleDeployments: deployments.n,
    bundleDeploymentsByPhase: deployments.byPhase,
    bundleDeploymentsByHealth: deployments.byHealth,
    drifted: deployments.drifted,
    waitingForAdmission: deployments.waiting,
    withErrors: deployments.errors,
    rolloutsByPhase: counts(rollouts),
    pendingApprovals: approvals[0]!.n,
    sources: sources.map((s) => ({ sourceId: s.id, name: s.name, revision: s.last_fetched_sha, fetchedAt: s.last_fetched_at, lastError: s.last_error })),
  };
}
