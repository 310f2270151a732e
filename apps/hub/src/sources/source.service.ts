import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { GitCredentials } from '@flotilla/git';
import { HUB_CONFIG } from '../config/hub-config.token.js';
import type { HubConfig } from '../config/hub-config.js';
import { InvalidInputException } from '../common/invalid-input.exception.js';
import { decodeCursor, pageSize, toPage, type Page } from '../graphql/pagination.js';
import { SourceGit } from './source-git.adapter.js';
import type { RevisionEntity } from './revision.entity.js';
import type { SourceEntity } from './source.entity.js';
import { SourceException, SourceExceptionCode } from './source.exception.js';
import { SourceRepository, type SourceChanges } from './source.repository.js';
import { SourceSecrets } from './source-secrets.service.js';
import { SourceSyncService } from './source-sync.service.js';
import {
  validatePollInterval,
  validateSourceCredentials,
  validateSourceName,
  validateSourcePath,
  validateSourceRef,
  validateSourceUrl,
  type CredentialsArgument,
} from './validate-source-input.util.js';

export interface AddSourceCommand {
  readonly name: string;
  readonly url: string;
  readonly ref: string;
  readonly path: string;
  readonly pollIntervalSeconds?: number | null;
  readonly credentials?: CredentialsArgument | null;
}

export interface UpdateSourceCommand {
  readonly id: string;
  readonly name?: string | null;
  readonly url?: string | null;
  readonly ref?: string | null;
  readonly path?: string | null;
  readonly pollIntervalSeconds?: number | null;
  /** Undefined keeps the credentials; null removes them. */
  readonly credentials?: CredentialsArgument | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The rules of sources: what may be added or changed, and when a sync follows. */
@Injectable()
export class SourceService {
  private readonly logger = new Logger(SourceService.name);

  constructor(
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    private readonly sources: SourceRepository,
    private readonly secrets: SourceSecrets,
    private readonly git: SourceGit,
    private readonly sync: SourceSyncService,
  ) {}

  list(): Promise<SourceEntity[]> {
    return this.sources.list();
  }

  async get(id: string, argument = 'id'): Promise<SourceEntity> {
    if (!UUID.test(id)) throw new SourceException(SourceExceptionCode.InvalidSourceInput, 'must be a source id (a UUID)', argument);
    const source = await this.sources.findById(id);
    if (!source) throw new SourceException(SourceExceptionCode.SourceNotFound, `no source has id ${id}`);
    return source;
  }

  /** One page of sources, by name. */
  async sourcePage(first: number, after?: string | null): Promise<Page<SourceEntity>> {
    const size = pageSize(first);
    const afterName = after ? String(decodeCursor(after, ['string'])[0]) : undefined;
    const { rows, total } = await this.sources.pageSources(size + 1, afterName);
    return toPage(rows, size, after, total, (source) => [source.name], (source) => source);
  }

  /** One page of a source's revisions, newest first; an unknown source is an error naming `sourceId`. */
  async revisionPage(sourceId: string, first: number, after?: string | null): Promise<Page<RevisionEntity>> {
    const size = pageSize(first);
    let position: { fetchedAt: string; id: string } | undefined;
    if (after) {
      const [fetchedAt, id] = decodeCursor(after, ['string', 'string']) as [string, string];
      if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/.test(fetchedAt) || !/^\d{1,18}$/.test(id)) throw new InvalidInputException('after', 'is not a cursor of this list');
      position = { fetchedAt, id };
    }
    await this.get(sourceId, 'sourceId');
    const { rows, total } = await this.sources.pageRevisions(sourceId, size + 1, position);
    return toPage(rows, size, after, total, (row) => [row.fetchedKey, row.revision.id], (row) => row.revision);
  }

  /** The poll interval in effect for a source. */
  pollIntervalOf(source: SourceEntity): number {
    return source.pollIntervalSeconds ?? this.config.sources.pollIntervalSeconds;
  }

  /** Validates, stores (secrets sealed), then fetches once; a failed fetch is the source's lastError, not an API error. */
  async add(command: AddSourceCommand): Promise<{ source: SourceEntity; webhookSecret: string }> {
    const name = validateSourceName(command.name);
    const url = validateSourceUrl(command.url, this.git.urlOptions);
    const ref = validateSourceRef(command.ref);
    const path = validateSourcePath(command.path);
    const pollIntervalSeconds = validatePollInterval(command.pollIntervalSeconds);
    const credentials = command.credentials ? validateSourceCredentials(command.credentials, url) : undefined;
    await this.assertNameFree(name);

    const id = randomUUID();
    const webhook = this.secrets.newWebhookSecret(id);
    await this.sources
      .insert({
        id,
        name,
        url: url.url,
        ref,
        path,
        pollIntervalSeconds,
        credentialsKind: credentials?.kind ?? null,
        credentials: credentials ? this.secrets.sealCredentials(id, credentials) : null,
        webhookSecret: webhook.sealed,
      })
      .catch((error: unknown) => this.rethrowNameTaken(error, name));
    this.logger.log(`source "${name}" added: ${url.url} ${ref}${path ? ` /${path}` : ''}${credentials ? ` with ${credentials.kind} credentials` : ''}`);
    await this.sync.sync(id, 'added');
    return { source: await this.get(id), webhookSecret: webhook.secret };
  }

