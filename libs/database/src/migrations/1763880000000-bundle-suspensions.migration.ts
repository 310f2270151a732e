import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Suspensions people set through the API, per bundle name (all its clusters) or per bundle on one
 * cluster. Keyed by name, not bundle id, so a suspension survives every new commit — and the bundle
 * leaving Git and coming back — until a person resumes it.
 */
export class BundleSuspensions1763880000000 implements MigrationInterface {
  name = 'BundleSuspensions1763880000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE bundle_suspensions (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        bundle_name text NOT NULL,
        cluster_id uuid REFERENCES clusters (id) ON DELETE CASCADE,
        suspended_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // One suspension per (bundle, cluster) and one fleet-wide per bundle (NULL cluster).
    await db.query(`CREATE UNIQUE INDEX bundle_suspensions_key ON bundle_suspensions (bundle_name, coalesce(cluster_id, '00000000-0000-0000-0000-000000000000'::uuid))`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE bundle_suspensions`);
  }
}
