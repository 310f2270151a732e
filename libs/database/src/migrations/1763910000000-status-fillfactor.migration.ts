import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Room on each page of bundle_statuses for the next version of its rows. Every status rewrites its
 * deployment's row; on a full page the new version goes to another page and both indexes get an
 * entry for it, where with room on the page the update is HOT (heap-only: no index entry, and the
 * page prunes its own dead versions). New and rewritten pages are filled to half.
 */
export class StatusFillfactor1763910000000 implements MigrationInterface {
  name = 'StatusFillfactor1763910000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE bundle_statuses SET (fillfactor = 50)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE bundle_statuses RESET (fillfactor)`);
  }
}
