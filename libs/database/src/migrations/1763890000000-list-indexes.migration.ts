import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for the paginated GraphQL lists: label-key existence on clusters (`labels ? key`, which the
 * jsonb_path_ops index cannot answer), bundles by name (the bundleDeployments `bundle` filter and sort),
 * and the keyset orders of approvals and API tokens. Plus statistics on the (bundle, cluster) pair: without them the
 * planner multiplies the columns' distinct counts, expects a Memoize cache to hit, and joins 100,000 deployments to
 * their statuses by 100,000 index probes (2.8 s for the fleet summary at 10,000 clusters) instead of one hash join.
 */
export class ListIndexes1763890000000 implements MigrationInterface {
  name = 'ListIndexes1763890000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX clusters_labels_keys_idx ON clusters USING gin (labels)`);
    await db.query(`CREATE INDEX bundles_name_idx ON bundles (name, id)`);
    await db.query(`CREATE INDEX approvals_pending_idx ON approvals (id DESC) WHERE decided_at IS NULL`);
    await db.query(`CREATE INDEX api_tokens_created_idx ON api_tokens (created_at, id)`);
    await db.query(`CREATE STATISTICS bundle_deployments_pair_stats (ndistinct) ON bundle_id, cluster_id FROM bundle_deployments`);
    await db.query(`CREATE STATISTICS bundle_statuses_pair_stats (ndistinct) ON bundle_id, cluster_id FROM bundle_statuses`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP STATISTICS bundle_statuses_pair_stats`);
    await db.query(`DROP STATISTICS bundle_deployments_pair_stats`);
    await db.query(`DROP INDEX api_tokens_created_idx`);
    await db.query(`DROP INDEX approvals_pending_idx`);
    await db.query(`DROP INDEX bundles_name_idx`);
    await db.query(`DROP INDEX clusters_labels_keys_idx`);
  }
}
