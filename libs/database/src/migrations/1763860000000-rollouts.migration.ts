import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Rollouts: one persisted state machine per (bundle, revision), and the wave approvals people give. */
export class Rollouts1763860000000 implements MigrationInterface {
  name = 'Rollouts1763860000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE rollouts (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        bundle_id bigint NOT NULL REFERENCES bundles (id) ON DELETE CASCADE,
        revision text NOT NULL,
        digest text NOT NULL,
        phase text NOT NULL,
        state jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE UNIQUE INDEX rollouts_one_active_per_bundle ON rollouts (bundle_id) WHERE phase IN ('Progressing', 'WaitingForApproval', 'Paused', 'RollingBack')`);
    await db.query(`CREATE INDEX rollouts_bundle_idx ON rollouts (bundle_id, id DESC)`);
    await db.query(`
      CREATE TABLE rollout_approvals (
        rollout_id bigint NOT NULL REFERENCES rollouts (id) ON DELETE CASCADE,
        wave text NOT NULL,
        approved_by text NOT NULL,
        approved_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz,
        PRIMARY KEY (rollout_id, wave)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE rollout_approvals`);
    await db.query(`DROP TABLE rollouts`);
  }
}
