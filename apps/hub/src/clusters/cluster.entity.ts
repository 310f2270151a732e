import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A managed cluster as the hub records it. Its id is the cluster's uid (agent certificates name it). */
@Entity({ name: 'clusters' })
export class ClusterEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('text')
  name!: string;

  @Column('jsonb')
  labels!: Record<string, string>;

  @Column('jsonb')
  vars!: Record<string, unknown>;

  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
