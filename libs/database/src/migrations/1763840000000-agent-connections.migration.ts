import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What agents report: each cluster's connection, the latest status of every bundle on every
 * cluster (ordered by generation, stream and sequence so a stale message never wins), and an
 * append-only history of phase and health transitions.
 */
export class AgentConnections1763840000000 implements MigrationInterface {
  name = 'AgentConnections1763840000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE SEQUENCE flotilla_stream_seq AS bigint`);
    await db.query(`
      CREATE TABLE cluster_connections (
        cluster_id uuid PRIMARY KEY REFERENCES clusters (id) ON DELETE CASCADE,
        state text NOT NULL CHECK (state IN ('Connected', 'Disconnected')),
        connected_at timestamptz,
        last_seen_at timestamptz,
        agent_version text,
        protocol_version integer,
        kubernetes_version text,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE TABLE bundle_statuses (
        bundle_id bigint NOT NULL REFERENCES bundles (id) ON DELETE CASCADE,
        cluster_id uuid NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
        acked_generation bigint,
        generation bigint,
        stream bigint,
        seq bigint,
        phase text,
        health text,
        terminal boolean NOT NULL DEFAULT false,
        drifted_fields integer NOT NULL DEFAULT 0,
        fighting boolean NOT NULL DEFAULT false,
        reason text,
        resources jsonb NOT NULL DEFAULT '[]'::jsonb,
        observed_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (bundle_id, cluster_id)
      )`);
    await db.query(`CREATE INDEX bundle_statuses_cluster_idx ON bundle_statuses (cluster_id)`);
    await db.query(`
      CREATE TABLE bundle_status_history (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        bundle_id bigint NOT NULL REFERENCES bundles (id) ON DELETE CASCADE,
        cluster_id uuid NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
        generation bigint NOT NULL,
        phase text,
        health text,
        reason text,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX bundle_status_history_lookup_idx ON bundle_status_history (bundle_id, cluster_id, id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE bundle_status_history`);
    await db.query(`DROP TABLE bundle_statuses`);
    await db.query(`DROP TABLE cluster_connections`);
    await db.query(`DROP SEQUENCE flotilla_stream_seq`);
  }
}
