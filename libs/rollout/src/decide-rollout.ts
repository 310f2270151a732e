import {
  TERMINAL_PHASES,
  type ClusterProgress,
  type ClusterView,
  type RolloutAction,
  type RolloutDecision,
  type RolloutPlan,
  type RolloutState,
} from './rollout.types.js';
import { concurrencyOf, failureBudgetOf, waveOf } from './wave-arithmetic.js';

/** The state of a new rollout: exactly the clusters whose target differs from their desired state take part. */
export function startRollout(plan: RolloutPlan, bundle: string, revision: string, views: readonly ClusterView[], now = Date.now()): RolloutState {
  const clusters: Record<string, ClusterProgress> = {};
  for (const view of views) if (takesPart(view)) clusters[view.id] = pendingOf(plan, view, now);
  return { bundle, revision, phase: 'Progressing', wave: 0, clusters, reason: null, startedAt: now };
}

/**
 * Whether a cluster has a change to roll out: new content, or the bundle leaving it. A removal
 * already delivered, or a cluster a person suspended, takes no part.
 */
export function takesPart(view: ClusterView): boolean {
  if (view.suspended) return false;
  if (view.removed) return view.targetHash !== null;
  if (view.targetHash === null) return view.desiredHash !== null;
  return view.targetHash !== view.desiredHash || view.renderError !== null;
}

function pendingOf(plan: RolloutPlan, view: ClusterView, now: number): ClusterProgress {
  return {
    wave: waveOf(plan, view.labels),
    phase: 'Pending',
    since: now,
    // After a delivered removal the cluster holds nothing: a rollback removes again.
    previousHash: view.removed ? null : view.desiredHash,
    previousRevision: view.removed ? null : (view.desiredRevision ?? null),
    targetHash: view.targetHash,
  };
}

/** Records the generation the caller issued for an admission. */
export function recordAdmission(state: RolloutState, clusterId: string, generation: bigint, now: number): void {
  const progress = state.clusters[clusterId];
  if (!progress) return;
  progress.phase = 'Admitted';
  progress.since = now;
  progress.generation = generation.toString();
  progress.admittedAt = now;
  delete progress.healthySince;
}

/** Records the generation the caller issued for a rollback. */
export function recordRollback(state: RolloutState, clusterId: string, generation: bigint, now: number): void {
  const progress = state.clusters[clusterId];
  if (!progress) return;
  progress.phase = 'RollingBack';
  progress.since = now;
  progress.rollbackGeneration = generation.toString();
  progress.rollbackAt = now;
  delete progress.healthySince;
}

/**
 * One step of the rollout state machine (design.md §7). Pure: the same inputs give the same
 * decision, so every rule is tested as a table and the hub can re-run a step after a crash.
 *
 * - A cluster is done only when it reports *its admitted generation* Applied and Healthy, held
 *   for `bake`; statuses of any other generation never count.
 * - An admitted cluster fails when the deadline passes before it is seen Healthy at its generation
 *   (or later, once it turns unhealthy while baking), when it is terminally Degraded, when its apply
 *   failed, or when its target could not be rendered.
 * - Disconnected clusters are not admitted; admitted ones fail only at their deadline.
 * - More failures than `maxFailures` roll back every touched cluster (or pause, per `onFailure`).
 * - Clusters that join go to their wave (at once when that wave is finished); clusters that
 *   leave drop out of the accounting.
 *
 * @param approvedWaves names of waves a person approved (unexpired)
 */
