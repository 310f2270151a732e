import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { HUB_CONFIG } from '../config/hub-config.token.js';
import type { HubConfig } from '../config/hub-config.js';
import { EventRepository } from './event.repository.js';

/**
 * Deletes events older than the configured retention, periodically. Safe on several replicas at once:
 * each run deletes what is old, and a row deleted by another run is simply not there.
 */
@Injectable()
export class EventRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(EventRetention.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly events: EventRepository,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.collect().catch((error: Error) => this.logger.error(`event retention failed: ${error.message}`)), this.config.events.retentionIntervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Deletes what is older than the retention now; returns how many events went. One run at a time. */
  async collect(now = new Date()): Promise<number> {
    this.running ??= this.events.deleteOlderThan(new Date(now.getTime() - this.config.events.retentionMs)).finally(() => (this.running = undefined));
    const deleted = await this.running;
    if (deleted > 0) this.logger.log(`deleted ${deleted} events older than ${this.config.events.retentionMs / 86_400_000} days`);
    return deleted;
  }
}
