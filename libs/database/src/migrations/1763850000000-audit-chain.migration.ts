import type { MigrationInterface, QueryRunner } from 'typeorm';
import { chainHash, GENESIS_HASH } from '../audit-chain.js';

/** Makes the audit log tamper-evident: each record carries the hash of the one before it. */
export class AuditChain1763850000000 implements MigrationInterface {
  name = 'AuditChain1763850000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE audit_log ADD COLUMN prev_hash bytea, ADD COLUMN hash bytea`);
    // Seal the records written before the chain existed, in order; the append-only trigger is
    // paused for this one backfill inside the migration's transaction.
    await db.query(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`);
    let previous: Buffer = GENESIS_HASH;
    const rows: Record<string, unknown>[] = await db.query(
      `SELECT id, occurred_at, actor, actor_token_id, actor_role, action, arguments, outcome, error FROM audit_log ORDER BY id`,
    );
    for (const row of rows) {
      const hash = chainHash(previous, {
        occurredAt: row.occurred_at as Date,
        actor: row.actor as string,
        actorTokenId: (row.actor_token_id as string | null) ?? null,
        actorRole: (row.actor_role as string | null) ?? null,
        action: row.action as string,
        arguments: row.arguments,
        outcome: row.outcome as string,
        error: (row.error as string | null) ?? null,
      });
      await db.query(`UPDATE audit_log SET prev_hash = $2, hash = $3 WHERE id = $1`, [row.id, previous, hash]);
      previous = hash;
    }
    await db.query(`ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`);
    await db.query(`ALTER TABLE audit_log ALTER COLUMN prev_hash SET NOT NULL, ALTER COLUMN hash SET NOT NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE audit_log DROP COLUMN hash, DROP COLUMN prev_hash`);
  }
}
