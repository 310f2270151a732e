import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { GitError, type GitCredentials } from '@flotilla/git';
import { RevisionEvents } from './revision-events.js';
import { SourceGit } from './source-git.adapter.js';
import { SourceRepository } from './source.repository.js';
import { SourceSecrets } from './source-secrets.service.js';

/** Why a sync ran; for the log. */
export type SyncReason = 'added' | 'updated' | 'manual' | 'webhook' | 'poll';

interface InFlight {
  readonly current: Promise<void>;
  /** One more sync queued behind the current one, shared by every trigger that arrives meanwhile. */
  followUp?: Promise<void>;
}

/**
 * Fetches a source and records what it finds: fetch → read the sub-path (limits, submodules, LFS,
 * symlinks) → record the revision → mark the source fetched → announce it. Any failure becomes the
 * source's lastError and nothing stored before is touched. At most one sync per source runs in
 * this hub; triggers arriving meanwhile are coalesced into one follow-up sync, so a push during a
 * fetch is never lost.
 */
@Injectable()
export class SourceSyncService implements OnModuleDestroy {
  private readonly logger = new Logger(SourceSyncService.name);
  private readonly inFlight = new Map<string, InFlight>();
  private stopping = false;
  private readonly shutdown = new AbortController();

  constructor(
    private readonly sources: SourceRepository,
    private readonly secrets: SourceSecrets,
    private readonly git: SourceGit,
    private readonly events: RevisionEvents,
  ) {}

  /** Resolves when a sync that started at or after this call has finished; never rejects. */
  sync(sourceId: string, reason: SyncReason): Promise<void> {
    const entry = this.inFlight.get(sourceId);
    if (entry) return (entry.followUp ??= entry.current.then(() => this.start(sourceId, reason, true)));
    return this.start(sourceId, reason, false);
  }

  /** Resolves once no sync of the source is running or queued (without starting one). */
  async settled(sourceId: string): Promise<void> {
    for (let entry = this.inFlight.get(sourceId); entry; entry = this.inFlight.get(sourceId)) await (entry.followUp ?? entry.current);
  }

  isSyncing(sourceId: string): boolean {
    return this.inFlight.has(sourceId);
  }

  /** Runs before the database pool closes (that happens at application shutdown): running fetches are killed and awaited. */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    this.shutdown.abort();
    await Promise.all([...this.inFlight.values()].map((entry) => entry.followUp ?? entry.current));
  }

  private start(sourceId: string, reason: SyncReason, replacing: boolean): Promise<void> {
    if (replacing) this.inFlight.delete(sourceId);
    const entry: InFlight = {
      current: this.runOnce(sourceId, reason).finally(() => {
        if (this.inFlight.get(sourceId) === entry && !entry.followUp) this.inFlight.delete(sourceId);
      }),
    };
    this.inFlight.set(sourceId, entry);
    return entry.current;
  }

  private async runOnce(sourceId: string, reason: SyncReason): Promise<void> {
    if (this.stopping) return;
    const source = await this.sources.findById(sourceId).catch((error: Error) => {
      this.logger.error(`sync of source ${sourceId} (${reason}): cannot read the source: ${error.message}`);
      return null;
    });
    if (!source) return;
    const started = performance.now();
    try {
      const sealed = await this.sources.secretsOf(sourceId);
      const credentials: GitCredentials | undefined = sealed?.credentials ? this.secrets.openCredentials(sourceId, sealed.credentials) : undefined;
      const mirror = this.git.mirrorFor(sourceId, source.url, credentials);
      const commit = await mirror.fetch(source.ref, { signal: this.shutdown.signal });
      const snapshot = await mirror.readSnapshot(commit.sha, source.path, this.git.limits);
      const isNewRevision = await this.sources.recordRevision(sourceId, commit);
      await this.sources.markFetched(sourceId, commit.sha);
      const ms = Math.round(performance.now() - started);
      if (isNewRevision || commit.sha !== source.lastFetchedSha) {
        this.logger.log(`source "${source.name}" (${reason}): ${source.ref} is at ${commit.sha.slice(0, 12)}, ${snapshot.files.size} files (${ms} ms)`);
        await this.events.emit({ sourceId, sourceName: source.name, sha: commit.sha, isNewRevision, snapshot });
      } else {
        this.logger.debug?.(`source "${source.name}" (${reason}): unchanged at ${commit.sha.slice(0, 12)} (${ms} ms)`);
      }
    } catch (error) {
      if (this.stopping) return; // cancelled by shutdown: not the source's fault, nothing to record
      const message =
        error instanceof GitError ? error.message : `internal error while syncing source "${source.name}"; see the hub log`;
      if (!(error instanceof GitError)) this.logger.error(`sync of source "${source.name}" failed: ${(error as Error).stack ?? String(error)}`);
      else this.logger.warn(`source "${source.name}" (${reason}): ${message}`);
      await this.sources.markFailed(sourceId, message).catch((failure: Error) => {
        this.logger.error(`could not record the sync error of source "${source.name}": ${failure.message}`);
      });
    }
  }
}
