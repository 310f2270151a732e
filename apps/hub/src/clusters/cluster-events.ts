import { Injectable, Logger } from '@nestjs/common';

/** What changed about the fleet's clusters; target state is recomputed for the clusters named. */
export type ClusterChange =
  | { readonly kind: 'created' | 'updated'; readonly clusterId: string }
  | { readonly kind: 'deleted'; readonly clusterId: string };

/**
 * In-process notification of cluster changes. Listeners run after the change is committed; a
 * failing listener is logged and does not affect the others or the request that made the change.
 */
@Injectable()
export class ClusterEvents {
  private readonly logger = new Logger(ClusterEvents.name);
  private readonly listeners: ((change: ClusterChange) => Promise<void> | void)[] = [];

  subscribe(listener: (change: ClusterChange) => Promise<void> | void): void {
    this.listeners.push(listener);
  }

  async emit(change: ClusterChange): Promise<void> {
    for (const listener of this.listeners) {
      try {
        await listener(change);
      } catch (error) {
        this.logger.error(`a listener failed on cluster ${change.kind} ${change.clusterId}: ${(error as Error).message}`);
      }
    }
  }
}