  async update(command: UpdateSourceCommand): Promise<SourceEntity> {
    const current = await this.get(command.id, 'input.id');
    const changes: { -readonly [K in keyof SourceChanges]: SourceChanges[K] } = {};
    if (command.name !== undefined && command.name !== null && command.name !== current.name) {
      changes.name = validateSourceName(command.name);
      await this.assertNameFree(changes.name);
    }
    // A new URL must pass this hub's rules; the stored one is only parsed (for its transport), so a
    // source whose URL a stricter configuration no longer allows can still be edited or repointed.
    const url =
      command.url !== undefined && command.url !== null
        ? validateSourceUrl(command.url, this.git.urlOptions)
        : validateSourceUrl(current.url, { allowFileUrls: true, allowInsecureHttp: true });
    if (command.url !== undefined && command.url !== null) changes.url = url.url;
    if (command.ref !== undefined && command.ref !== null) changes.ref = validateSourceRef(command.ref);
    if (command.path !== undefined && command.path !== null) changes.path = validateSourcePath(command.path);
    if (command.pollIntervalSeconds !== undefined) changes.pollIntervalSeconds = validatePollInterval(command.pollIntervalSeconds);
    let credentials: GitCredentials | undefined;
    if (command.credentials === null) {
      changes.credentials = null;
      changes.credentialsKind = null;
    } else if (command.credentials !== undefined) {
      credentials = validateSourceCredentials(command.credentials, url);
      changes.credentials = this.secrets.sealCredentials(current.id, credentials);
      changes.credentialsKind = credentials.kind;
    } else if (current.credentialsKind && changes.url) {
      // Kept credentials must still suit the (new) URL's transport.
      const kept = await this.sources.secretsOf(current.id);
      if (kept?.credentials) validateKeptCredentials(this.secrets.openCredentials(current.id, kept.credentials), url.transport);
    }
    const updated = await this.sources.update(current.id, changes).catch((error: unknown) => this.rethrowNameTaken(error, changes.name ?? current.name));
    if (!updated) throw new SourceException(SourceExceptionCode.SourceNotFound, `no source has id ${current.id}`);
    const refetch = ['url', 'ref', 'path', 'credentials'].some((key) => key in changes);
    this.logger.log(`source "${updated.name}" updated: ${Object.keys(changes).filter((key) => key !== 'credentials').join(', ') || 'nothing'}`);
    if (refetch) {
      await this.sync.sync(current.id, 'updated');
      return this.get(current.id);
    }
    return updated;
  }

  async delete(id: string): Promise<SourceEntity> {
    const source = await this.get(id);
    // A running fetch would write into the mirror (and a revision row) while both are removed.
    await this.sync.settled(id);
    await this.sources.delete(id);
    await this.git.removeMirror(id);
    this.logger.log(`source "${source.name}" deleted with its revisions and mirror`);
    return source;
  }

  /** Fetches now and answers the source as it is afterwards. */
  async syncNow(id: string): Promise<SourceEntity> {
    await this.get(id);
    await this.sync.sync(id, 'manual');
    return this.get(id);
  }

  private async assertNameFree(name: string): Promise<void> {
    if (await this.sources.findByName(name)) throw new SourceException(SourceExceptionCode.SourceNameTaken, `a source named "${name}" already exists`);
  }

  private rethrowNameTaken(error: unknown, name: string): never {
    const code = (error as { code?: string; driverError?: { code?: string } }).code ?? (error as { driverError?: { code?: string } }).driverError?.code;
    if (code === '23505') {
      throw new SourceException(SourceExceptionCode.SourceNameTaken, `a source named "${name}" already exists`);
    }
    throw error;
  }
}

function validateKeptCredentials(credentials: GitCredentials, transport: string): void {
  const fits = transport === 'file' || (credentials.kind === 'ssh-key' ? transport === 'ssh' : transport !== 'ssh');
  if (!fits) {
    throw new SourceException(
      SourceExceptionCode.InvalidSourceInput,
      `the source's ${credentials.kind} credentials cannot be used with a ${transport} URL; give new credentials or null`,
      'input.url',
    );
  }
}
