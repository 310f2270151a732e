import { Injectable } from '@nestjs/common';
import type { GitCredentials, TreeSnapshot } from '@flotilla/git';
import { SourceGit } from './source-git.adapter.js';
import { SourceSecrets } from './source-secrets.service.js';
import { SourceRepository } from './source.repository.js';

/**
 * Reads the files of a source at a commit the hub has already fetched, from its bare mirror (no
 * network, no work tree). Target state uses it to rebuild a bundle's last good state after a restart.
 */
@Injectable()
export class SourceSnapshots {
  constructor(
    private readonly sources: SourceRepository,
    private readonly secrets: SourceSecrets,
    private readonly git: SourceGit,
  ) {}

  async read(sourceId: string, sha: string): Promise<TreeSnapshot> {
    const source = await this.sources.findById(sourceId);
    if (!source) throw new Error(`source ${sourceId} no longer exists`);
    const sealed = await this.sources.secretsOf(sourceId);
    const credentials: GitCredentials | undefined = sealed?.credentials ? this.secrets.openCredentials(sourceId, sealed.credentials) : undefined;
    return this.git.mirrorFor(sourceId, source.url, credentials).readSnapshot(sha, source.path, this.git.limits);
  }
}
