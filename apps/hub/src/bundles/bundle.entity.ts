import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A bundle of a source: a directory holding a flotilla.yaml. It keeps its last good state (the
 * revision whose spec validated and whose manifests parsed) while a later revision's error is shown.
 */
@Entity({ name: 'bundles' })
export class BundleEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'source_id', type: 'uuid' })
  sourceId!: string;

  @Column('text')
  name!: string;

  @Column('text')
  path!: string;

  @Column({ name: 'good_revision', type: 'text', nullable: true })
  goodRevision!: string | null;

  @Column({ name: 'good_spec', type: 'jsonb', nullable: true })
  goodSpec!: Record<string, unknown> | null;

  @Column({ type: 'text', nullable: true })
  digest!: string | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ name: 'error_revision', type: 'text', nullable: true })
  errorRevision!: string | null;

  /** The digest ("removed@…" once gone) whose targets bundle_deployments hold; the rollout engine reads this one. */
  @Column({ name: 'targets_digest', type: 'text', nullable: true })
  targetsDigest!: string | null;

  @Column({ name: 'targets_revision', type: 'text', nullable: true })
  targetsRevision!: string | null;

  @Column({ name: 'targets_spec', type: 'jsonb', nullable: true })
  targetsSpec!: Record<string, unknown> | null;

  @Column({ name: 'removed_at', type: 'timestamptz', nullable: true })
  removedAt!: Date | null;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
