import type { KubeObject } from '@flotilla/cluster-client';
import { BUNDLE_LABEL } from '@flotilla/manifest';
import type { InventoryStore } from './inventory.store.js';
import { describeRef, identityOfRef, keyOfRef, refOf, type ObjectRef } from './object-ref.util.js';
import { pruneObjects, type PruneContext } from './prune.step.js';

/** The outcome of taking a bundle off the cluster; `done` false keeps the bundle Removing (retried). */
export interface RemoveOutcome {
  readonly done: boolean;
  readonly reason: string;
  readonly touched: { ref: ObjectRef; change: 'deleted' | 'skipped'; message: string }[];
}

/** What Remove needs besides the bundle. */
export interface RemoveContext extends PruneContext {
  readonly inventory: InventoryStore;
  readonly fieldManager: string;
  /** The bundle's last Desired manifests, when known, to re-apply without the label on orphan. */
  readonly lastManifests: readonly KubeObject[];
}

/**
 * Remove{bundle, deletionPolicy} (design.md §5, §6). `delete` deletes what the inventory holds, under
 * prune's safety rules; `orphan` leaves every workload running and only drops the bundle label
 * (re-applying our fields without it) and the inventory. An unreadable inventory removes nothing.
 */
export async function removeBundle(ctx: RemoveContext, deletionPolicy: 'delete' | 'orphan'): Promise<RemoveOutcome> {
  const refs = await ctx.inventory.read(ctx.bundle);
  const touched: RemoveOutcome['touched'] = [];
  if (deletionPolicy === 'delete') {
    const results = await pruneObjects(ctx, refs);
    for (const r of results) touched.push({ ref: r.ref, change: r.outcome === 'kept' ? 'skipped' : 'deleted', message: r.message });
    const pending = results.filter((r) => r.keepInInventory);
    if (pending.length) return { done: false, reason: `Removing: ${pending.map((r) => describeRef(r.ref)).join(', ')} not deleted yet`, touched };
  } else {
    const manifests = new Map(ctx.lastManifests.map((m) => [identityOfRef(refOf(m)), m]));
    for (const ref of refs) {
      const live = await ctx.client.get(keyOfRef(ref));
      if (!live || live.metadata.labels?.[BUNDLE_LABEL] !== ctx.bundle) continue;
      const base = manifests.get(identityOfRef(ref)) ?? fromLive(live);
      const labels = { ...(base.metadata.labels ?? {}) };
      delete labels[BUNDLE_LABEL];
      // Applying our configuration without the label removes just the label; every other field stays.
      await ctx.client.apply({ ...base, metadata: { ...base.metadata, labels } }, { fieldManager: ctx.fieldManager, force: true });
      touched.push({ ref, change: 'skipped', message: 'orphaned: left running without the bundle label' });
    }
  }
  await ctx.inventory.remove(ctx.bundle);
  return { done: true, reason: '', touched };
}

/** A configuration to re-apply when the manifest is no longer known: the live object minus what the server owns. */
function fromLive(live: KubeObject): KubeObject {
  const { status: _status, ...rest } = live as KubeObject & { status?: unknown };
  const { managedFields: _m, resourceVersion: _rv, uid: _uid, generation: _g, creationTimestamp: _c, ...metadata } = live.metadata;
  return { ...rest, metadata } as KubeObject;
}
