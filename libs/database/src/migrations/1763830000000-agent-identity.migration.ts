import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The hub's certificate authority (its key encrypted), bootstrap tokens for registering agents,
 * and the client certificates issued to them (revocation is checked against this table).
 */
export class AgentIdentity1763830000000 implements MigrationInterface {
  name = 'AgentIdentity1763830000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE certificate_authority (
        id smallint PRIMARY KEY CHECK (id = 1),
        certificate_pem text NOT NULL,
        private_key bytea NOT NULL,
        provided_by_operator boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE TABLE bootstrap_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        cluster_id uuid NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
        token_hash bytea NOT NULL UNIQUE,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        used_key_sha256 text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX bootstrap_tokens_cluster_idx ON bootstrap_tokens (cluster_id)`);
    await db.query(`
      CREATE TABLE agent_certificates (
        serial text PRIMARY KEY,
        cluster_id uuid NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
        key_sha256 text NOT NULL,
        not_after timestamptz NOT NULL,
        issued_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
    await db.query(`CREATE INDEX agent_certificates_cluster_idx ON agent_certificates (cluster_id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE agent_certificates`);
    await db.query(`DROP TABLE bootstrap_tokens`);
    await db.query(`DROP TABLE certificate_authority`);
  }
}
