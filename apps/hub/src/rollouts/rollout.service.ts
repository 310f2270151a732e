import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { parseDuration } from '@flotilla/render';
import { decideRollout, recordAdmission, recordRollback, startRollout, TERMINAL_PHASES, type RolloutPlan, type RolloutState } from '@flotilla/rollout';
import { DataSource } from 'typeorm';
import { DesiredStateEvents } from '../target-state/desired-state-events.js';
import { RolloutRepository, type RolloutBundle, type RolloutRecord } from './rollout.repository.js';

const TICK_MS = 250;

/** The rollout section of a stored spec, as the engine takes it. */
export function planOf(rollout: Record<string, unknown>): RolloutPlan {
  const spec = rollout as {
    waves: RolloutPlan['waves'];
    bake: string;
    progressDeadline: string;
    maxFailures: number | string;
    onFailure: 'rollback' | 'pause';
  };
  return {
    waves: spec.waves,
    bakeMs: parseDuration(spec.bake) ?? 0,
    progressDeadlineMs: parseDuration(spec.progressDeadline) ?? 600_000,
    maxFailures: spec.maxFailures,
    onFailure: spec.onFailure,
  };
}

/**
 * Runs the rollout engine (@flotilla/rollout) for every bundle with a rollout section: starts a
 * rollout when targets move, supersedes it when the bundle changes again, and carries out each
 * decision — new generations for admitted or rolled-back clusters — in the same transaction that
 * persists the state, so a hub killed at any instant resumes without skipping or repeating a step.
 */
@Injectable()
export class RolloutService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RolloutService.name);
  private timer?: NodeJS.Timeout;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly rollouts: RolloutRepository,
    private readonly dataSource: DataSource,
    private readonly desiredEvents: DesiredStateEvents,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), TICK_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass over every bundle with a rollout; never overlaps itself. */
  tick(): Promise<void> {
    this.running = this.running
      .then(async () => {
        if (this.stopped) return;
        for (const bundle of await this.rollouts.bundlesWithRollouts()) await this.step(bundle);
      })
      .catch((error: Error) => this.logger.error(`rollout step failed: ${error.stack ?? error.message}`));
    return this.running;
  }

  /** Starts a new rollout of the bundle's current content even after a failed one (the explicit retry). */
  async retry(bundle: RolloutBundle): Promise<void> {
    await this.running;
    await this.dataSource.transaction(async (manager) => {
      const active = await this.rollouts.active(bundle.id);
      if (active) throw new Error(`a rollout of ${bundle.name} is already running (${active.phase})`);
      const state = startRollout(planOf(bundle.rollout), bundle.name, bundle.revision, await this.rollouts.views(bundle.id));
      await this.rollouts.insert(manager, bundle.id, bundle.revision, bundle.digest, state);
    });
    await this.tick();
  }

  /** Pause, resume or abort, by a person. */
  async control(rolloutId: string, change: 'pause' | 'resume' | 'abort'): Promise<RolloutRecord> {
    await this.running;
    const record = await this.rollouts.get(rolloutId);
    if (!record) throw new Error(`no rollout has id ${rolloutId}`);
    const state = structuredClone(record.state);
    if (TERMINAL_PHASES.has(state.phase)) throw new Error(`rollout ${rolloutId} is ${state.phase}: it can no longer be changed`);
    if (change === 'pause') state.phase = 'Paused';
    else if (change === 'abort') state.phase = 'Aborted';
    else if (state.phase === 'Paused') state.phase = 'Progressing';
    state.reason = change === 'resume' ? null : `${change}d by a person`;
    await this.dataSource.transaction((manager) => this.rollouts.save(manager, rolloutId, state));
    return (await this.rollouts.get(rolloutId))!;
  }

  private async step(bundle: RolloutBundle): Promise<void> {
    const plan = planOf(bundle.rollout);
    const views = await this.rollouts.views(bundle.id);
    let active = await this.rollouts.active(bundle.id);
    const touched = new Set<string>();
    await this.dataSource.transaction(async (manager) => {
      if (active && active.digest !== bundle.digest) {
        const superseded: RolloutState = { ...active.state, phase: 'Superseded', reason: `superseded by revision ${bundle.revision.slice(0, 12)}` };
        await this.rollouts.save(manager, active.id, superseded);
        this.logger.log(`rollout ${active.id} of ${bundle.name} superseded by ${bundle.revision.slice(0, 12)}`);
        active = undefined;
      }
      let id = active?.id;
      let state = active?.state;
      if (!state) {
        const waiting = views.some((view) => view.targetHash !== view.desiredHash && view.targetHash !== null);
        if (!waiting) return;
        const latest = await this.rollouts.latest(bundle.id);
        // A failed or rolled-back revision pins the bundle until a newer commit or an explicit retry.
        if (latest && latest.digest === bundle.digest && (latest.phase === 'RolledBack' || latest.phase === 'Failed' || latest.phase === 'Aborted')) return;
        if (latest && latest.digest === bundle.digest && latest.phase === 'Succeeded') {
          state = latest.state;
          id = latest.id;
        } else {
          state = startRollout(plan, bundle.name, bundle.revision, views);
          id = await this.rollouts.insert(manager, bundle.id, bundle.revision, bundle.digest, state);
          this.logger.log(`rollout ${id} of ${bundle.name} started at ${bundle.revision.slice(0, 12)} over ${Object.keys(state.clusters).length} clusters`);
        }
      }
      const decision = decideRollout(plan, state, views, await this.rollouts.approvedWaves(id!), Date.now());
      for (const action of decision.actions) {
        const generation = await this.rollouts.setDesired(manager, bundle.id, action.clusterId, action.hash, bundle.deletionPolicy);
        if (generation === undefined) continue;
        if (action.kind === 'admit') recordAdmission(decision.state, action.clusterId, generation, Date.now());
        else recordRollback(decision.state, action.clusterId, generation, Date.now());
        touched.add(action.clusterId);
      }
      for (const event of decision.events) this.logger.log(`rollout ${id} of ${bundle.name}: ${event}`);
      // Any change counts, a bake clock started included: it must survive the next tick and a restart.
      if (JSON.stringify(decision.state) !== JSON.stringify(state)) await this.rollouts.save(manager, id!, decision.state);
    });
    this.desiredEvents.emit(touched);
  }
}
