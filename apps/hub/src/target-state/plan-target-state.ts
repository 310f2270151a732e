/**
 * The pure core of target-state computation: given what each (bundle, cluster) renders to now and
 * what is stored, decide which rows change, which clusters get a new generation, which become
 * removal tombstones, and which removals must wait for a person (the safety valve, design.md §7).
 * For rollout bundles only the target moves (null when the bundle leaves a cluster); the rollout
 * engine admits the new content and the removals wave by wave.
 * No I/O here, so every rule is tested on its own (plan-target-state.spec.ts).
 */

/** What rendering one bundle for one targeted cluster produced. */
export type RenderOutcome = { readonly ok: true; readonly hash: string } | { readonly ok: false; readonly error: string };

/** A stored bundle_deployments row, as far as planning needs it. */
export interface StoredDeployment {
  readonly bundleId: string;
  readonly clusterId: string;
  readonly targetHash: string | null;
  readonly targetRevision: string | null;
  readonly desiredHash: string | null;
  readonly desiredRevision: string | null;
  readonly removal: 'delete' | 'orphan' | null;
  readonly reason: string | null;
}

/** A bundle in the scope of the plan. `revision` is that of its good state; `removed` when gone from Git. */
export interface PlannedBundle {
  readonly id: string;
  readonly name: string;
  readonly revision: string;
  readonly deletionPolicy: 'delete' | 'orphan';
  /** Removals of this bundle were approved for this plan (the valve does not hold them). */
  readonly removalApproved: boolean;
  /** 'rollout': only the target moves here; the rollout engine admits desired state wave by wave. */
  readonly admission: 'immediate' | 'rollout';
}

/** A row to write in full; `bumpGeneration` draws a new generation from the hub-wide sequence. */
export interface DeploymentWrite {
  readonly bundleId: string;
  readonly clusterId: string;
  readonly targetHash: string | null;
  readonly targetRevision: string | null;
  readonly desiredHash: string | null;
  readonly desiredRevision: string | null;
  readonly removal: 'delete' | 'orphan' | null;
  readonly reason: string | null;
  readonly bumpGeneration: boolean;
  /**
   * Only target and reason are written; desired state and removal stay as stored. The rollout
   * engine owns them for rollout bundles and may change them between this plan's read and write.
   */
  readonly targetOnly?: boolean;
}

export interface HeldRemoval {
  readonly bundleId: string;
  readonly bundleName: string;
  readonly removing: number;
  readonly of: number;
}

export interface TargetStatePlan {
  readonly writes: DeploymentWrite[];
  /** Rows to drop outright: they never delivered anything, so there is nothing to remove. */
  readonly deletes: { readonly bundleId: string; readonly clusterId: string }[];
  readonly heldRemovals: HeldRemoval[];
}

/**
 * @param outcomes per bundle id, per cluster id: the clusters the bundle targets now and what each renders to
 * @param stored the stored rows of the bundles in scope (for the clusters in scope)
 * @param activeCounts per bundle, its clusters with something delivered and not being removed, over
 *   the whole fleet — when `stored` covers only some clusters, the safety valve still needs the total
 */
export function planTargetState(
  bundles: readonly PlannedBundle[],
  outcomes: ReadonlyMap<string, ReadonlyMap<string, RenderOutcome>>,
  stored: readonly StoredDeployment[],
  activeCounts?: ReadonlyMap<string, number>,
): TargetStatePlan {
  const writes: DeploymentWrite[] = [];
  const deletes: { bundleId: string; clusterId: string }[] = [];
  const heldRemovals: HeldRemoval[] = [];
  const storedByBundle = new Map<string, Map<string, StoredDeployment>>();
  for (const row of stored) {
    let rows = storedByBundle.get(row.bundleId);
    if (!rows) storedByBundle.set(row.bundleId, (rows = new Map()));
    rows.set(row.clusterId, row);
  }

  for (const bundle of bundles) {
    const targeted = outcomes.get(bundle.id) ?? new Map<string, RenderOutcome>();
    const rows = storedByBundle.get(bundle.id) ?? new Map<string, StoredDeployment>();

    for (const [clusterId, outcome] of targeted) {
      const row = rows.get(clusterId);
      if (outcome.ok && bundle.admission === 'rollout') {
        if (row && row.targetHash === outcome.hash && row.reason === null) continue;
        writes.push({
          bundleId: bundle.id,
          clusterId,
          targetHash: outcome.hash,
          targetRevision: bundle.revision,
          desiredHash: row?.desiredHash ?? null,
          desiredRevision: row?.desiredRevision ?? null,
          removal: row?.removal ?? null,
          reason: null,
          bumpGeneration: false,
          targetOnly: true,
        });
      } else if (outcome.ok) {
        const changed = !row || row.desiredHash !== outcome.hash || row.removal !== null;
        if (!changed && row.targetHash === outcome.hash && row.reason === null) continue;
        writes.push({
          bundleId: bundle.id,
          clusterId,
          targetHash: outcome.hash,
          targetRevision: bundle.revision,
          // Admission "at once": desired follows target; the rollout engine will take this over.
          desiredHash: outcome.hash,
          desiredRevision: changed ? bundle.revision : row.desiredRevision,
          removal: null,
          reason: null,
          bumpGeneration: changed,
        });
      } else {
        // A render error never becomes an empty desired state: the last good state stays.
        if (row && row.reason === outcome.error) continue;
        writes.push({
          bundleId: bundle.id,
          clusterId,
          targetHash: row?.targetHash ?? null,
          targetRevision: row?.targetRevision ?? null,
          desiredHash: row?.desiredHash ?? null,
          desiredRevision: row?.desiredRevision ?? null,
          removal: row?.removal ?? null,
          reason: outcome.error,
          bumpGeneration: false,
          ...(bundle.admission === 'rollout' ? { targetOnly: true } : {}),
        });
      }
    }

    const leaving = [...rows.values()].filter((row) => !targeted.has(row.clusterId) && row.removal === null);
    const never = leaving.filter((row) => row.desiredHash === null);
    for (const row of never) deletes.push({ bundleId: bundle.id, clusterId: row.clusterId });
    const delivered = leaving.filter((row) => row.desiredHash !== null);
    if (delivered.length === 0) continue;
    const active = activeCounts?.get(bundle.id) ?? [...rows.values()].filter((row) => row.removal === null && row.desiredHash !== null).length;
    if (!bundle.removalApproved && delivered.length * 2 > active) {
      heldRemovals.push({ bundleId: bundle.id, bundleName: bundle.name, removing: delivered.length, of: active });
      continue;
    }
    for (const row of delivered) {
      if (bundle.admission === 'rollout') {
        // The rollout engine removes it wave by wave: only the target says it leaves.
        if (row.targetHash === null && row.reason === null) continue;
        writes.push({ ...row, bundleId: bundle.id, targetHash: null, targetRevision: bundle.revision, reason: null, bumpGeneration: false, targetOnly: true });
        continue;
      }
      writes.push({
        bundleId: bundle.id,
        clusterId: row.clusterId,
        targetHash: null,
        targetRevision: bundle.revision,
        desiredHash: row.desiredHash,
        desiredRevision: bundle.revision,
        removal: bundle.deletionPolicy,
        reason: null,
        bumpGeneration: true,
      });
    }
  }
  return { writes, deletes, heldRemovals };
}
