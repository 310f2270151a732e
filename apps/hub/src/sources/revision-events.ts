import { Injectable, Logger } from '@nestjs/common';
import type { TreeSnapshot } from '@flotilla/git';

/** A source's ref now points at a commit the hub has fetched and read successfully. */
export interface RevisionFetched {
  readonly sourceId: string;
  readonly sourceName: string;
  readonly sha: string;
  /** False when the ref moved back to a commit recorded before (e.g. a revert by force-push). */
  readonly isNewRevision: boolean;
  /** The files of the source's sub-path at that commit, within the configured limits. */
  readonly snapshot: TreeSnapshot;
}

export type RevisionListener = (event: RevisionFetched) => void | Promise<void>;

/**
 * In-process announcements of fetched revisions, for later stages (bundle discovery, target state)
 * to plug into. Listeners run one after another; a failing listener is logged and does not stop
 * the others or the sync that emitted.
 */
@Injectable()
export class RevisionEvents {
  private readonly logger = new Logger(RevisionEvents.name);
  private readonly listeners = new Set<RevisionListener>();

  /** Returns a function that unsubscribes. */
  subscribe(listener: RevisionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async emit(event: RevisionFetched): Promise<void> {
    for (const listener of [...this.listeners]) {
      try {
        await listener(event);
      } catch (error) {
        this.logger.error(`a revision listener failed for source "${event.sourceName}" at ${event.sha.slice(0, 12)}: ${(error as Error).message}`);
      }
    }
  }
}
