import type { ClusterClient, KubeObject } from '@flotilla/cluster-client';
import { statusCodeOf } from '@flotilla/cluster-client';
import { identityOfRef, type ObjectRef } from './object-ref.util.js';

/** Label naming the bundle whose inventory a ConfigMap holds (deliberately not the bundle label: it is not part of the bundle). */
export const INVENTORY_LABEL = 'flotilla.dev/inventory-of';

/** Raised when an inventory exists but cannot be read or parsed: nothing may be pruned then. */
export class InventoryUnreadableError extends Error {
  constructor(bundle: string, cause: string) {
    super(`InventoryUnreadable: the inventory of bundle ${bundle} cannot be read: ${cause}`);
    this.name = 'InventoryUnreadableError';
  }
}

/**
 * Each bundle's inventory — every object it may have applied — in a ConfigMap of the agent
 * namespace, so it survives agent restarts and is what prune and Remove work from. Written as
 * old ∪ new before applying and shrunk after pruning, so a crash in between leaks nothing.
 */
export class InventoryStore {
  constructor(
    private readonly client: ClusterClient,
    private readonly namespace: string,
    private readonly fieldManager: string,
  ) {}

  static nameOf(bundle: string): string {
    return `flotilla-inventory-${bundle}`;
  }

  /** The recorded objects; empty when the bundle has no inventory yet. Throws InventoryUnreadableError otherwise. */
  async read(bundle: string): Promise<ObjectRef[]> {
    let live: KubeObject | undefined;
    try {
      live = await this.client.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: this.namespace, name: InventoryStore.nameOf(bundle) });
    } catch (err) {
      throw new InventoryUnreadableError(bundle, (err as Error).message);
    }
    if (!live) return [];
    const text = (live['data'] as Record<string, string> | undefined)?.['objects'];
    try {
      const parsed = JSON.parse(text ?? '') as unknown;
      if (!Array.isArray(parsed) || !parsed.every(isRef)) throw new Error('not a list of object references');
      return parsed;
    } catch (err) {
      throw new InventoryUnreadableError(bundle, (err as Error).message);
    }
  }

  async write(bundle: string, generation: bigint, refs: readonly ObjectRef[]): Promise<void> {
    const unique = new Map(refs.map((r) => [identityOfRef(r), r]));
    const sorted = [...unique.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, r]) => r);
    const body: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: InventoryStore.nameOf(bundle), namespace: this.namespace, labels: { [INVENTORY_LABEL]: bundle } },
      data: { objects: JSON.stringify(sorted), generation: generation.toString() },
    };
    try {
      await this.client.apply(body, { fieldManager: this.fieldManager, force: true });
    } catch (err) {
      if (statusCodeOf(err) !== 404) throw err;
      // The agent namespace is gone (or never was): recreate it, then write again.
      await this.client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: this.namespace } }, { fieldManager: this.fieldManager });
      await this.client.apply(body, { fieldManager: this.fieldManager, force: true });
    }
  }

  async remove(bundle: string): Promise<void> {
    await this.client.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: this.namespace, name: InventoryStore.nameOf(bundle) });
  }
}

function isRef(value: unknown): value is ObjectRef {
  const v = value as Record<string, unknown>;
  return typeof v === 'object' && v !== null && typeof v['apiVersion'] === 'string' && typeof v['kind'] === 'string' && typeof v['name'] === 'string' && typeof v['namespace'] === 'string';
}
