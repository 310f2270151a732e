import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { HUB_CONFIG } from '../config/hub-config.token.js';
import type { HubConfig } from '../config/hub-config.js';
import { StatusHistoryRepository } from './status-history.repository.js';

/**
 * Deletes status transitions older than FLOTILLA_STATUS_HISTORY_RETENTION_DAYS, on the events'
 * retention interval: the history grows with every change an agent reports, and nothing else ever
 * removes it while its BundleDeployment lives. Safe on several replicas at once (a row deleted by
 * another run is simply not there).
 */
@Injectable()
export class StatusHistoryRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(StatusHistoryRetention.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly history: StatusHistoryRepository,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.collect().catch((error: Error) => this.logger.error(`status history retention failed: ${error.message}`)), this.config.events.retentionIntervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Deletes what is older than the retention now; returns how many transitions went. One run at a time. */
  async collect(now = new Date()): Promise<number> {
    this.running ??= this.history.deleteOlderThan(new Date(now.getTime() - this.config.events.statusHistoryRetentionMs)).finally(() => (this.running = undefined));
    const deleted = await this.running;
    if (deleted > 0) this.logger.log(`deleted ${deleted} status transitions older than ${this.config.events.statusHistoryRetentionMs / 86_400_000} days`);
    return deleted;
  }
}
