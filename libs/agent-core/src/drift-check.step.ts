import type { KubeObject } from '@flotilla/cluster-client';
import type { ApplyPolicy } from '@flotilla/manifest';
import type { CorrectionBackoff } from './correction-backoff.js';
import { declaredDrift, withoutIgnored } from './field-drift.util.js';
import { describeRef, identityOfRef, keyOfRef, refOf } from './object-ref.util.js';
import type { FieldDrift } from './reconciler.types.js';
import { applyObject, type ApplyContext, type ApplyResult } from './server-side-apply.step.js';

/** The drift of one object and what was done about it. */
export interface DriftResult {
  readonly object: KubeObject;
  readonly drift: FieldDrift[];
  /** The correcting apply, when one ran (correct mode). */
  readonly correction?: ApplyResult;
  readonly fighting: boolean;
  readonly message: string;
  /** The live object after the check (after a correction when one ran). */
  readonly live?: KubeObject;
}

/** What a drift check needs besides the apply context. */
export interface DriftContext extends ApplyContext {
  readonly policy: ApplyPolicy;
  readonly backoff: CorrectionBackoff;
  /** The object is a Job seen complete: its deletion (by TTL) is not drift (design.md §6). */
  readonly finishedJob?: boolean;
}

/** The drift entry of an object someone deleted: deleting a managed object is drift (design.md §6). */
export const DELETED_PATH = '/';

/**
 * Drift of one object (design.md §6): a forced server-side dry-run apply shows what the object
 * would be; its declared fields are compared with the live object (ignore paths dropped). In
 * `correct` mode drift is taken back by applying again — conflicts forced for takeover managers
 * only — unless the field is being fought over and correction is backing off.
 */
export async function checkDrift(ctx: DriftContext, object: KubeObject): Promise<DriftResult> {
  const ref = refOf(object);
  const live = await ctx.client.get(keyOfRef(ref));
  let drift: FieldDrift[];
  if (!live && ctx.finishedJob) return { object, drift: [], fighting: false, message: '' };
  if (!live) {
    drift = [{ path: DELETED_PATH, liveJson: 'null', desiredJson: '"(object)"', manager: '' }];
  } else {
    const preview = await ctx.client.apply(object, { fieldManager: ctx.fieldManager, force: true, dryRun: true });
    drift = withoutIgnored(object, declaredDrift(object, preview, live, ctx.fieldManager), ctx.policy);
  }
  const keyOf = (d: FieldDrift): string => `${identityOfRef(ref)}#${d.path}`;
  ctx.backoff.forgetUnless(new Set(drift.map(keyOf)), `${identityOfRef(ref)}#`);
  if (drift.length === 0 || ctx.policy.drift !== 'correct') {
    return { object, drift, fighting: drift.some((d) => ctx.backoff.fighting(keyOf(d))), message: '', live };
  }
  if (!drift.every((d) => ctx.backoff.mayCorrect(keyOf(d)))) {
    return { object, drift, fighting: true, message: `${describeRef(ref)} keeps being changed back; correction is backing off`, live };
  }
  const correction = await applyObject({ ...ctx, inventory: new Set([identityOfRef(ref)]) }, object);
  if (correction.outcome === 'applied') drift.forEach((d) => ctx.backoff.recordCorrection(keyOf(d)));
  return {
    object,
    drift,
    correction,
    fighting: drift.some((d) => ctx.backoff.fighting(keyOf(d))),
    message: correction.outcome === 'applied' ? 'drift corrected' : correction.message,
    live: correction.live ?? live,
  };
}
