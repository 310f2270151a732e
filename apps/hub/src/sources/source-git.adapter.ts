import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { GitMirror, type GitCredentials, type TreeLimits } from '@flotilla/git';
import { HUB_CONFIG } from '../config/hub-config.token.js';
import type { HubConfig } from '../config/hub-config.js';

/** Where and how the hub mirrors sources: one bare mirror per source id under `<dataDir>/git/`. */
@Injectable()
export class SourceGit {
  constructor(@Inject(HUB_CONFIG) private readonly config: HubConfig) {}

  get limits(): TreeLimits {
    const { maxFiles, maxFileBytes, maxTotalBytes } = this.config.sources;
    return { maxFiles, maxFileBytes, maxTotalBytes };
  }

  get urlOptions(): { allowFileUrls: boolean; allowInsecureHttp: boolean } {
    return { allowFileUrls: this.config.sources.allowFileUrls, allowInsecureHttp: this.config.sources.allowInsecureHttp };
  }

  /** Throws a GitError when the URL is not allowed (any more) by this hub's configuration. */
  mirrorFor(sourceId: string, url: string, credentials: GitCredentials | undefined): GitMirror {
    return new GitMirror({
      directory: this.mirrorDirectory(sourceId),
      url,
      credentials,
      ...this.urlOptions,
      fetchTimeoutMs: this.config.sources.fetchTimeoutMs,
      maxRepoBytes: this.config.sources.maxRepoBytes,
    });
  }

  async removeMirror(sourceId: string): Promise<void> {
    await rm(this.mirrorDirectory(sourceId), { recursive: true, force: true });
  }

  private mirrorDirectory(sourceId: string): string {
    return join(this.config.dataDir, 'git', `${sourceId}.git`);
  }
}
