import type { ClusterClient } from '@flotilla/cluster-client';
import { BundleState, type PendingWork } from './bundle-state.js';
import { CorrectionBackoff } from './correction-backoff.js';
import { DiscoveryCache } from './discovery.cache.js';
import { InventoryStore } from './inventory.store.js';
import { identityOfRef, refOf } from './object-ref.util.js';
import { OwnedObjectWatcher } from './owned-object.watcher.js';
import { notify, type ReconcileKind } from './reconcile.observer.js';
import { buildReport, runDriftCheck, runFullReconcile, runHealthCheck, type PipelineDeps } from './reconcile-pipeline.js';
import {
  DEFAULT_RECONCILER_OPTIONS,
  type BundleReconcilerOptions,
  type BundleReport,
  type DesiredBundle,
  type Reconciler,
  type RemovedBundle,
  type ResolvedReconcilerOptions,
} from './reconciler.types.js';

/**
 * The agent's reconciling core (design.md §6): a plain class over a ClusterClient. Each bundle has
 * one worker, so a bundle is never reconciled twice at once while bundles proceed independently.
 * It keeps reconciling the last Desired it was given, hub or no hub: failures retry with backoff,
 * owned objects are watched for drift, and a periodic full check catches anything a watch missed.
 */
export class BundleReconciler implements Reconciler {
  private readonly options: ResolvedReconcilerOptions;
  private readonly states = new Map<string, BundleState>();
  private readonly listeners = new Set<(report: BundleReport) => void>();
  private readonly deps: PipelineDeps;
  private readonly watcher: OwnedObjectWatcher;
  private started = false;
  private stopped = false;
  private periodic: NodeJS.Timeout | undefined;

  constructor(client: ClusterClient, options: BundleReconcilerOptions = {}) {
    this.options = { ...DEFAULT_RECONCILER_OPTIONS, ...options };
    this.deps = {
      client,
      options: this.options,
      discovery: new DiscoveryCache(client),
      inventory: new InventoryStore(client, this.options.agentNamespace, this.options.fieldManager),
      backoff: new CorrectionBackoff(this.options.fightThreshold, this.options.fightWindowMs, this.options.clock),
      reportOf: (bundle) => this.states.get(bundle)?.report,
      desiredElsewhere: (bundle, identity) => this.desiredElsewhere(bundle, identity),
      publish: (state) => this.publish(state),
    };
    this.watcher = new OwnedObjectWatcher(client, (bundle, signal, identity) => {
      const names = bundle === undefined ? [...this.states.keys()] : [bundle];
      for (const name of names) {
        if (signal === 'drift') this.scheduleDrift(name, bundle === undefined ? undefined : identity);
        else this.kick(name, 'health', identity);
      }
    });
  }

  desired(bundle: DesiredBundle): void {
    const state = this.stateOf(bundle.bundle);
    if (state.desired && bundle.generation < state.desired.generation) return;
    if (state.removal && bundle.generation <= state.removal.generation) return;
    state.desired = bundle;
    state.removal = undefined;
    this.kick(bundle.bundle, 'full');
  }

  remove(bundle: RemovedBundle): void {
    const state = this.stateOf(bundle.bundle);
    if (state.desired && bundle.generation < state.desired.generation) return;
    if (state.removal && bundle.generation < state.removal.generation) return;
    state.removal = bundle;
    this.kick(bundle.bundle, 'full');
  }

  syncNow(bundle?: string): void {
    for (const name of bundle === undefined ? [...this.states.keys()] : [bundle]) this.kick(name, 'full');
  }

