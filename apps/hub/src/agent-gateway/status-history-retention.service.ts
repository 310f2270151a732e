import { Inject, Injectable } from '@nestjs/common';
import { RetentionJob, type RetentionPolicy } from '../common/retention-job.js';
import { HUB_CONFIG } from '../config/hub-config.token.js';
import type { HubConfig } from '../config/hub-config.js';
import { StatusHistoryRepository } from './status-history.repository.js';

/**
 * Deletes status transitions older than FLOTILLA_STATUS_HISTORY_RETENTION_DAYS, on the events'
 * retention interval: the history grows with every change an agent reports, and nothing else
 * removes it while its BundleDeployment lives.
 */
@Injectable()
export class StatusHistoryRetention extends RetentionJob {
  constructor(
    private readonly history: StatusHistoryRepository,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
  ) {
    super();
  }

  protected policy(): RetentionPolicy {
    return {
      what: 'status transitions',
      retentionMs: this.config.events.statusHistoryRetentionMs,
      intervalMs: this.config.events.retentionIntervalMs,
      deleteOlderThan: (cutoff) => this.history.deleteOlderThan(cutoff),
    };
  }
}
