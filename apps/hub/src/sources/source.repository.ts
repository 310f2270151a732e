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

  /** One page of sources by name after the cursor (`limit` is the page size plus one), and how many there are. */
  async pageSources(limit: number, afterName: string | undefined): Promise<{ rows: SourceEntity[]; total: number }> {
    const query = this.sources.createQueryBuilder('s').orderBy('s.name', 'ASC').take(limit);
    if (afterName !== undefined) query.where('s.name > :afterName', { afterName });
    const [rows, total] = await Promise.all([query.getMany(), this.sources.count()]);
    return { rows, total };
  }

  /**
   * One page of a source's revisions, newest first, after a cursor position (fetched_at to the microsecond, as
   * UTC text, then id); each row comes with its own position, since a JS Date would lose the microseconds.
   */
  async pageRevisions(sourceId: string, limit: number, after: { fetchedAt: string; id: string } | undefined): Promise<{ rows: { revision: RevisionEntity; fetchedKey: string }[]; total: number }> {
    const query = this.revisions
      .createQueryBuilder('r')
      .addSelect(`to_char(r.fetched_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`, 'fetched_key')
      .where('r.source_id = :sourceId', { sourceId })
      .orderBy('r.fetched_at', 'DESC')
      .addOrderBy('r.id', 'DESC')
      .limit(limit);
    if (after) query.andWhere('(r.fetched_at, r.id) < (:fetchedAt::timestamptz, :id::bigint)', after);
    const [{ entities, raw }, total] = await Promise.all([query.getRawAndEntities<{ fetched_key: string }>(), this.revisions.countBy({ sourceId })]);
    return { rows: entities.map((revision, i) => ({ revision, fetchedKey: raw[i]!.fetched_key })), total };
  }
}
