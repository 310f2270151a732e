import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type AuditOutcome = 'succeeded' | 'failed' | 'denied';

/**
 * One API action. The table refuses UPDATE, DELETE and TRUNCATE (a trigger), and each row seals
 * the one before it with a hash, so even a change by the database owner is detectable.
 */
@Entity({ name: 'audit_log' })
export class AuditRecordEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'occurred_at', type: 'timestamptz', insert: false, update: false })
  occurredAt!: Date;

  @Column('text')
  actor!: string;

  @Column({ name: 'actor_token_id', type: 'uuid', nullable: true })
  actorTokenId!: string | null;

  @Column({ name: 'actor_role', type: 'text', nullable: true })
  actorRole!: string | null;

  @Column('text')
  action!: string;

  @Column('jsonb')
  arguments!: Record<string, unknown>;

  @Column('text')
  outcome!: AuditOutcome;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  /** Hash of the record before this one (zeros for the first). */
  @Column({ name: 'prev_hash', type: 'bytea', select: false })
  prevHash!: Buffer;

  /** sha256(prev_hash ‖ canonical JSON of this record). */
  @Column({ type: 'bytea', select: false })
  hash!: Buffer;
}
