import { Injectable } from '@nestjs/common';
import type { ClusterView, RolloutState } from '@flotilla/rollout';
import { DataSource, type EntityManager } from 'typeorm';
import { REMOVED_DIGEST_PREFIX } from '../target-state/target-state.writer.js';

/** A stored rollout. */
export interface RolloutRecord {
  readonly id: string;
  readonly bundleId: string;
  readonly revision: string;
  readonly digest: string;
  readonly phase: string;
  readonly state: RolloutState;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** A bundle that has a rollout section, with what the engine needs of it. */
export interface RolloutBundle {
  readonly id: string;
  readonly name: string;
  readonly sourceId: string;
  readonly revision: string;
  /** The content digest; a bundle gone from Git gets its own ("removed@…") so its removal is a rollout of its own. */
  readonly digest: string;
  /** Gone from Git: its clusters are being (or were) emptied wave by wave. */
  readonly removed: boolean;
  readonly rollout: Record<string, unknown>;
  readonly deletionPolicy: 'delete' | 'orphan';
}

const ACTIVE = `('Progressing', 'WaitingForApproval', 'Paused', 'RollingBack')`;

/** A rollouts row (every column) as the record the engine and the API use. */
export function toRolloutRecord(row: Record<string, unknown>): RolloutRecord {
  return {
    id: String(row.id),
    bundleId: String(row.bundle_id),
    revision: row.revision as string,
    digest: row.digest as string,
    phase: row.phase as string,
    state: row.state as RolloutState,
    createdAt: row.created_at as Date,
    updatedAt: row.updated_at as Date,
  };
}

/** The rollouts tables and the views of clusters the engine decides on. */
@Injectable()
export class RolloutRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Bundles with a rollout section, as of the content whose targets are written (targets_*): a
   * commit's new digest and plan count only once its targets are, so a rollout never starts from
   * the previous revision's targets. Bundles whose targets were never written are left out.
   */
  async bundlesWithRollouts(): Promise<RolloutBundle[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT b.id, b.name, b.source_id, b.targets_digest, b.targets_revision,
              b.targets_spec->'rollout' AS rollout, b.targets_spec->'apply'->>'deletionPolicy' AS deletion_policy
         FROM bundles b
        WHERE b.targets_spec->'rollout' IS NOT NULL AND b.targets_digest IS NOT NULL
          -- A bundle gone from Git stays in the engine's hands while any cluster still holds it.
          AND (b.removed_at IS NULL OR EXISTS (SELECT 1 FROM bundle_deployments d WHERE d.bundle_id = b.id AND d.removal IS NULL AND d.desired_hash IS NOT NULL)
               OR EXISTS (SELECT 1 FROM rollouts r WHERE r.bundle_id = b.id AND r.phase IN ${ACTIVE}))
        ORDER BY b.id`,
    );
    return rows.map((row) => ({
      id: String(row.id),
      name: row.name as string,
      sourceId: row.source_id as string,
      revision: row.targets_revision as string,
      removed: (row.targets_digest as string).startsWith(REMOVED_DIGEST_PREFIX),
      digest: row.targets_digest as string,
      rollout: row.rollout as Record<string, unknown>,
      deletionPolicy: row.deletion_policy === 'orphan' ? 'orphan' : 'delete',
    }));
  }

  /**
   * The bundle's clusters as the engine sees them, or undefined when the bundle's targets are no
   * longer `digest`: a sync committed newer targets after the bundle was read. The digest is read in
   * the same statement as the rows, so views never mix one revision's plan with another's targets
   * (newer targets judged under a finished rollout of the older content would look like targets
   * that moved within it, and be admitted at once, past every wave).
   */
  async views(bundleId: string, digest: string): Promise<ClusterView[] | undefined> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT b.targets_digest, d.cluster_id, c.labels, coalesce(k.state = 'Connected', false) AS connected, d.target_hash, d.desired_hash, d.desired_revision, d.reason, d.removal,
              s.generation::text AS generation, s.phase, s.health, s.terminal, s.reason AS reported_reason,
              coalesce((b.good_spec->>'suspend')::boolean, false)
                OR EXISTS (SELECT 1 FROM bundle_suspensions p WHERE p.bundle_name = b.name AND (p.cluster_id IS NULL OR p.cluster_id = d.cluster_id)) AS suspended
         FROM bundle_deployments d JOIN clusters c ON c.id = d.cluster_id JOIN bundles b ON b.id = d.bundle_id
         LEFT JOIN cluster_connections k ON k.cluster_id = d.cluster_id
         LEFT JOIN bundle_statuses s ON s.bundle_id = d.bundle_id AND s.cluster_id = d.cluster_id
        WHERE d.bundle_id = $1`,
      [bundleId],
    );
    if (rows.some((row) => row.targets_digest !== digest)) return undefined;
    return rows.map((row) => ({
      id: row.cluster_id as string,
      labels: row.labels as Record<string, string>,
      connected: row.connected as boolean,
      targetHash: (row.target_hash as string | null) ?? null,
      desiredHash: (row.desired_hash as string | null) ?? null,
      desiredRevision: (row.desired_revision as string | null) ?? null,
      renderError: (row.reason as string | null) ?? null,
      removed: row.removal !== null,
      suspended: row.suspended as boolean,
      report: row.generation
        ? {
            generation: BigInt(row.generation as string),
            phase: (row.phase as string | null) ?? '',
            health: (row.health as string | null) ?? '',
            terminal: (row.terminal as boolean | null) ?? false,
            reason: (row.reported_reason as string | null) ?? '',
          }
        : null,
    }));
  }

  async active(bundleId: string): Promise<RolloutRecord | undefined> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(`SELECT * FROM rollouts WHERE bundle_id = $1 AND phase IN ${ACTIVE}`, [bundleId]);
    return rows[0] ? toRolloutRecord(rows[0]) : undefined;
  }

  async latest(bundleId: string): Promise<RolloutRecord | undefined> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(`SELECT * FROM rollouts WHERE bundle_id = $1 ORDER BY id DESC LIMIT 1`, [bundleId]);
    return rows[0] ? toRolloutRecord(rows[0]) : undefined;
  }

  async get(id: string): Promise<RolloutRecord | undefined> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(`SELECT * FROM rollouts WHERE id = $1`, [id]);
    return rows[0] ? toRolloutRecord(rows[0]) : undefined;
  }

  async listForBundle(bundleName: string, limit: number): Promise<RolloutRecord[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT r.* FROM rollouts r JOIN bundles b ON b.id = r.bundle_id WHERE b.name = $1 ORDER BY r.id DESC LIMIT $2`,
      [bundleName, limit],
    );
    return rows.map(toRolloutRecord);
  }

  async insert(manager: EntityManager, bundleId: string, revision: string, digest: string, state: RolloutState): Promise<string> {
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO rollouts (bundle_id, revision, digest, phase, state) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [bundleId, revision, digest, state.phase, JSON.stringify(state)],
    );
    return String(rows[0]!.id);
  }

  async save(manager: EntityManager, id: string, state: RolloutState): Promise<void> {
    await manager.query(`UPDATE rollouts SET phase = $2, state = $3, updated_at = now() WHERE id = $1`, [id, state.phase, JSON.stringify(state)]);
  }

  async approvedWaves(rolloutId: string): Promise<Set<string>> {
    const rows: { wave: string }[] = await this.dataSource.query(
      `SELECT wave FROM rollout_approvals WHERE rollout_id = $1 AND (expires_at IS NULL OR expires_at > now())`,
      [rolloutId],
    );
    return new Set(rows.map((row) => row.wave));
  }

  async approve(rolloutId: string, wave: string, by: string, expiresAt: Date | null): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO rollout_approvals (rollout_id, wave, approved_by, expires_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (rollout_id, wave) DO UPDATE SET approved_by = EXCLUDED.approved_by, approved_at = now(), expires_at = EXCLUDED.expires_at`,
      [rolloutId, wave, by, expiresAt],
    );
  }

  /**
   * Admits, rolls back to, or (null hash) removes, for many clusters at once — one statement per
   * kind, never one per cluster — each under a new generation from the hub-wide sequence.
   * `revision` is where a hash came from (a rollback's); by default the target's revision when the
   * hash is the target's. Returns the generation issued per cluster.
   */
  async setDesiredMany(
    manager: EntityManager,
    bundleId: string,
    entries: readonly { clusterId: string; hash: string | null; revision?: string | null }[],
    removal: 'delete' | 'orphan',
  ): Promise<Map<string, bigint>> {
    const issued = new Map<string, bigint>();
    const contents = entries.filter((entry) => entry.hash !== null);
    const removals = entries.filter((entry) => entry.hash === null);
    if (contents.length > 0) {
      const [rows] = (await manager.query(
        `UPDATE bundle_deployments d SET desired_hash = u.h,
                desired_revision = COALESCE(u.r, CASE WHEN d.target_hash = u.h THEN d.target_revision ELSE d.desired_revision END),
                removal = NULL, desired_generation = nextval('flotilla_generation_seq'), updated_at = now()
           FROM unnest($2::uuid[], $3::text[], $4::text[]) AS u(c, h, r)
          WHERE d.bundle_id = $1 AND d.cluster_id = u.c
          RETURNING d.cluster_id, d.desired_generation::text AS g`,
        [bundleId, contents.map((e) => e.clusterId), contents.map((e) => e.hash), contents.map((e) => e.revision ?? null)],
      )) as [{ cluster_id: string; g: string }[], number];
      for (const row of rows) issued.set(row.cluster_id, BigInt(row.g));
    }
    if (removals.length > 0) {
      const [rows] = (await manager.query(
        `UPDATE bundle_deployments SET removal = $3, desired_generation = nextval('flotilla_generation_seq'), updated_at = now()
          WHERE bundle_id = $1 AND cluster_id = ANY($2::uuid[]) AND desired_hash IS NOT NULL
          RETURNING cluster_id, desired_generation::text AS g`,
        [bundleId, removals.map((e) => e.clusterId), removal],
      )) as [{ cluster_id: string; g: string }[], number];
      for (const row of rows) issued.set(row.cluster_id, BigInt(row.g));
    }
    return issued;
  }

  /**
   * Gives a cluster that holds nothing of a pinned bundle its last good content. Only while it
   * still holds nothing: a row changed since it was read is left to the next step.
   */
  async deliverToNewcomer(manager: EntityManager, bundleId: string, clusterId: string, hash: string, revision: string): Promise<bigint | undefined> {
    const [rows] = (await manager.query(
      `UPDATE bundle_deployments SET desired_hash = $3, desired_revision = $4, removal = NULL,
              desired_generation = nextval('flotilla_generation_seq'), updated_at = now()
        WHERE bundle_id = $1 AND cluster_id = $2 AND (desired_hash IS NULL OR removal IS NOT NULL) AND target_hash IS NOT NULL
        RETURNING desired_generation::text AS g`,
      [bundleId, clusterId, hash, revision],
    )) as [{ g: string }[], number];
    return rows[0] ? BigInt(rows[0].g) : undefined;
  }

  /**
   * The revision a pinned bundle's newcomers get: that of its newest successful rollout, else
   * the revision most of the failed rollout's clusters ran before it.
   */
  async lastGoodRevision(bundleId: string, pinned: RolloutState): Promise<string | undefined> {
    const rows: { revision: string }[] = await this.dataSource.query(
      `SELECT revision FROM rollouts WHERE bundle_id = $1 AND phase = 'Succeeded' AND NOT starts_with(digest, $2) ORDER BY id DESC LIMIT 1`,
      [bundleId, REMOVED_DIGEST_PREFIX],
    );
    if (rows[0]) return rows[0].revision;
    const counts = new Map<string, number>();
    for (const progress of Object.values(pinned.clusters)) {
      if (progress.previousRevision) counts.set(progress.previousRevision, (counts.get(progress.previousRevision) ?? 0) + 1);
    }
    return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  }

  /** The rollout section of a bundle (removed or not) the engine runs with, for wave names and approvals. */
  async bundleSpec(bundleId: string): Promise<Record<string, unknown> | undefined> {
    const rows: { rollout: Record<string, unknown> | null }[] = await this.dataSource.query(`SELECT coalesce(targets_spec, good_spec)->'rollout' AS rollout FROM bundles WHERE id = $1`, [bundleId]);
    return rows[0]?.rollout ?? undefined;
  }
}