  onReport(listener: (report: BundleReport) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.periodic = setInterval(() => this.states.forEach((_, name) => this.kick(name, 'drift')), this.options.driftIntervalMs);
    this.periodic.unref();
    for (const name of this.states.keys()) this.kick(name, 'full');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.periodic) clearInterval(this.periodic);
    for (const state of this.states.values()) state.clearTimers();
    await this.watcher.stop();
    await Promise.all([...this.states.values()].map((s) => s.running));
  }

  /** The latest report of a bundle, if any (what the connection re-sends after a reconnect). */
  reportOf(bundle: string): BundleReport | undefined {
    return this.states.get(bundle)?.report;
  }

  private stateOf(bundle: string): BundleState {
    let state = this.states.get(bundle);
    if (!state) this.states.set(bundle, (state = new BundleState(bundle)));
    return state;
  }

  private desiredElsewhere(bundle: string, identity: string): string | undefined {
    for (const [name, state] of this.states) {
      if (name === bundle || !state.desired || state.removal) continue;
      const objects = state.applied === state.desired && state.objects.length ? state.objects : state.desired.manifests;
      if (objects.some((o) => identityOfRef(refOf(o)) === identity || identityOfRef({ ...refOf(o), namespace: refOf(o).namespace || 'default' }) === identity)) return name;
    }
    return undefined;
  }

  private scheduleDrift(bundle: string, identity?: string): void {
    const state = this.states.get(bundle);
    if (!state || this.stopped) return;
    addTarget(state, 'drift', identity);
    if (state.driftTimer) return;
    state.driftTimer = setTimeout(() => {
      state.driftTimer = undefined;
      this.kick(bundle, 'drift', undefined, false);
    }, this.options.driftDebounceMs);
  }

  /** Queues work for a bundle's worker; drift and health may name the one object they concern (`identity`). */
  private kick(bundle: string, work: keyof PendingWork, identity?: string, widen = true): void {
    const state = this.states.get(bundle);
    if (!state || !this.started || this.stopped) return;
    if (work !== 'full' && widen) addTarget(state, work, identity);
    state.pending[work] = true;
    state.running ??= this.work(state).finally(() => (state.running = undefined));
  }

  private async work(state: BundleState): Promise<void> {
    // Let callers finish their synchronous burst (several desired() calls) before the first step.
    await Promise.resolve();
    while (!this.stopped) {
      const { pending } = state;
      let pass: { kind: ReconcileKind; started: number } | undefined;
      try {
        if (pending.full) {
          pending.full = pending.health = false;
          takeTargets(state, 'health');
          if (state.retryTimer) clearTimeout(state.retryTimer);
          state.retryTimer = undefined;
          pass = { kind: 'full', started: performance.now() };
          const outcome = await runFullReconcile(this.deps, state);
          this.watcher.ensure(state.objects.map((o) => ({ apiVersion: o.apiVersion, kind: o.kind })));
          this.publish(state);
          this.observed(state, pass, outcome !== 'retry' && state.phase !== 'Failed');
          if (outcome === 'retry') this.retryLater(state);
          else {
            state.retryMs = 0;
            // An object the apply just wrote holds every declared field: only those it could not
            // apply (a conflict not forced, an error) need a drift check now; watches cover the rest.
            if (state.phase === 'Applied' && state.unsettled.size) {
              pending.drift = true;
              for (const id of state.unsettled) addTarget(state, 'drift', id);
            }
          }
        } else if (pending.drift) {
          pending.drift = false;
          const only = takeTargets(state, 'drift');
          pass = { kind: 'drift', started: performance.now() };
          const lives = await runDriftCheck(this.deps, state, only);
          await runHealthCheck(this.deps, state, only, lives);
          this.publish(state);
          // A check that did not run (suspended, ignore mode, removed) is no reconcile to count.
          if (lives) this.observed(state, pass, state.phase !== 'Failed');
        } else if (pending.health) {
          pending.health = false;
          await runHealthCheck(this.deps, state, takeTargets(state, 'health'));
          this.publish(state);
        } else break;
      } catch (err) {
        // A step threw past its own handling (cluster unreachable mid-step): report and retry, never give up.
        state.phase = 'Failed';
        state.reason = `ReconcileError: ${(err as Error).message}`;
        state.terminal = false;
        this.publish(state);
        if (pass) this.observed(state, pass, false);
        this.retryLater(state);
      }
    }
    this.scheduleHealthPoll(state);
  }

  private observed(state: BundleState, pass: { kind: ReconcileKind; started: number }, succeeded: boolean): void {
    if (!state.report) return;
    notify(this.options.observer, 'reconciled', { bundle: state.bundle, kind: pass.kind, succeeded, durationMs: performance.now() - pass.started, report: state.report });
  }

  private retryLater(state: BundleState): void {
    if (this.stopped) return;
    state.retryMs = Math.min(this.options.maxRetryMs, state.retryMs ? state.retryMs * 2 : this.options.retryMs);
    if (state.retryTimer) clearTimeout(state.retryTimer);
    state.retryTimer = setTimeout(() => {
      state.retryTimer = undefined;
      this.kick(state.bundle, 'full');
    }, state.retryMs);
  }

  private scheduleHealthPoll(state: BundleState): void {
    if (this.stopped || state.healthTimer || state.report?.health !== 'Progressing' || state.phase === 'Waiting') return;
    state.healthTimer = setTimeout(() => {
      state.healthTimer = undefined;
      this.kick(state.bundle, 'health');
    }, this.options.healthPollMs);
    state.healthTimer.unref();
  }

  private publish(state: BundleState): void {
    const report = buildReport(state, new Date(this.options.clock()));
    const { observedAt: _at, ...rest } = report;
    const signature = JSON.stringify(rest, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    if (signature === state.lastSignature) return;
    const before = state.report;
    state.lastSignature = signature;
    state.report = report;
    for (const listener of this.listeners) listener(report);
    const nowReady = report.phase === 'Applied' && report.health === 'Healthy';
    const wasReady = before?.phase === 'Applied' && before.health === 'Healthy';
    if (nowReady !== wasReady) {
      // A dependency became ready (or stopped being): bundles waiting on it go again.
      for (const other of this.states.values()) if (other.desired?.dependsOn.includes(state.bundle)) this.kick(other.bundle, 'full');
    }
  }
}

/** Widens a pending check to one more object, or to all (`identity` undefined). */
function addTarget(state: BundleState, work: 'drift' | 'health', identity: string | undefined): void {
  const current = state.targets[work];
  if (current === 'all') return;
  if (identity === undefined) state.targets[work] = 'all';
  else current.add(identity);
}

/** Takes the targets of a check about to run: undefined means every object. */
function takeTargets(state: BundleState, work: 'drift' | 'health'): ReadonlySet<string> | undefined {
  const current = state.targets[work];
  state.targets[work] = new Set();
  return current === 'all' ? undefined : current;
}
