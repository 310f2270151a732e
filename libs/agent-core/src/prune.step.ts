import type { ClusterClient } from '@flotilla/cluster-client';
import { BUNDLE_LABEL } from '@flotilla/manifest';
import { BUNDLE_ANNOTATION_PRUNE, identityOfRef, isCrd, isNamespace, keyOfRef, type ObjectRef } from './object-ref.util.js';

/** What prune did with one candidate; kept ones stay in the inventory only when they may still be ours. */
export interface PruneResult {
  readonly ref: ObjectRef;
  readonly outcome: 'deleted' | 'pending' | 'gone' | 'kept';
  readonly message: string;
  /** Whether the inventory must keep listing it (deletion pending or failed). */
  readonly keepInInventory: boolean;
}

/** What prune needs besides the candidates. */
export interface PruneContext {
  readonly client: ClusterClient;
  readonly bundle: string;
  /** Another bundle on this cluster that wants the object now (moved between bundles): never delete it. */
  readonly desiredElsewhere: (identity: string) => string | undefined;
}

/**
 * Deletes objects that left the bundle (design.md §6): only while they still carry this bundle's
 * label, never with `flotilla.dev/prune: disabled`, never when another bundle now wants them, and
 * CRDs and Namespaces only when they opted in with `flotilla.dev/prune: enabled` (deleting either
 * deletes everything in it). The caller guarantees the Desired is valid and the inventory readable.
 */
export async function pruneObjects(ctx: PruneContext, candidates: readonly ObjectRef[]): Promise<PruneResult[]> {
  const results: PruneResult[] = [];
  for (const ref of candidates) {
    const kept = (message: string, keepInInventory = false): PruneResult => ({ ref, outcome: 'kept', message, keepInInventory });
    try {
      const live = await ctx.client.get(keyOfRef(ref));
      if (!live) {
        results.push({ ref, outcome: 'gone', message: 'already gone', keepInInventory: false });
        continue;
      }
      const owner = live.metadata.labels?.[BUNDLE_LABEL];
      const optIn = live.metadata.annotations?.[BUNDLE_ANNOTATION_PRUNE];
      const other = ctx.desiredElsewhere(identityOfRef(ref));
      if (owner !== ctx.bundle) results.push(kept(owner ? `now belongs to bundle ${owner}` : 'no longer labelled with this bundle'));
      else if (other) results.push(kept(`moved to bundle ${other}`));
      else if (optIn === 'disabled') results.push(kept('prune disabled by annotation'));
      else if ((isCrd(ref) || isNamespace(ref)) && optIn !== 'enabled') results.push(kept(`${ref.kind} is not pruned without ${BUNDLE_ANNOTATION_PRUNE}: enabled`));
      else {
        const outcome = await ctx.client.delete(keyOfRef(ref), { propagationPolicy: 'Background' });
        results.push({ ref, outcome: outcome === 'absent' ? 'gone' : outcome, message: '', keepInInventory: outcome === 'pending' });
      }
    } catch (err) {
      results.push(kept(`prune failed: ${(err as Error).message}`, true));
    }
  }
  return results;
}

/** Inventory entries not in the new set: the prune candidates. */
export function pruneCandidates(inventory: readonly ObjectRef[], desired: readonly ObjectRef[]): ObjectRef[] {
  const keep = new Set(desired.map(identityOfRef));
  return inventory.filter((ref) => !keep.has(identityOfRef(ref)));
}
