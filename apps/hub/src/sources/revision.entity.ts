import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One commit of a source that the hub fetched; unique per (source, sha). */
@Entity({ name: 'revisions' })
export class RevisionEntity {
  /** bigint: pg returns it as a string. */
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'source_id', type: 'uuid' })
  sourceId!: string;

  @Column('text')
  sha!: string;

  @Column({ name: 'author_name', type: 'text' })
  authorName!: string;

  @Column({ name: 'author_email', type: 'text' })
  authorEmail!: string;

  @Column('text')
  message!: string;

  @Column({ name: 'committed_at', type: 'timestamptz' })
  committedAt!: Date;

  @Column({ name: 'fetched_at', type: 'timestamptz', insert: false, update: false })
  fetchedAt!: Date;
}
