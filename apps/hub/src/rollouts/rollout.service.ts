import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { parseDuration } from '@flotilla/render';
import {
  beginRollback,
  decideRollout,
  recordAdmission,
  recordRollback,
  startRollout,
  TERMINAL_PHASES,
  type ClusterView,
  type RolloutAction,
  type RolloutPlan,
  type RolloutState,
} from '@flotilla/rollout';
import { DataSource, type EntityManager } from 'typeorm';
import { DesiredStateEvents } from '../target-state/desired-state-events.js';
import { LastGoodContent, type LastGoodRender } from './last-good-content.js';
import { RolloutException, RolloutExceptionCode } from './rollout.exception.js';
import { RolloutMetrics } from './rollout.metrics.js';
import { RolloutRepository, type RolloutBundle, type RolloutRecord } from './rollout.repository.js';

const TICK_MS = 250;
/** Phases after which the bundle stays on its last good content until a newer commit or a retry. */
const PINNING = new Set(['RolledBack', 'Failed', 'Aborted']);

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
 * rollout when targets move (new content or removals), supersedes it when the bundle changes
 * again, and carries out each decision — new generations for admitted, removed or rolled-back
 * clusters — in the same transaction that persists the state, so a hub killed at any instant
 * resumes without skipping or repeating a step. Every change, a person's included, runs in one
 * queue, so a person's change and an engine step never overwrite each other.
 */
