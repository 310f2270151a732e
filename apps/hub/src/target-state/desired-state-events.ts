import { Injectable, Logger } from '@nestjs/common';

export type DesiredStateListener = (clusterIds: ReadonlySet<string>) => void;

/**
 * Announces, after the rows are committed, which clusters' desired state changed, so the agent
 * gateway pushes to the connected ones at once. In-process today; with several hub replicas it
 * becomes a PostgreSQL NOTIFY, and a session's catch-up on connect already covers a missed one.
 */
@Injectable()
export class DesiredStateEvents {
  private readonly logger = new Logger(DesiredStateEvents.name);
  private readonly listeners = new Set<DesiredStateListener>();

  subscribe(listener: DesiredStateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(clusterIds: ReadonlySet<string>): void {
    if (clusterIds.size === 0) return;
    for (const listener of this.listeners) {
      try {
        listener(clusterIds);
      } catch (error) {
        this.logger.error(`a desired-state listener failed: ${(error as Error).message}`);
      }
    }
  }
}
