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
export function startRollout(plan: RolloutPlan, bundle: string, revision: string, views: readonly ClusterView[]): RolloutState {
  const clusters: Record<string, ClusterProgress> = {};
  for (const view of views) {
    if (view.removed || (view.targetHash === view.desiredHash && !view.renderError)) continue;
    clusters[view.id] = { wave: waveOf(plan, view.labels), phase: 'Pending', previousHash: view.desiredHash, targetHash: view.targetHash };
  }
  return { bundle, revision, phase: 'Progressing', wave: 0, clusters, reason: null };
}

/** Records the generation the caller issued for an admission. */
export function recordAdmission(state: RolloutState, clusterId: string, generation: bigint, now: number): void {
  const progress = state.clusters[clusterId];
  if (!progress) return;
  progress.phase = 'Admitted';
  progress.generation = generation.toString();
  progress.admittedAt = now;
  delete progress.healthySince;
}

/** Records the generation the caller issued for a rollback. */
export function recordRollback(state: RolloutState, clusterId: string, generation: bigint, now: number): void {
  const progress = state.clusters[clusterId];
  if (!progress) return;
  progress.phase = 'RollingBack';
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
 * - An admitted cluster fails when the deadline passes, when it is terminally Degraded, when its
 *   apply failed, or when its target could not be rendered.
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
    if (!byId.has(id)) {
      delete state.clusters[id];
      events.push(`cluster ${id} left the rollout`);
    }
  }
  if (TERMINAL_PHASES.has(state.phase) && state.phase !== 'Succeeded') return { state, actions, events };

  for (const view of views) {
    const known = state.clusters[view.id];
    if (!known && !view.removed && (view.targetHash !== view.desiredHash || view.renderError)) {
      state.clusters[view.id] = { wave: waveOf(plan, view.labels), phase: 'Pending', previousHash: view.desiredHash, targetHash: view.targetHash };
      events.push(`cluster ${view.id} joined wave ${plan.waves[waveOf(plan, view.labels)]!.name}`);
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
    state.phase = 'RollingBack';
    events.push(`rolling back: ${state.reason}`);
    for (const [id, progress] of Object.entries(state.clusters)) {
      if (progress.phase === 'Admitted' || progress.phase === 'Done' || progress.phase === 'Failed') actions.push({ kind: 'rollback', clusterId: id, hash: progress.previousHash });
    }
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
        progress.failure = why;
        events.push(`cluster ${id} failed: ${why}`);
      };
      if (view.renderError) fail(`render error: ${view.renderError}`);
      else if (report?.phase === 'FAILED') fail(`apply failed: ${report.reason}`);
      else if (report?.health === 'DEGRADED' && report.terminal) fail(`terminally degraded: ${report.reason}`);
      else if (report?.phase === 'APPLIED' && report.health === 'HEALTHY') {
        progress.healthySince ??= now;
        if (now - progress.healthySince >= plan.bakeMs) {
          progress.phase = 'Done';
          events.push(`cluster ${id} done`);
        }
      } else {
        delete progress.healthySince;
      }
      if (progress.phase === 'Admitted' && now - progress.admittedAt! > plan.progressDeadlineMs) fail(`not done within the progress deadline of ${plan.progressDeadlineMs / 1000} s`);
    } else if (progress.phase === 'RollingBack') {
      const report = view.report?.generation === BigInt(progress.rollbackGeneration ?? -1) ? view.report : null;
      if (progress.previousHash === null ? report?.phase === 'REMOVED' : report?.phase === 'APPLIED' && report.health === 'HEALTHY') {
        progress.phase = 'RolledBack';
      } else if (now - (progress.rollbackAt ?? now) > plan.progressDeadlineMs) {
        progress.phase = 'RollbackFailed';
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
    if (!views.get(id)!.connected || progress.targetHash === null) return false;
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
