import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Clusters, the bundles found in each source, rendered content (stored once per hash), the
 * per-(bundle, cluster) target and desired state, the hub-wide generation sequence, and the
 * approvals the removal safety valve waits for.
 */
export class FleetState1763820000000 implements MigrationInterface {
  name = 'FleetState1763820000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE clusters (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' AND length(name) <= 63),
        labels jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(labels) = 'object'),
        vars jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(vars) = 'object'),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX clusters_labels_idx ON clusters USING gin (labels jsonb_path_ops)`);
    await db.query(`
      CREATE TABLE bundles (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        source_id uuid NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
        name text NOT NULL,
        path text NOT NULL,
        good_revision text,
        good_spec jsonb,
        digest text,
        error text,
        error_revision text,
        removed_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT bundles_source_name_key UNIQUE (source_id, name)
      )`);
    await db.query(`
      CREATE TABLE rendered_contents (
        hash text PRIMARY KEY,
        content bytea NOT NULL,
        plain_bytes integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE SEQUENCE flotilla_generation_seq AS bigint`);
    await db.query(`
      CREATE TABLE bundle_deployments (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        bundle_id bigint NOT NULL REFERENCES bundles (id) ON DELETE CASCADE,
        cluster_id uuid NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
        target_hash text,
        target_revision text,
        desired_hash text,
        desired_generation bigint,
        desired_revision text,
        removal text CHECK (removal IN ('delete', 'orphan')),
        reason text,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT bundle_deployments_bundle_cluster_key UNIQUE (bundle_id, cluster_id)
      )`);
    await db.query(`CREATE INDEX bundle_deployments_cluster_idx ON bundle_deployments (cluster_id)`);
    await db.query(`
      CREATE TABLE approvals (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('empty-revision', 'mass-removal')),
        source_id uuid NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
        revision text NOT NULL,
        bundle_name text,
        details text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        decided_at timestamptz,
        decided_by text,
        decision text CHECK (decision IN ('approved', 'rejected'))
      )`);
    await db.query(`CREATE UNIQUE INDEX approvals_open_key ON approvals (source_id, revision, kind, coalesce(bundle_name, '')) WHERE decided_at IS NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE approvals`);
    await db.query(`DROP TABLE bundle_deployments`);
    await db.query(`DROP SEQUENCE flotilla_generation_seq`);
    await db.query(`DROP TABLE rendered_contents`);
    await db.query(`DROP TABLE bundles`);
    await db.query(`DROP TABLE clusters`);
  }
}
