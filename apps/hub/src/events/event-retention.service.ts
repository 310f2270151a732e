import { Inject, Injectable } from '@nestjs/common';
import { RetentionJob, type RetentionPolicy } from '../common/retention-job.js';
import { HUB_CONFIG } from '../config/hub-config.token.js';
import type { HubConfig } from '../config/hub-config.js';
import { EventRepository } from './event.repository.js';

/** Deletes events older than FLOTILLA_EVENTS_RETENTION_DAYS, periodically. */
@Injectable()
export class EventRetention extends RetentionJob {
  constructor(
    private readonly events: EventRepository,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
  ) {
    super();
  }

  protected policy(): RetentionPolicy {
    return { what: 'events', retentionMs: this.config.events.retentionMs, intervalMs: this.config.events.retentionIntervalMs, deleteOlderThan: (cutoff) => this.events.deleteOlderThan(cutoff) };
  }
}
