import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { DeploymentWrite, StoredDeployment, TargetStatePlan } from './plan-target-state.js';

const CHUNK = 5_000;

/** How a BundleTargets digest marks a bundle gone from Git (its removal is a change of its own). */
export const REMOVED_DIGEST_PREFIX = 'removed@';

/** The content a bundle's targets were written for, recorded with them (see the bundle-targets-digest migration). */
export interface BundleTargets {
  readonly bundleId: string;
  /** The bundle's digest, or "removed@<digest>" when its targets are tombstones because it left Git. */
  readonly digest: string;
  readonly revision: string;
  /** The spec the targets were planned with: the rollout engine takes its plan from here. */
  readonly spec: Record<string, unknown> | null;
}

/** Reads and writes bundle_deployments in batches (UNNEST), never row by row. */
@Injectable()
export class TargetStateWriter {
  constructor(private readonly dataSource: DataSource) {}

  async loadStored(bundleIds: readonly string[], clusterIds?: readonly string[]): Promise<StoredDeployment[]> {
    if (bundleIds.length === 0) return [];
    const rows: Record<string, string | null>[] = await this.dataSource.query(
      `SELECT bundle_id, cluster_id, target_hash, target_revision, desired_hash, desired_revision, removal, reason
         FROM bundle_deployments
        WHERE bundle_id = ANY($1::bigint[]) ${clusterIds ? 'AND cluster_id = ANY($2::uuid[])' : ''}`,
      clusterIds ? [bundleIds, clusterIds] : [bundleIds],
    );
    return rows.map((row) => ({
      bundleId: String(row.bundle_id),
      clusterId: row.cluster_id!,
      targetHash: row.target_hash ?? null,
      targetRevision: row.target_revision ?? null,
      desiredHash: row.desired_hash ?? null,
      desiredRevision: row.desired_revision ?? null,
      removal: (row.removal as StoredDeployment['removal']) ?? null,
      reason: row.reason ?? null,
    }));
  }

  /** Per bundle: clusters with something delivered and not being removed, across the fleet. */
  async activeCounts(bundleIds: readonly string[]): Promise<Map<string, number>> {
    if (bundleIds.length === 0) return new Map();
    const rows: { bundle_id: string; n: number }[] = await this.dataSource.query(
      `SELECT bundle_id, count(*)::int AS n FROM bundle_deployments
        WHERE bundle_id = ANY($1::bigint[]) AND removal IS NULL AND desired_hash IS NOT NULL GROUP BY bundle_id`,
      [bundleIds],
    );
    return new Map(rows.map((row) => [String(row.bundle_id), row.n]));
  }

  /**
   * Applies a plan in one transaction; generations come from the hub-wide sequence, only where
   * bumped. The same transaction records which content each bundle's targets now are and marks
   * bundles gone from Git as removed, so no reader sees one without the other.
   */
  async apply(plan: TargetStatePlan, targets: readonly BundleTargets[], removedBundleIds: readonly string[]): Promise<void> {
    if (plan.writes.length === 0 && plan.deletes.length === 0 && targets.length === 0 && removedBundleIds.length === 0) return;
    await this.dataSource.transaction(async (manager) => {
      const full = plan.writes.filter((write) => !write.targetOnly);
      const targetOnly = plan.writes.filter((write) => write.targetOnly);
      for (let offset = 0; offset < full.length; offset += CHUNK) await upsert(manager, full.slice(offset, offset + CHUNK));
      for (let offset = 0; offset < targetOnly.length; offset += CHUNK) await upsertTarget(manager, targetOnly.slice(offset, offset + CHUNK));
      for (let offset = 0; offset < plan.deletes.length; offset += CHUNK) {
        const slice = plan.deletes.slice(offset, offset + CHUNK);
        await manager.query(
          `DELETE FROM bundle_deployments d USING unnest($1::bigint[], $2::uuid[]) AS u(b, c) WHERE d.bundle_id = u.b AND d.cluster_id = u.c`,
          [slice.map((d) => d.bundleId), slice.map((d) => d.clusterId)],
        );
      }
      if (targets.length > 0) {
        await manager.query(
          `UPDATE bundles b SET targets_digest = u.digest, targets_revision = u.revision, targets_spec = u.spec::jsonb
             FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) AS u(id, digest, revision, spec)
            WHERE b.id = u.id
              AND (b.targets_digest IS DISTINCT FROM u.digest OR b.targets_revision IS DISTINCT FROM u.revision OR b.targets_spec IS DISTINCT FROM u.spec::jsonb)`,
          [targets.map((t) => t.bundleId), targets.map((t) => t.digest), targets.map((t) => t.revision), targets.map((t) => (t.spec ? JSON.stringify(t.spec) : null))],
        );
      }
      if (removedBundleIds.length > 0) {
        await manager.query(`UPDATE bundles SET removed_at = now(), updated_at = now() WHERE id = ANY($1::bigint[])`, [removedBundleIds]);
      }
    });
  }
}

async function upsert(manager: EntityManager, writes: readonly DeploymentWrite[]): Promise<void> {
  const column = <K extends keyof DeploymentWrite>(key: K) => writes.map((write) => write[key]);
  await manager.query(
    `INSERT INTO bundle_deployments AS d
       (bundle_id, cluster_id, target_hash, target_revision, desired_hash, desired_generation, desired_revision, removal, reason, updated_at)
     SELECT u.b, u.c, u.th, u.tr, u.dh, CASE WHEN u.bump THEN nextval('flotilla_generation_seq') END, u.dr, u.rm, u.reason, now()
       FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::bool[], $7::text[], $8::text[], $9::text[])
         AS u(b, c, th, tr, dh, bump, dr, rm, reason)
     ON CONFLICT (bundle_id, cluster_id) DO UPDATE SET
       target_hash = EXCLUDED.target_hash,
       target_revision = EXCLUDED.target_revision,
       desired_hash = EXCLUDED.desired_hash,
       desired_generation = COALESCE(EXCLUDED.desired_generation, d.desired_generation),
       desired_revision = EXCLUDED.desired_revision,
       removal = EXCLUDED.removal,
       reason = EXCLUDED.reason,
       updated_at = now()`,
    [
      column('bundleId'),
      column('clusterId'),
      column('targetHash'),
      column('targetRevision'),
      column('desiredHash'),
      column('bumpGeneration'),
      column('desiredRevision'),
      column('removal'),
      column('reason'),
    ],
  );
}

/** Target and reason only: desired state and removal belong to the rollout engine for these rows. */
async function upsertTarget(manager: EntityManager, writes: readonly DeploymentWrite[]): Promise<void> {
  await manager.query(
    `INSERT INTO bundle_deployments AS d (bundle_id, cluster_id, target_hash, target_revision, reason, updated_at)
     SELECT u.b, u.c, u.th, u.tr, u.reason, now()
       FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::text[], $5::text[]) AS u(b, c, th, tr, reason)
     ON CONFLICT (bundle_id, cluster_id) DO UPDATE SET
       target_hash = EXCLUDED.target_hash, target_revision = EXCLUDED.target_revision, reason = EXCLUDED.reason, updated_at = now()`,
    [
      writes.map((w) => w.bundleId),
      writes.map((w) => w.clusterId),
      writes.map((w) => w.targetHash),
      writes.map((w) => w.targetRevision),
      writes.map((w) => w.reason),
    ],
  );
}
