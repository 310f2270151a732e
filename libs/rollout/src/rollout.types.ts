import type { LabelSelector } from '@flotilla/render';

/** A bundle's rollout section with durations in milliseconds and counts still as written (n or "n%"). */
export interface RolloutPlan {
  readonly waves: readonly { readonly name: string; readonly selector?: LabelSelector; readonly maxConcurrent: number | string; readonly approval: boolean }[];
  readonly bakeMs: number;
  readonly progressDeadlineMs: number;
  readonly maxFailures: number | string;
  readonly onFailure: 'rollback' | 'pause';
}

/** What the agent last reported for a bundle on a cluster. */
export interface ReportedStatus {
  readonly generation: bigint;
  readonly phase: string;
  readonly health: string;
  readonly terminal: boolean;
  readonly reason: string;
}

/** One cluster of the bundle, as the hub sees it now. */
export interface ClusterView {
  readonly id: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly connected: boolean;
  /** What the current revision renders to for it (null: it leaves the bundle). */
  readonly targetHash: string | null;
  /** What is admitted for delivery now. */
  readonly desiredHash: string | null;
  /** The revision the admitted content came from (what a rollback restores with it). */
  readonly desiredRevision?: string | null;
  readonly report: ReportedStatus | null;
  /** The target could not be rendered for this cluster (a failure once admitted). */
  readonly renderError: string | null;
  /** A removal is in flight (for instance a rollback to nothing): it never joins a rollout. */
  readonly removed?: boolean;
  /** Suspended by a person (API or Git): it drops out of the rollout until resumed. */
  readonly suspended?: boolean;
}

export type ClusterPhase = 'Pending' | 'Admitted' | 'Done' | 'Failed' | 'RollingBack' | 'RolledBack' | 'RollbackFailed';

/** One cluster's progress in a rollout; plain JSON so the whole state persists as one document. */
export interface ClusterProgress {
  wave: number;
  phase: ClusterPhase;
  /** When it entered its phase (ms since the epoch). */
  since?: number;
  /** The desired hash before this rollout touched the cluster: what a rollback restores. */
  previousHash: string | null;
  /** The revision `previousHash` came from. */
  previousRevision?: string | null;
  /** The hash this rollout delivers; null: the bundle leaves the cluster (a removal). */
  targetHash: string | null;
  /** Set when the caller has admitted it (generation of that admission, as a decimal string). */
  generation?: string;
  admittedAt?: number;
  /** When it was first seen Applied and Healthy at its generation (bake counts from here). */
  healthySince?: number;
  failure?: string;
  rollbackGeneration?: string;
  rollbackAt?: number;
}

export type RolloutPhase = 'Progressing' | 'WaitingForApproval' | 'Paused' | 'RollingBack' | 'Succeeded' | 'RolledBack' | 'Failed' | 'Aborted' | 'Superseded';

/** The persisted state machine of one rollout. Every step returns a new one; nothing is implicit. */
export interface RolloutState {
  readonly bundle: string;
  readonly revision: string;
  phase: RolloutPhase;
  /** Index of the wave being rolled out. */
  wave: number;
  clusters: Record<string, ClusterProgress>;
  reason: string | null;
  /** When the rollout started (ms since the epoch); absent in states stored before it was kept. */
  startedAt?: number;
  /** Set once a rollback started, so a rollout never rolls back twice. */
  rolledBackAt?: number;
}

/**
 * What the caller must do; it then records the generation it issued with recordAdmission/recordRollback.
 * An admit with a null hash is a removal: the bundle leaves that cluster.
 */
export type RolloutAction =
  | { readonly kind: 'admit'; readonly clusterId: string; readonly hash: string | null }
  | { readonly kind: 'rollback'; readonly clusterId: string; readonly hash: string | null; readonly revision?: string | null };

export interface RolloutDecision {
  readonly state: RolloutState;
  readonly actions: RolloutAction[];
  /** Human-readable transitions, for the event timeline. */
  readonly events: string[];
}

export const TERMINAL_PHASES: ReadonlySet<RolloutPhase> = new Set(['Succeeded', 'RolledBack', 'Failed', 'Aborted', 'Superseded']);
