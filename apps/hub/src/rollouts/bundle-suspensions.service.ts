import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { DesiredStateEvents } from '../target-state/desired-state-events.js';
import { RolloutException, RolloutExceptionCode } from './rollout.exception.js';

/**
 * Suspensions set through the API (design.md §1: "suspends a bundle on one cluster during an
 * incident so a hotfix is not reverted"). They reach agents the way Git's `suspend: true` does —
 * the suspend flag of Desired — so each change re-issues the affected rows under a new generation
 * (agents take a Desired only above the generation they hold). Kept by bundle name, they survive
 * every new commit; the rollout engine leaves suspended clusters out.
 */
@Injectable()
export class BundleSuspensionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly desiredEvents: DesiredStateEvents,
  ) {}

  /** Suspends; true when this call changed something (already suspended: false). */
  async suspend(bundle: string, cluster: string | null, by: string): Promise<boolean> {
    const clusterId = await this.resolve(bundle, cluster);
    let inserted = 0;
    const touched = await this.dataSource.transaction(async (manager) => {
      const rows: unknown[] = await manager.query(
        `INSERT INTO bundle_suspensions (bundle_name, cluster_id, suspended_by) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING id`,
        [bundle, clusterId, by],
      );
      inserted = rows.length;
      return inserted > 0 ? this.reissue(manager, bundle, clusterId) : [];
    });
    this.desiredEvents.emit(new Set(touched));
    return inserted > 0;
  }

  /** Lifts a suspension set through the API (not one in Git); true when there was one. */
  async resume(bundle: string, cluster: string | null): Promise<boolean> {
    const clusterId = await this.resolve(bundle, cluster);
    let removed = 0;
    const touched = await this.dataSource.transaction(async (manager) => {
      const [rows] = (await manager.query(
        `DELETE FROM bundle_suspensions WHERE bundle_name = $1 AND cluster_id IS NOT DISTINCT FROM $2 RETURNING id`,
        [bundle, clusterId],
      )) as [unknown[], number];
      removed = rows.length;
      return removed > 0 ? this.reissue(manager, bundle, clusterId) : [];
    });
    this.desiredEvents.emit(new Set(touched));
    return removed > 0;
  }

  /** New generations for the delivered rows the change affects, so agents receive the new flag. */
  private async reissue(manager: EntityManager, bundle: string, clusterId: string | null): Promise<string[]> {
    const [rows] = (await manager.query(
      `UPDATE bundle_deployments d SET desired_generation = nextval('flotilla_generation_seq'), updated_at = now()
         FROM bundles b
        WHERE b.id = d.bundle_id AND b.name = $1 AND ($2::uuid IS NULL OR d.cluster_id = $2::uuid)
          AND d.desired_hash IS NOT NULL AND d.desired_generation IS NOT NULL AND d.removal IS NULL
        RETURNING d.cluster_id`,
      [bundle, clusterId],
    )) as [{ cluster_id: string }[], number];
    return rows.map((row) => row.cluster_id);
  }

  private async resolve(bundle: string, cluster: string | null): Promise<string | null> {
    const known: unknown[] = await this.dataSource.query(`SELECT 1 FROM bundles WHERE name = $1 LIMIT 1`, [bundle]);
    if (known.length === 0) throw new RolloutException(RolloutExceptionCode.BundleNotFound, `no bundle is named "${bundle}"`);
    if (cluster === null) return null;
    const rows: { id: string }[] = await this.dataSource.query(`SELECT id FROM clusters WHERE name = $1`, [cluster]);
    if (!rows[0]) throw new RolloutException(RolloutExceptionCode.ClusterNotFound, `no cluster is named "${cluster}"`);
    return rows[0].id;
  }
}
