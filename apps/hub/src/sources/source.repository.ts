import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { CommitInfo } from '@flotilla/git';
import type { Repository } from 'typeorm';
import { RevisionEntity } from './revision.entity.js';
import { SourceEntity, type SourceCredentialsKind } from './source.entity.js';

/** A source row to insert: everything the hub decides, secrets already sealed. */
export interface NewSource {
  readonly id: string;
  readonly name: string;
  readonly url: string;
  readonly ref: string;
  readonly path: string;
  readonly pollIntervalSeconds: number | null;
  readonly credentialsKind: SourceCredentialsKind | null;
  readonly credentials: Buffer | null;
  readonly webhookSecret: Buffer;
}

export type SourceChanges = Partial<Omit<NewSource, 'id' | 'webhookSecret'>>;

/** Sources and revisions in PostgreSQL; the only place the feature speaks SQL. */
@Injectable()
export class SourceRepository {
  constructor(
    @InjectRepository(SourceEntity) private readonly sources: Repository<SourceEntity>,
    @InjectRepository(RevisionEntity) private readonly revisions: Repository<RevisionEntity>,
  ) {}

  async insert(source: NewSource): Promise<SourceEntity> {
    await this.sources.insert({ ...source, updatedAt: new Date() });
    return (await this.findById(source.id))!;
  }

  findById(id: string): Promise<SourceEntity | null> {
    return this.sources.findOneBy({ id });
  }

  findByName(name: string): Promise<SourceEntity | null> {
    return this.sources.findOneBy({ name });
  }

  list(): Promise<SourceEntity[]> {
    return this.sources.find({ order: { name: 'ASC' } });
  }

  /** The sealed secrets of a source, which normal reads never select. */
  async secretsOf(id: string): Promise<{ credentials: Buffer | null; webhookSecret: Buffer } | null> {
    const row = await this.sources.findOne({ where: { id }, select: { id: true, credentials: true, webhookSecret: true } });
    return row ? { credentials: row.credentials, webhookSecret: row.webhookSecret } : null;
  }

  async update(id: string, changes: SourceChanges): Promise<SourceEntity | null> {
    await this.sources.update({ id }, { ...changes, updatedAt: new Date() });
    return this.findById(id);
  }

  /** Deletes the source and, by cascade, its revisions; false when it did not exist. */
  async delete(id: string): Promise<boolean> {
    return ((await this.sources.delete({ id })).affected ?? 0) > 0;
  }

  /** Records a commit once; returns true when it was new for this source. */
  async recordRevision(sourceId: string, commit: CommitInfo): Promise<boolean> {
    const result = await this.revisions
      .createQueryBuilder()
      .insert()
      .values({
        sourceId,
        sha: commit.sha,
        authorName: commit.authorName,
        authorEmail: commit.authorEmail,
        message: commit.message,
        committedAt: commit.committedAt,
      })
      .orIgnore()
      .returning(['id'])
      .execute();
    return result.raw.length > 0;
  }

  async markFetched(id: string, sha: string): Promise<void> {
    await this.sources.update({ id }, { lastFetchedSha: sha, lastFetchedAt: new Date(), lastError: null, lastErrorAt: null });
  }

  /** Records why the last sync failed; what was fetched before stays as it was. */
  async markFailed(id: string, error: string): Promise<void> {
    await this.sources.update({ id }, { lastError: error.slice(0, 4_000), lastErrorAt: new Date() });
  }

  /** Newest first. */
  listRevisions(sourceId: string, first: number): Promise<RevisionEntity[]> {
    return this.revisions.find({ where: { sourceId }, order: { fetchedAt: 'DESC', id: 'DESC' }, take: first });
  }
}
