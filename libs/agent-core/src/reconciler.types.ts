import type { ApplyPolicy } from '@flotilla/manifest';
import type { KubeObject } from '@flotilla/cluster-client';
import type { ReconcileObserver } from './reconcile.observer.js';

/** The newest desired state of one bundle on this cluster, as the hub sent it (design.md §5 `Desired`). */
export interface DesiredBundle {
  bundle: string;
  generation: bigint;
  hash: string;
  revision: string;
  manifests: KubeObject[];
  policy: ApplyPolicy;
  dependsOn: string[];
  suspend: boolean;
  /** The bundle's default namespace (flotilla.yaml `namespace`) for namespaced kinds the hub could not know; `default` when unset. */
  namespace?: string;
}

/** The hub's order to take a bundle off this cluster (design.md §5 `Remove`). */
export interface RemovedBundle {
  bundle: string;
  generation: bigint;
  deletionPolicy: 'delete' | 'orphan';
}

/** Where a bundle's reconcile stands; `Applied` means every object was applied (health is separate). */
export type Phase = 'Waiting' | 'Applying' | 'Applied' | 'Failed' | 'Removing' | 'Removed' | 'Suspended';

/** kstatus-like health of a resource or a bundle (design.md §6). */
export type Health = 'Healthy' | 'Progressing' | 'Degraded' | 'Unknown';

/** One resource of a bundle in a report: what the last apply did to it, its health, and its drift. */
export interface ResourceReport {
  group: string;
  version: string;
  kind: string;
  namespace: string;
  name: string;
  change: 'created' | 'configured' | 'unchanged' | 'deleted' | 'skipped';
  health: Health;
  message: string;
  drift: FieldDrift[];
}

/** One drifted field: its path in the object, live and desired values as JSON (Secret values redacted), and who changed it. */
export interface FieldDrift {
  path: string;
  liveJson: string;
  desiredJson: string;
  manager: string;
}

/** The status of one bundle at one moment; never carries a Secret value. `terminal` means retrying alone will not fix it. */
export interface BundleReport {
  bundle: string;
  generation: bigint;
  phase: Phase;
  health: Health;
  terminal: boolean;
  drift: { driftedFields: number; fighting: boolean };
  resources: ResourceReport[];
  reason: string;
  observedAt: Date;
}

/** What the agent connection hands bundles to; every method is safe to call at any time, before `start` too. */
export interface Reconciler {
  /** Newest wins per bundle (by generation); may be called at any time. */
  desired(bundle: DesiredBundle): void;
  remove(bundle: RemovedBundle): void;
  /** A full reconcile (apply, prune, drift) of one bundle, or of all when omitted. */
  syncNow(bundle?: string): void;
  /** Returns the function that unsubscribes. */
  onReport(listener: (report: BundleReport) => void): () => void;
  /** Resumes whatever desired()/remove() were given before start. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Tuning of a BundleReconciler; defaults suit a real cluster, tests shorten the intervals. */
export interface BundleReconcilerOptions {
  /** Namespace of the inventory ConfigMaps (created when missing). */
  readonly agentNamespace?: string;
  readonly fieldManager?: string;
  /** How often health is re-read while a bundle is Progressing. */
  readonly healthPollMs?: number;
  /** Full drift check of every bundle, besides the watch on owned objects. */
  readonly driftIntervalMs?: number;
  /** Delay between a watch event and the drift check it triggers (coalesces bursts). */
  readonly driftDebounceMs?: number;
  /** How long to wait for a CRD of the bundle to be Established. */
  readonly crdEstablishTimeoutMs?: number;
  /** A resource Progressing longer than this is reported Degraded (transient). */
  readonly progressDeadlineMs?: number;
  /** Retry delay after a failed reconcile; doubles up to `maxRetryMs`. */
  readonly retryMs?: number;
  readonly maxRetryMs?: number;
  /** Corrections of one field within `fightWindowMs` from which it counts as a fight and correction backs off. */
  readonly fightThreshold?: number;
  readonly fightWindowMs?: number;
  readonly clock?: () => number;
  /** Requests one bundle's apply and drift steps keep in flight at once (reads and applies of independent objects). */
  readonly concurrency?: number;
  /** Told of every finished reconcile and drift correction (the agent's metrics). */
  readonly observer?: ReconcileObserver;
}

/** Options with every default filled in. */
export type ResolvedReconcilerOptions = Required<BundleReconcilerOptions>;

export const DEFAULT_RECONCILER_OPTIONS: ResolvedReconcilerOptions = {
  agentNamespace: 'flotilla-system',
  fieldManager: 'flotilla',
  healthPollMs: 2_000,
  driftIntervalMs: 5 * 60_000,
  driftDebounceMs: 100,
  crdEstablishTimeoutMs: 60_000,
  progressDeadlineMs: 10 * 60_000,
  retryMs: 1_000,
  maxRetryMs: 60_000,
  fightThreshold: 3,
  fightWindowMs: 60_000,
  clock: () => Date.now(),
  concurrency: 8,
  observer: {},
};