@Injectable()
export class RolloutService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RolloutService.name);
  private timer?: NodeJS.Timeout;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly rollouts: RolloutRepository,
    private readonly dataSource: DataSource,
    private readonly desiredEvents: DesiredStateEvents,
    private readonly lastGood: LastGoodContent,
    private readonly metrics: RolloutMetrics,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), TICK_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running.catch(() => undefined);
  }

  /** One pass over every bundle with a rollout; never overlaps itself or a person's change. */
  tick(): Promise<void> {
    return this.exclusive(async () => {
      if (this.stopped) return;
      for (const bundle of await this.rollouts.bundlesWithRollouts()) await this.step(bundle);
    }).catch((error: Error) => this.logger.error(`rollout step failed: ${error.stack ?? error.message}`));
  }

  /** Starts a new rollout of the bundle's current content even after a failed one (the explicit retry). */
  async retry(bundle: RolloutBundle): Promise<void> {
    await this.exclusive(() =>
      this.dataSource.transaction(async (manager) => {
        const active = await this.rollouts.active(bundle.id);
        if (active) throw new RolloutException(RolloutExceptionCode.WrongPhase, `a rollout of ${bundle.name} is already running (${active.phase})`);
        const views = await this.rollouts.views(bundle.id, bundle.digest);
        if (!views) throw new RolloutException(RolloutExceptionCode.WrongPhase, `${bundle.name} changed while the retry was asked for: its new content rolls out on its own`);
        const state = startRollout(planOf(bundle.rollout), bundle.name, bundle.revision, views);
        await this.rollouts.insert(manager, bundle.id, bundle.revision, bundle.digest, state);
      }),
    );
    await this.tick();
  }

  /** Pause, resume or abort, by a person. */
  async control(rolloutId: string, change: 'pause' | 'resume' | 'abort'): Promise<RolloutRecord> {
    await this.exclusive(async () => {
      const record = await this.existing(rolloutId);
      const state = structuredClone(record.state);
      if (TERMINAL_PHASES.has(state.phase) || (state.phase === 'RollingBack' && change !== 'abort')) {
        throw new RolloutException(RolloutExceptionCode.WrongPhase, `rollout ${rolloutId} is ${state.phase}: it cannot be ${change}d`);
      }
      if (change === 'pause') state.phase = 'Paused';
      else if (change === 'abort') state.phase = 'Aborted';
      else if (state.phase === 'Paused') state.phase = 'Progressing';
      state.reason = change === 'resume' ? null : `${change}d by a person`;
      await this.dataSource.transaction((manager) => this.rollouts.save(manager, rolloutId, state));
      this.metrics.ended(record.state, state, record.createdAt);
    });
    return (await this.rollouts.get(rolloutId))!;
  }

  /**
   * A person's rollback: every touched cluster gets a new generation with its previous hash, in
   * the transaction that records it. Allowed while the rollout runs, and on the bundle's newest
   * rollout once it succeeded; never twice.
   */
  async rollback(rolloutId: string, by: string): Promise<RolloutRecord> {
    const touched = new Set<string>();
    await this.exclusive(async () => {
      const record = await this.existing(rolloutId);
      const latest = await this.rollouts.latest(record.bundleId);
      const allowed = ['Progressing', 'WaitingForApproval', 'Paused'].includes(record.phase) || (record.phase === 'Succeeded' && latest?.id === record.id);
      if (!allowed || record.state.rolledBackAt !== undefined) {
        throw new RolloutException(
          RolloutExceptionCode.WrongPhase,
          record.phase === 'Succeeded'
            ? `rollout ${rolloutId} succeeded but is not the newest rollout of ${record.state.bundle}: roll back the newest one`
            : `rollout ${rolloutId} is ${record.phase}: it cannot be rolled back`,
        );
      }
      const bundle = (await this.rollouts.bundlesWithRollouts()).find((b) => b.id === record.bundleId);
      const state = structuredClone(record.state);
      state.reason = `rolled back by ${by}`;
      const actions = beginRollback(state, Date.now());
      await this.dataSource.transaction(async (manager) => {
        await this.carryOut(manager, record.bundleId, bundle?.deletionPolicy ?? 'delete', state, actions, touched);
        await this.rollouts.save(manager, rolloutId, state);
      });
      this.logger.warn(`rollout ${rolloutId} of ${state.bundle}: rolled back by ${by} (${actions.length} clusters)`);
    });
    this.desiredEvents.emit(touched);
    return (await this.rollouts.get(rolloutId))!;
  }

  private async existing(rolloutId: string): Promise<RolloutRecord> {
    const record = await this.rollouts.get(rolloutId);
    if (!record) throw new RolloutException(RolloutExceptionCode.NotFound, `no rollout has id ${rolloutId}`);
    return record;
  }

  /** Runs work after everything queued before it; its failure is the caller's, not the queue's. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.running.catch(() => undefined).then(work);
    this.running = run.catch(() => undefined);
    return run;
  }

  private async step(bundle: RolloutBundle): Promise<void> {
    const started = performance.now();
    const plan = planOf(bundle.rollout);
    const views = await this.rollouts.views(bundle.id, bundle.digest);
    // Newer targets than the bundle this tick read: the next tick reads both anew.
    if (!views) return;
    let active = await this.rollouts.active(bundle.id);
    const latest = active && active.digest === bundle.digest ? active : await this.rollouts.latest(bundle.id);
    const pinned = latest && latest.digest === bundle.digest && PINNING.has(latest.phase) ? latest : undefined;
    const pinnedRenders = pinned ? await this.rendersForNewcomers(bundle, pinned, views) : [];
    const touched = new Set<string>();
    let before: RolloutState | undefined;
    let after: RolloutState | undefined;
    let createdAt: Date | undefined;
    await this.dataSource.transaction(async (manager) => {
      if (active && active.digest !== bundle.digest) {
        const superseded: RolloutState = { ...active.state, phase: 'Superseded', reason: `superseded by revision ${bundle.revision.slice(0, 12)}` };
        await this.rollouts.save(manager, active.id, superseded);
        this.metrics.ended(active.state, superseded, active.createdAt);
        this.logger.log(`rollout ${active.id} of ${bundle.name} superseded by ${bundle.revision.slice(0, 12)}`);
        active = undefined;
      }
      let id = active?.id;
      let state = active?.state;
      createdAt = active?.createdAt;
      if (!state) {
        if (pinned) {
          // A failed or rolled-back revision pins the bundle until a newer commit or an explicit retry;
          // clusters that join meanwhile get the last good content.
          for (const render of pinnedRenders) {
            const generation = await this.rollouts.deliverToNewcomer(manager, bundle.id, render.clusterId, render.hash, render.revision);
            if (generation !== undefined) touched.add(render.clusterId);
          }
          return;
        }
        if (!views.some((view) => view.targetHash !== view.desiredHash || view.renderError !== null)) return;
        if (latest && latest.digest === bundle.digest && latest.phase === 'Succeeded') {
          state = latest.state;
          id = latest.id;
          createdAt = latest.createdAt;
        } else {
          state = startRollout(plan, bundle.name, bundle.revision, views);
          if (Object.keys(state.clusters).length === 0) return;
          id = await this.rollouts.insert(manager, bundle.id, bundle.revision, bundle.digest, state);
          createdAt = new Date();
          this.logger.log(`rollout ${id} of ${bundle.name} started at ${bundle.revision.slice(0, 12)} over ${Object.keys(state.clusters).length} clusters`);
        }
      }
      const decision = decideRollout(plan, state, views, await this.rollouts.approvedWaves(id!), Date.now());
      await this.carryOut(manager, bundle.id, bundle.deletionPolicy, decision.state, decision.actions, touched);
      for (const event of decision.events) this.logger.log(`rollout ${id} of ${bundle.name}: ${event}`);
      // Any change counts, a bake clock started included: it must survive the next tick and a restart.
      if (JSON.stringify(decision.state) !== JSON.stringify(state)) await this.rollouts.save(manager, id!, decision.state);
      [before, after] = [state, decision.state];
    });
    if (after) this.metrics.stepped(plan, before, after, createdAt, (performance.now() - started) / 1000);
    this.desiredEvents.emit(touched);
  }

  /** Issues the generations a decision asks for and records each in the state (same transaction). */
  private async carryOut(
    manager: EntityManager,
    bundleId: string,
    deletionPolicy: 'delete' | 'orphan',
    state: RolloutState,
    actions: readonly RolloutAction[],
    touched: Set<string>,
  ): Promise<void> {
    if (actions.length === 0) return;
    const issued = await this.rollouts.setDesiredMany(
      manager,
      bundleId,
      actions.map((action) => ({ clusterId: action.clusterId, hash: action.hash, revision: action.kind === 'rollback' ? action.revision : undefined })),
      deletionPolicy,
    );
    const now = Date.now();
    for (const action of actions) {
      const generation = issued.get(action.clusterId);
      if (generation === undefined) continue;
      if (action.kind === 'admit') recordAdmission(state, action.clusterId, generation, now);
      else recordRollback(state, action.clusterId, generation, now);
      touched.add(action.clusterId);
    }
  }

  /** Clusters that never held the pinned bundle (or had it removed) and are targeted now. */
  private async rendersForNewcomers(bundle: RolloutBundle, pinned: RolloutRecord, views: readonly ClusterView[]): Promise<LastGoodRender[]> {
    const newcomers = views.filter((view) => (view.desiredHash === null || view.removed) && view.targetHash !== null && !view.suspended).map((view) => view.id);
    if (newcomers.length === 0) return [];
    const revision = await this.rollouts.lastGoodRevision(bundle.id, pinned.state);
    if (!revision) return [];
    return this.lastGood.render(bundle.id, bundle.name, revision, newcomers);
  }
}
