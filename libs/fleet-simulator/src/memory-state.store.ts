import type { AgentIdentity, AgentStateStore, PersistedBundle } from '@flotilla/agent-connection';

/**
 * Agent state in memory, for simulations that measure the hub rather than the agents' disks:
 * thousands of simulated agents on one machine would otherwise queue their fsyncs on one disk,
 * where each real agent has its own. It keeps the AgentStateStore contract within the process
 * (a save is visible to every later load) but nothing survives the process.
 */
export class MemoryStateStore implements AgentStateStore {
  private privateKey?: string;
  private identity?: AgentIdentity;
  private readonly bundles = new Map<string, PersistedBundle>();

  async loadPrivateKey(): Promise<string | undefined> {
    return this.privateKey;
  }

  async savePrivateKey(privateKeyPem: string): Promise<void> {
    this.privateKey = privateKeyPem;
  }

  async loadIdentity(): Promise<AgentIdentity | undefined> {
    return this.identity;
  }

  async saveIdentity(identity: AgentIdentity): Promise<void> {
    this.identity = identity;
  }

  async loadBundles(): Promise<PersistedBundle[]> {
    return [...this.bundles.values()];
  }

  async saveBundle(bundle: PersistedBundle): Promise<void> {
    this.bundles.set(bundle.bundle, bundle);
  }
}
