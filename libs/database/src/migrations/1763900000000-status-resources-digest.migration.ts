import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The md5 of the JSON text an agent's resources were stored from, so status ingestion parses and
 * rewrites the resources of a BundleDeployment only when they changed: most statuses move a health
 * or a phase and carry the same resources as the one before. NULL (rows written before this, or by
 * an ack alone) never matches, so their next status writes its resources.
 */
export class StatusResourcesDigest1763900000000 implements MigrationInterface {
  name = 'StatusResourcesDigest1763900000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE bundle_statuses ADD COLUMN resources_digest uuid`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE bundle_statuses DROP COLUMN resources_digest`);
  }
}
