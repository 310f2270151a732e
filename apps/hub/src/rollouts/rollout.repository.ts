import { Injectable } from '@nestjs/common';
import type { ClusterView, RolloutState } from '@flotilla/rollout';
import { DataSource, type EntityManager } from 'typeorm';

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
  readonly revision: string;
  readonly digest: string;
  readonly rollout: Record<string, unknown>;
  readonly deletionPolicy: 'delete' | 'orphan';
}

const ACTIVE = `('Progressing', 'WaitingForApproval', 'Paused', 'RollingBack')`;

function toRecord(row: Record<string, unknown>): RolloutRecord {
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

  async bundlesWithRollouts(): Promise<RolloutBundle[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT id, name, good_revision, digest, good_spec->'rollout' AS rollout, good_spec->'apply'->>'deletionPolicy' AS deletion_policy
         FROM bundles WHERE removed_at IS NULL AND good_spec->'rollout' IS NOT NULL ORDER BY id`,
    );
    return rows.map((row) => ({
      id: String(row.id),
      name: row.name as string,
      revision: row.good_revision as string,
      digest: row.digest as string,
      rollout: row.rollout as Record<string, unknown>,
      deletionPolicy: row.deletion_policy === 'orphan' ? 'orphan' : 'delete',
    }));
  }

  async views(bundleId: string): Promise<ClusterView[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT d.cluster_id, c.labels, coalesce(k.state = 'Connected', false) AS connected, d.target_hash, d.desired_hash, d.reason, d.removal,
              s.generation::text AS generation, s.phase, s.health, s.terminal, s.reason AS reported_reason
         FROM bundle_deployments d JOIN clusters c ON c.id = d.cluster_id
         LEFT JOIN cluster_connections k ON k.cluster_id = d.cluster_id
         LEFT JOIN bundle_statuses s ON s.bundle_id = d.bundle_id AND s.cluster_id = d.cluster_id
        WHERE d.bundle_id = $1`,
      [bundleId],
    );
    return rows.map((row) => ({
      id: row.cluster_id as string,
      labels: row.labels as Record<string, string>,
      connected: row.connected as boolean,
      targetHash: (row.target_hash as string | null) ?? null,
      desiredHash: (row.desired_hash as string | null) ?? null,
      renderError: (row.reason as string | null) ?? null,
      removed: row.removal !== null,
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
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  async latest(bundleId: string): Promise<RolloutRecord | undefined> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(`SELECT * FROM rollouts WHERE bundle_id = $1 ORDER BY id DESC LIMIT 1`, [bundleId]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  async get(id: string): Promise<RolloutRecord | undefined> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(`SELECT * FROM rollouts WHERE id = $1`, [id]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  async listForBundle(bundleName: string, limit: number): Promise<RolloutRecord[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT r.* FROM rollouts r JOIN bundles b ON b.id = r.bundle_id WHERE b.name = $1 ORDER BY r.id DESC LIMIT $2`,
      [bundleName, limit],
    );
    return rows.map(toRecord);
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

  /** Admits (or rolls back to) a hash: a new generation from the hub-wide sequence. A null hash removes. */
  async setDesired(manager: EntityManager, bundleId: string, clusterId: string, hash: string | null, removal: 'delete' | 'orphan'): Promise<bigint | undefined> {
    const [rows] = (await manager.query(
      hash === null
        ? `UPDATE bundle_deployments SET removal = $3, desired_generation = nextval('flotilla_generation_seq'), updated_at = now()
            WHERE bundle_id = $1 AND cluster_id = $2 AND desired_hash IS NOT NULL RETURNING desired_generation::text AS g`
        : `UPDATE bundle_deployments SET desired_hash = $3, desired_revision = CASE WHEN target_hash = $3 THEN target_revision ELSE desired_revision END,
                  removal = NULL, desired_generation = nextval('flotilla_generation_seq'), updated_at = now()
            WHERE bundle_id = $1 AND cluster_id = $2 RETURNING desired_generation::text AS g`,
      [bundleId, clusterId, hash ?? removal],
    )) as [{ g: string }[], number];
    return rows[0] ? BigInt(rows[0].g) : undefined;
  }
}
