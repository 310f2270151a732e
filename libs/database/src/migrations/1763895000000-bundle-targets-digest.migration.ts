import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The content (digest, revision and spec) whose targets bundle_deployments hold, written in the
 * transaction that writes those targets. A new commit records the bundle's digest before its
 * targets are rendered; the rollout engine reads these columns instead, so it never starts a
 * rollout that pairs a new digest (or a new rollout plan) with the previous revision's targets. A bundle gone from Git
 * holds "removed@<digest>" here once its tombstones are written.
 */
export class BundleTargetsDigest1763895000000 implements MigrationInterface {
  name = 'BundleTargetsDigest1763895000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE bundles ADD COLUMN targets_digest text, ADD COLUMN targets_revision text, ADD COLUMN targets_spec jsonb`);
    // Existing bundles had their targets written by the hub that stored them.
    await db.query(`
      UPDATE bundles b SET
        targets_spec = b.good_spec,
        targets_digest = CASE WHEN b.removed_at IS NULL THEN b.digest ELSE 'removed@' || b.digest END,
        targets_revision = CASE WHEN b.removed_at IS NULL THEN b.good_revision
          ELSE coalesce((SELECT d.target_revision FROM bundle_deployments d WHERE d.bundle_id = b.id AND d.target_hash IS NULL
                          ORDER BY d.updated_at DESC LIMIT 1), b.good_revision) END
       WHERE b.digest IS NOT NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE bundles DROP COLUMN targets_digest, DROP COLUMN targets_revision, DROP COLUMN targets_spec`);
  }
}
