import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Status history loses its two foreign keys and is deleted with its BundleDeployment's status row
 * instead, by a statement-level trigger. Every history row is written by the status upsert in the
 * same statement as that row (it joins the rows it wrote), and the row itself keeps its foreign keys
 * to bundles and clusters with ON DELETE CASCADE — so history still never outlives its bundle or
 * cluster, while the upsert no longer checks and key-share-locks a bundle and a cluster for each of
 * the thousands of history rows of a batch (each status of a storm is one), which was about a third
 * of the statement's time.
 */
export class StatusHistoryCascade1763905000000 implements MigrationInterface {
  name = 'StatusHistoryCascade1763905000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE bundle_status_history DROP CONSTRAINT bundle_status_history_bundle_id_fkey`);
    await db.query(`ALTER TABLE bundle_status_history DROP CONSTRAINT bundle_status_history_cluster_id_fkey`);
    await db.query(`
      CREATE FUNCTION bundle_status_history_cascade() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM bundle_status_history h USING gone g WHERE h.bundle_id = g.bundle_id AND h.cluster_id = g.cluster_id;
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE TRIGGER bundle_status_history_cascade AFTER DELETE ON bundle_statuses
        REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION bundle_status_history_cascade()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TRIGGER bundle_status_history_cascade ON bundle_statuses`);
    await db.query(`DROP FUNCTION bundle_status_history_cascade()`);
    // History of deployments whose status row is gone could not satisfy the keys again.
    await db.query(`DELETE FROM bundle_status_history h WHERE NOT EXISTS (SELECT 1 FROM bundle_statuses s WHERE s.bundle_id = h.bundle_id AND s.cluster_id = h.cluster_id)`);
    await db.query(`ALTER TABLE bundle_status_history ADD CONSTRAINT bundle_status_history_bundle_id_fkey FOREIGN KEY (bundle_id) REFERENCES bundles (id) ON DELETE CASCADE`);
    await db.query(`ALTER TABLE bundle_status_history ADD CONSTRAINT bundle_status_history_cluster_id_fkey FOREIGN KEY (cluster_id) REFERENCES clusters (id) ON DELETE CASCADE`);
  }
}
