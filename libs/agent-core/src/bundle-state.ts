import type { KubeObject } from '@flotilla/cluster-client';
import type { BundleReport, DesiredBundle, RemovedBundle, ResourceReport } from './reconciler.types.js';

/** What needs doing for a bundle; several may be pending at once, the worker takes the weightiest first. */
export interface PendingWork {
  full: boolean;
  drift: boolean;
  health: boolean;
}

/**
 * Everything the reconciler holds about one bundle on this cluster. Only the bundle's worker
 * mutates it (one reconcile at a time per bundle); `desired`/`removal` may be replaced any time.
 */
export class BundleState {
  desired: DesiredBundle | undefined;
  removal: RemovedBundle | undefined;
  /** The Desired the objects below were prepared from (what is applied), and its generation. */
  applied: DesiredBundle | undefined;
  objects: KubeObject[] = [];
  resources = new Map<string, ResourceReport>();
  phase: BundleReport['phase'] = 'Waiting';
  reason = '';
  terminal = false;
  fighting = false;
  report: BundleReport | undefined;
  lastSignature = '';
  readonly pending: PendingWork = { full: false, drift: false, health: false };
  /** Which objects (identities) the pending drift and health checks are about; 'all' after a full or periodic trigger. */
  readonly targets: { drift: Set<string> | 'all'; health: Set<string> | 'all' } = { drift: new Set(), health: new Set() };
  running: Promise<void> | undefined;
  retryMs = 0;
  retryTimer: NodeJS.Timeout | undefined;
  healthTimer: NodeJS.Timeout | undefined;
  driftTimer: NodeJS.Timeout | undefined;
  readonly progressingSince = new Map<string, number>();
  /** What the last apply, prune or drift check had to say about a resource, shown before its health message. */
  readonly notes = new Map<string, string>();
  /** Resources in a fight over a field, and resources terminally Degraded: what `fighting` and `terminal` summarise. */
  readonly fightingIds = new Set<string>();
  readonly terminalIds = new Set<string>();
  /** Jobs seen complete: once their TTL deletes them, their absence is neither drift nor ill health. */
  readonly finishedJobs = new Set<string>();
  /** Objects of the Desired that are not ours (another bundle's, or unowned without adopt): never corrected. */
  readonly notOurs = new Set<string>();
  /** Objects the last full reconcile did not apply (conflict, error; all of them in report mode): the drift check after it looks at these. */
  unsettled = new Set<string>();

  constructor(readonly bundle: string) {}

  /**
   * The generation reports carry: that of the Desired or Remove the phase describes, set when a
   * reconcile of it begins — never merely received, so a status is never mistaken for a newer one.
   */
  generation = 0n;

  clearTimers(): void {
    for (const t of [this.retryTimer, this.healthTimer, this.driftTimer]) if (t) clearTimeout(t);
    this.retryTimer = this.healthTimer = this.driftTimer = undefined;
  }
}