export function decideRollout(
  plan: RolloutPlan,
  previous: RolloutState,
  views: readonly ClusterView[],
  approvedWaves: ReadonlySet<string>,
  now: number,
): RolloutDecision {
  const state: RolloutState = structuredClone(previous);
  const actions: RolloutAction[] = [];
  const events: string[] = [];
  const byId = new Map(views.map((view) => [view.id, view]));

  for (const id of Object.keys(state.clusters)) {
    const view = byId.get(id);
    // A suspended cluster is in a person's hands; it is not rolled back either.
    if (!view || (view.suspended && state.clusters[id]!.phase !== 'RollingBack')) {
      delete state.clusters[id];
      events.push(view ? `cluster ${id} is suspended: it left the rollout` : `cluster ${id} left the rollout`);
    }
  }
  if (TERMINAL_PHASES.has(state.phase) && state.phase !== 'Succeeded') return { state, actions, events };

  for (const view of views) {
    const known = state.clusters[view.id];
    if (!known && takesPart(view)) {
      state.clusters[view.id] = pendingOf(plan, view, now);
      events.push(`cluster ${view.id} joined wave ${plan.waves[state.clusters[view.id]!.wave]!.name}`);
    } else if (known && known.targetHash !== view.targetHash && !view.removed && (known.phase === 'Pending' || known.phase === 'Done') && takesPart(view)) {
      // Its target moved under the same content digest (labels changed, or it stopped being targeted).
      state.clusters[view.id] = pendingOf(plan, view, now);
      events.push(`cluster ${view.id} has a new target: back to wave ${plan.waves[state.clusters[view.id]!.wave]!.name}`);
    }
  }

  observe(plan, state, byId, now, events);

  if (state.phase === 'RollingBack') {
    const rolling = Object.values(state.clusters).filter((c) => c.phase === 'RollingBack');
    if (rolling.length === 0) {
      const failed = Object.entries(state.clusters).filter(([, c]) => c.phase === 'RollbackFailed');
      state.phase = failed.length > 0 ? 'Failed' : 'RolledBack';
      state.reason = failed.length > 0 ? `rollback failed on ${failed.map(([id]) => id).join(', ')}: ${state.reason ?? ''}`.trim() : state.reason;
      events.push(failed.length > 0 ? `ROLLBACK FAILED on ${failed.length} cluster(s): the rollout is terminally Failed` : 'rolled back');
    }
    return { state, actions, events };
  }
  if (state.phase === 'Paused' || state.phase === 'Aborted') return { state, actions, events };

  const participants = Object.keys(state.clusters).length;
  const failed = Object.entries(state.clusters).filter(([, c]) => c.phase === 'Failed');
  if (state.phase !== 'Succeeded' && failed.length > failureBudgetOf(plan.maxFailures, participants)) {
    state.reason = `${failed.length} cluster(s) failed (budget ${failureBudgetOf(plan.maxFailures, participants)}): ${failed.map(([id, c]) => `${id}: ${c.failure}`).join('; ')}`;
    if (plan.onFailure === 'pause') {
      state.phase = 'Paused';
      events.push(`paused: ${state.reason}`);
      return { state, actions, events };
    }
    events.push(`rolling back: ${state.reason}`);
    actions.push(...beginRollback(state, now));
    return { state, actions, events };
  }

  admit(plan, state, byId, approvedWaves, actions, events);
  return { state, actions, events };
}

