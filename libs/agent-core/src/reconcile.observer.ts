import type { BundleReport } from './reconciler.types.js';

/** Which kind of pass a reconcile was: a full apply/prune pipeline, or a drift check (with correction). */
export type ReconcileKind = 'full' | 'drift';

/** One finished reconcile pass of one bundle; `succeeded` is false when it failed or will be retried. */
export interface ReconcileEvent {
  readonly bundle: string;
  readonly kind: ReconcileKind;
  readonly succeeded: boolean;
  readonly durationMs: number;
  /** The bundle's report after the pass (unchanged reports are not re-published, but are still given here). */
  readonly report: BundleReport;
}

/**
 * Hooks on what the reconciler does, so a host can count it (the agent turns them into
 * metrics) without the core knowing how. Every hook is optional and is called synchronously;
 * a hook that throws is ignored — observing must never break reconciling.
 */
export interface ReconcileObserver {
  reconciled?(event: ReconcileEvent): void;
  /** A correcting apply took back `fields` drifted fields of one object (`resource` as `Kind namespace/name`). */
  driftCorrected?(bundle: string, resource: string, fields: number): void;
}

/** Calls a hook, swallowing what it throws (see ReconcileObserver). */
export function notify<K extends keyof ReconcileObserver>(observer: ReconcileObserver, hook: K, ...args: Parameters<NonNullable<ReconcileObserver[K]>>): void {
  try {
    (observer[hook] as ((...a: typeof args) => void) | undefined)?.(...args);
  } catch {
    // An observer's failure is its own; the reconcile goes on.
  }
}
