import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { HUB_CONFIG } from '../config/hub-config.token.js';
import type { HubConfig } from '../config/hub-config.js';
import { SourceRepository } from './source.repository.js';
import { SourceSyncService } from './source-sync.service.js';

/** How often the poller looks for sources that are due (at most); a source's own interval is what counts. */
const TICK_MS = 5_000;

/**
 * One timer per hub: every tick, each source whose poll interval has passed since its last poll is
 * synced, unless a sync of it is already running (webhook, mutation or the previous poll).
 */
@Injectable()
export class SourcePoller implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SourcePoller.name);
  private readonly lastPolled = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;

  constructor(
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    private readonly sources: SourceRepository,
    private readonly sync: SourceSyncService,
  ) {}

  onApplicationBootstrap(): void {
    // A hub default shorter than the tick (tests, demos) is honoured by ticking that often.
    const defaultMs = this.config.sources.pollIntervalSeconds * 1_000;
    this.timer = setInterval(() => void this.tick(), defaultMs > 0 ? Math.min(TICK_MS, defaultMs) : TICK_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** One pass over the sources; exposed for tests. */
  async tick(now = Date.now()): Promise<string[]> {
    if (this.ticking) return [];
    this.ticking = true;
    const started: string[] = [];
    try {
      const sources = await this.sources.list();
      const known = new Set(sources.map((source) => source.id));
      for (const id of this.lastPolled.keys()) if (!known.has(id)) this.lastPolled.delete(id);
      for (const source of sources) {
        const interval = source.pollIntervalSeconds ?? this.config.sources.pollIntervalSeconds;
        if (interval === 0 || this.sync.isSyncing(source.id)) continue;
        // The first look counts from the source's last fetch, so a restart does not poll everything at once.
        const last = this.lastPolled.get(source.id) ?? (source.lastFetchedAt ?? source.lastErrorAt ?? source.createdAt).getTime();
        if (now - last < interval * 1_000) continue;
        this.lastPolled.set(source.id, now);
        started.push(source.id);
        void this.sync.sync(source.id, 'poll');
      }
    } catch (error) {
      this.logger.warn(`polling sources failed: ${(error as Error).message}`);
    } finally {
      this.ticking = false;
    }
    return started;
  }
}