function observe(plan: RolloutPlan, state: RolloutState, views: Map<string, ClusterView>, now: number, events: string[]): void {
  for (const [id, progress] of Object.entries(state.clusters)) {
    const view = views.get(id)!;
    if (progress.phase === 'Admitted') {
      const generation = BigInt(progress.generation!);
      const report = view.report?.generation === generation ? view.report : null;
      const fail = (why: string) => {
        progress.phase = 'Failed';
        progress.since = now;
        progress.failure = why;
        events.push(`cluster ${id} failed: ${why}`);
      };
      if (view.renderError && progress.targetHash !== null) fail(`render error: ${view.renderError}`);
      else if (report?.phase === 'FAILED') fail(`apply failed: ${report.reason}`);
      else if (progress.targetHash === null) {
        // A removal is done once the agent says the bundle is gone; there is no health to bake.
        if (report?.phase === 'REMOVED') {
          progress.phase = 'Done';
          progress.since = now;
          events.push(`cluster ${id} done (removed)`);
        }
      } else if (report?.health === 'DEGRADED' && report.terminal) fail(`terminally degraded: ${report.reason}`);
      else if (report?.phase === 'APPLIED' && report.health === 'HEALTHY') {
        progress.healthySince ??= now;
        if (now - progress.healthySince >= plan.bakeMs) {
          progress.phase = 'Done';
          progress.since = now;
          events.push(`cluster ${id} done`);
        }
      } else {
        delete progress.healthySince;
      }
      // The deadline is for becoming Healthy at the generation; a cluster seen Healthy bakes to the end
      // (a hub that was down past the deadline must not fail clusters that became healthy meanwhile).
      if (progress.phase === 'Admitted' && progress.healthySince === undefined && now - progress.admittedAt! > plan.progressDeadlineMs) {
        fail(`not done within the progress deadline of ${plan.progressDeadlineMs / 1000} s`);
      }
    } else if (progress.phase === 'RollingBack') {
      const report = view.report?.generation === BigInt(progress.rollbackGeneration ?? -1) ? view.report : null;
      if (progress.previousHash === null ? report?.phase === 'REMOVED' : report?.phase === 'APPLIED' && report.health === 'HEALTHY') {
        progress.phase = 'RolledBack';
        progress.since = now;
      } else if (now - (progress.rollbackAt ?? now) > plan.progressDeadlineMs) {
        progress.phase = 'RollbackFailed';
        progress.since = now;
        events.push(`cluster ${id}: the rollback did not complete within the progress deadline`);
      }
    }
  }
}

function admit(
  plan: RolloutPlan,
  state: RolloutState,
  views: Map<string, ClusterView>,
  approvedWaves: ReadonlySet<string>,
  actions: RolloutAction[],
  events: string[],
): void {
  const entries = Object.entries(state.clusters);
  const admitNow = (id: string, progress: ClusterProgress) => {
    if (!views.get(id)!.connected) return false;
    actions.push({ kind: 'admit', clusterId: id, hash: progress.targetHash });
    return true;
  };
  // Clusters that joined a wave already finished are admitted at once.
  for (const [id, progress] of entries) if (progress.phase === 'Pending' && progress.wave < state.wave) admitNow(id, progress);

  while (state.wave < plan.waves.length) {
    const wave = plan.waves[state.wave]!;
    const members = entries.filter(([, progress]) => progress.wave === state.wave);
    if (members.every(([, progress]) => progress.phase === 'Done' || progress.phase === 'Failed')) {
      if (members.length > 0) events.push(`wave ${wave.name} complete`);
      state.wave += 1;
      continue;
    }
    const started = members.some(([, progress]) => progress.phase !== 'Pending');
    if (wave.approval && !started && !approvedWaves.has(wave.name)) {
      if (state.phase !== 'WaitingForApproval') events.push(`wave ${wave.name} waits for approval`);
      state.phase = 'WaitingForApproval';
      return;
    }
    state.phase = 'Progressing';
    let free = concurrencyOf(wave.maxConcurrent, members.length) - members.filter(([, progress]) => progress.phase === 'Admitted').length;
    for (const [id, progress] of members) {
      if (free <= 0) break;
      if (progress.phase === 'Pending' && admitNow(id, progress)) free -= 1;
    }
    return;
  }
  if (state.phase !== 'Succeeded') events.push('rollout succeeded');
  state.phase = 'Succeeded';
}

/**
 * Starts rolling back: every touched cluster (admitted, done or failed) gets its previous hash
 * again, at once. Idempotent by construction: a state that already rolled back returns nothing.
 */
export function beginRollback(state: RolloutState, now: number): RolloutAction[] {
  if (state.rolledBackAt !== undefined) return [];
  state.phase = 'RollingBack';
  state.rolledBackAt = now;
  const actions: RolloutAction[] = [];
  for (const [id, progress] of Object.entries(state.clusters)) {
    if (progress.phase === 'Admitted' || progress.phase === 'Done' || progress.phase === 'Failed') {
      actions.push({ kind: 'rollback', clusterId: id, hash: progress.previousHash, revision: progress.previousRevision ?? null });
    }
  }
  return actions;
}
