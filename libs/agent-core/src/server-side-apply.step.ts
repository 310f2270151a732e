import type { ClusterClient, KubeObject } from '@flotilla/cluster-client';
import { statusCodeOf } from '@flotilla/cluster-client';
import { BUNDLE_LABEL, matchesObjectTarget, type ApplyPolicy } from '@flotilla/manifest';
import { conflictingManagers, mayForce } from './apply-conflict.util.js';
import { ownsPointer } from './field-drift.util.js';
import { identityOfRef, keyOfRef, refOf } from './object-ref.util.js';
import type { ResourceReport } from './reconciler.types.js';

/** What applying one object did; `outcome` says why a skipped object was skipped. */
export interface ApplyResult {
  readonly object: KubeObject;
  readonly change: ResourceReport['change'];
  readonly message: string;
  /** applied | conflict (another manager, not forced) | owned (another bundle) | unadopted | error */
  readonly outcome: 'applied' | 'conflict' | 'owned' | 'unadopted' | 'error';
  readonly live?: KubeObject;
}

/** What one apply needs to know besides the object. */
export interface ApplyContext {
  readonly client: ClusterClient;
  readonly bundle: string;
  readonly policy: Pick<ApplyPolicy, 'adopt' | 'takeover' | 'forceConflicts'> & Partial<Pick<ApplyPolicy, 'ignore'>>;
  readonly fieldManager: string;
  /** Identities in this bundle's inventory: objects it already manages. */
  readonly inventory: ReadonlySet<string>;
  /** Whether another bundle's current Desired on this cluster holds the object (it is not ours to take). */
  readonly desiredElsewhere: (identity: string) => string | undefined;
}

/**
 * Why an existing object is not this bundle's to apply (design.md §6), or undefined when it is: it
 * is in the inventory, carries this bundle's label, carries the label of a bundle that no longer
 * wants it (moved between bundles), or is unowned and the policy says `adopt`.
 */
export function ownershipRefusal(ctx: ApplyContext, object: KubeObject, live: KubeObject | undefined): ApplyResult | undefined {
  if (!live || ctx.inventory.has(identityOfRef(refOf(object)))) return undefined;
  const owner = live.metadata.labels?.[BUNDLE_LABEL];
  if (owner && owner !== ctx.bundle && ctx.desiredElsewhere(identityOfRef(refOf(object))) !== undefined) {
    return { object, change: 'skipped', message: `owned by bundle ${owner}`, outcome: 'owned', live };
  }
  if (!owner && !ctx.policy.adopt) {
    return { object, change: 'skipped', message: 'exists and no bundle manages it; set apply.adopt to take it over', outcome: 'unadopted', live };
  }
  return undefined;
}

/**
 * Server-side apply of one object with field manager `flotilla` (design.md §6). Existing objects are
 * taken only when this bundle already manages them, when they carry the label of a bundle that no
 * longer wants them (an object moved between bundles), or with `adopt`. A conflict is forced only
 * when every conflicting manager is on the takeover list, or with `forceConflicts`.
 */
export async function applyObject(ctx: ApplyContext, object: KubeObject, known?: { live: KubeObject | undefined }): Promise<ApplyResult> {
  let live: KubeObject | undefined;
  if (known) live = known.live;
  else {
    try {
      live = await ctx.client.get(keyOfRef(refOf(object)));
    } catch (err) {
      return { object, change: 'skipped', message: (err as Error).message, outcome: 'error' };
    }
  }
  const refusal = ownershipRefusal(ctx, object, live);
  if (refusal) return refusal;
  const config = live ? withoutForeignIgnored(object, live, ctx) : object;
  const apply = (force: boolean): Promise<KubeObject> => ctx.client.apply(config, { fieldManager: ctx.fieldManager, force });
  let result: KubeObject;
  try {
    result = await apply(ctx.policy.forceConflicts);
  } catch (err) {
    if (statusCodeOf(err) !== 409) return { object, change: 'skipped', message: (err as Error).message, outcome: 'error', live };
    const managers = conflictingManagers((err as Error).message);
    if (!mayForce(managers, ctx.policy.takeover, ctx.policy.forceConflicts)) {
      return { object, change: 'skipped', message: `not forced: ${(err as Error).message}`, outcome: 'conflict', live };
    }
    try {
      result = await apply(true);
    } catch (forced) {
      return { object, change: 'skipped', message: (forced as Error).message, outcome: 'error', live };
    }
  }
  const change = !live ? 'created' : live.metadata.resourceVersion === result.metadata.resourceVersion ? 'unchanged' : 'configured';
  return { object, change, message: '', outcome: 'applied', live: result };
}

/**
 * The object without the ignored paths someone else now owns (an HPA's replicas, a `kubectl scale`):
 * ignored fields are never drift, so applying must not take them back either. Paths we still own
 * stay, so leaving them out never deletes a field.
 */
function withoutForeignIgnored(object: KubeObject, live: KubeObject, ctx: ApplyContext): KubeObject {
  const paths = (ctx.policy.ignore ?? []).filter((rule) => matchesObjectTarget(object, rule.target)).flatMap((rule) => rule.paths);
  let copy: KubeObject | undefined;
  for (const pointer of paths) {
    const segments = pointer.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    if (segments.length === 0 || ownsPointer(live.metadata.managedFields ?? [], segments, ctx.fieldManager) !== false) continue;
    copy ??= structuredClone(object);
    let node: unknown = copy;
    for (const segment of segments.slice(0, -1)) node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[segment] : undefined;
    if (typeof node === 'object' && node !== null && !Array.isArray(node)) delete (node as Record<string, unknown>)[segments.at(-1)!];
  }
  return copy ?? object;
}
