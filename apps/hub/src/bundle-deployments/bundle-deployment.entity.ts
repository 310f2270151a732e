import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One bundle on one cluster. `target` is what the bundle's current revision renders to for the
 * cluster; `desired` is what has been admitted for delivery, with its generation (one hub-wide
 * sequence). `removal` marks a tombstone: the bundle leaves the cluster with that deletion policy.
 */
@Entity({ name: 'bundle_deployments' })
export class BundleDeploymentEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'bundle_id', type: 'bigint' })
  bundleId!: string;

  @Column({ name: 'cluster_id', type: 'uuid' })
  clusterId!: string;

  @Column({ name: 'target_hash', type: 'text', nullable: true })
  targetHash!: string | null;

  @Column({ name: 'target_revision', type: 'text', nullable: true })
  targetRevision!: string | null;

  @Column({ name: 'desired_hash', type: 'text', nullable: true })
  desiredHash!: string | null;

  @Column({ name: 'desired_generation', type: 'bigint', nullable: true })
  desiredGeneration!: string | null;

  @Column({ name: 'desired_revision', type: 'text', nullable: true })
  desiredRevision!: string | null;

  @Column({ type: 'text', nullable: true })
  removal!: 'delete' | 'orphan' | null;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
