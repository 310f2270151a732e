import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Git sources the hub mirrors, and the revisions (commits) it has fetched from them. */
export class Sources1763812800000 implements MigrationInterface {
  name = 'Sources1763812800000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE sources (
        id uuid PRIMARY KEY,
        name text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' AND length(name) <= 63),
        url text NOT NULL,
        ref text NOT NULL,
        path text NOT NULL DEFAULT '',
        credentials_kind text CHECK (credentials_kind IN ('https-token', 'ssh-key')),
        credentials bytea,
        webhook_secret bytea NOT NULL,
        poll_interval_seconds integer CHECK (poll_interval_seconds >= 0),
        last_fetched_sha text,
        last_fetched_at timestamptz,
        last_error text,
        last_error_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((credentials IS NULL) = (credentials_kind IS NULL))
      )`);
    await db.query(`
      CREATE TABLE revisions (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        source_id uuid NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
        sha text NOT NULL,
        author_name text NOT NULL,
        author_email text NOT NULL,
        message text NOT NULL,
        committed_at timestamptz NOT NULL,
        fetched_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT revisions_source_sha_key UNIQUE (source_id, sha)
      )`);
    await db.query(`CREATE INDEX revisions_source_fetched_idx ON revisions (source_id, fetched_at DESC, id DESC)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE revisions`);
    await db.query(`DROP TABLE sources`);
  }
}
