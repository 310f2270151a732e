import type { Desired, KnownBundle, Remove } from '@flotilla/protocol';
import { AgentStateError } from './agent-connection.error.js';
import type { AgentStateStore, PersistedBundle, PersistedDesired, PersistedRemove } from './agent-state.store.js';
import { toDesiredBundle, toKnownBundle, toRemovedBundle, verifyDesired, verifyRemove, type Verdict } from './bundle-messages.util.js';
import type { Reconciler } from './reconciler.js';

/**
 * What the agent holds for each bundle — its last accepted Desired, or its removal — and the
 * resume/replay side of the protocol: at start the persisted state is handed to the reconciler
 * before any connection (the cluster keeps its state while the hub is away); every (re)connect
 * tells the hub what is held (`Hello.known`), so the hub re-sends only what is missing; a new
 * Desired or Remove is verified against what is held and persisted before it is acknowledged.
 * Guarantees: nothing is handed over that is not persisted, and nothing held is ever older than
 * what was acknowledged.
 */
export class HeldBundles {
  private readonly held = new Map<string, PersistedBundle>();

  constructor(
    private readonly store: AgentStateStore,
    private readonly reconciler: Reconciler,
  ) {}

  get size(): number {
    return this.held.size;
  }

  /** Reads the persisted bundles (rejects with AgentStateError naming unreadable state). */
  async load(): Promise<void> {
    for (const record of await this.store.loadBundles()) this.held.set(record.bundle, record);
  }

  /** Hands every held bundle to the reconciler: what it resumes with, hub or no hub. */
  resume(): void {
    for (const record of this.held.values()) this.handOver(record);
  }

  /** The Hello's list of what the agent holds. */
  known(): KnownBundle[] {
    return [...this.held.values()].map(toKnownBundle);
  }

  /** Verifies a Desired against what is held; an accepted one is persisted (durably) before this resolves. */
  async receiveDesired(message: Desired): Promise<Verdict<PersistedDesired>> {
    return this.persistAccepted(verifyDesired(message, this.held.get(message.bundle)));
  }

  /** Verifies a Remove the same way; an accepted one is persisted as a tombstone. */
  async receiveRemove(message: Remove): Promise<Verdict<PersistedRemove>> {
    return this.persistAccepted(verifyRemove(message, this.held.get(message.bundle)));
  }

  /** Gives one held bundle to the reconciler (after its acknowledgement, for a new one). */
  handOver(record: PersistedBundle): void {
    if (record.kind === 'removed') {
      this.reconciler.remove(toRemovedBundle(record));
      return;
    }
    let bundle;
    try {
      bundle = toDesiredBundle(record);
    } catch (error) {
      throw new AgentStateError(`bundle ${record.bundle}`, `the persisted content does not parse: ${(error as Error).message}`);
    }
    this.reconciler.desired(bundle);
  }

  private async persistAccepted<T extends PersistedBundle>(verdict: Verdict<T>): Promise<Verdict<T>> {
    if (verdict.action === 'accept') {
      await this.store.saveBundle(verdict.record);
      this.held.set(verdict.record.bundle, verdict.record);
    }
    return verdict;
  }
}
