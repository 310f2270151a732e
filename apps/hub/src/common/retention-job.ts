import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';

/** What a retention job needs from its subclass: what it deletes, for how long rows are kept, and how often it runs. */
export interface RetentionPolicy {
  /** Plural noun for logs, e.g. "events". */
  readonly what: string;
  readonly retentionMs: number;
  readonly intervalMs: number;
  /** Deletes the rows older than `cutoff`; resolves with how many went. */
  deleteOlderThan(cutoff: Date): Promise<number>;
}

/**
 * Deletes rows older than a retention, periodically. Safe on several replicas at once: each run
 * deletes what is old, and a row deleted by another run is simply not there. One run at a time per
 * process; shutdown waits for the run in flight.
 */
export abstract class RetentionJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(this.constructor.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  protected abstract policy(): RetentionPolicy;

  onApplicationBootstrap(): void {
    const { what, intervalMs } = this.policy();
    this.timer = setInterval(() => void this.collect().catch((error: Error) => this.logger.error(`${what} retention failed: ${error.message}`)), intervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Deletes what is older than the retention now; returns how many rows went. */
  async collect(now = new Date()): Promise<number> {
    const policy = this.policy();
    const { what, retentionMs } = policy;
    this.running ??= policy.deleteOlderThan(new Date(now.getTime() - retentionMs)).finally(() => (this.running = undefined));
    const deleted = await this.running;
    if (deleted > 0) this.logger.log(`deleted ${deleted} ${what} older than ${retentionMs / 86_400_000} days`);
    return deleted;
  }
}
