import type { ClusterClient, KubeObject } from '@flotilla/cluster-client';
import { orderForApply, waitForCrdsEstablished } from './apply-order.step.js';
import type { BundleState } from './bundle-state.js';
import type { CorrectionBackoff } from './correction-backoff.js';
import { dependencyGate } from './dependency-gate.step.js';
import type { DiscoveryCache } from './discovery.cache.js';
import { checkDrift } from './drift-check.step.js';
import { checkHealth } from './health-check.step.js';
import { combinedHealth } from './health-rules.util.js';
import { InventoryUnreadableError, type InventoryStore } from './inventory.store.js';
import { describeRef, groupOfApiVersion, identityOfRef, isCrd, keyOfRef, refOf, versionOfApiVersion, type ObjectRef } from './object-ref.util.js';
import { mapConcurrent } from './map-concurrent.util.js';
import { prepareDesired } from './prepare-desired.step.js';
import { notify } from './reconcile.observer.js';
import { pruneCandidates, pruneObjects } from './prune.step.js';
import type { BundleReport, ResolvedReconcilerOptions, ResourceReport } from './reconciler.types.js';
import { removeBundle } from './remove.step.js';
import { applyObject, ownershipRefusal, type ApplyResult } from './server-side-apply.step.js';

/** What the steps share: the cluster, the options, and a view of the other bundles on this cluster. */
export interface PipelineDeps {
  readonly client: ClusterClient;
  readonly options: ResolvedReconcilerOptions;
  readonly discovery: DiscoveryCache;
  readonly inventory: InventoryStore;
  readonly backoff: CorrectionBackoff;
  readonly reportOf: (bundle: string) => BundleReport | undefined;
  /** The other bundle whose current Desired holds this object, if any. */
  readonly desiredElsewhere: (bundle: string, identity: string) => string | undefined;
  /** Publishes the state's report when it changed. */
  readonly publish: (state: BundleState) => void;
}

/** How a full reconcile ended: `retry` schedules another attempt with backoff. */
export type FullOutcome = 'done' | 'retry' | 'removed';

function resourceOf(ref: ObjectRef, previous?: ResourceReport): ResourceReport {
  return {
    group: groupOfApiVersion(ref.apiVersion),
    version: versionOfApiVersion(ref.apiVersion),
    kind: ref.kind,
    namespace: ref.namespace,
    name: ref.name,
    change: previous?.change ?? 'unchanged',
    health: previous?.health ?? 'Unknown',
    message: previous?.message ?? '',
    drift: previous?.drift ?? [],
  };
}

function fail(state: BundleState, reason: string, terminal: boolean): FullOutcome {
  state.phase = 'Failed';
  state.reason = reason;
  state.terminal = terminal;
  return terminal ? 'done' : 'retry';
}

/**
 * One full reconcile of a bundle, as named steps (design.md §6): remove or suspend → dependsOn gate →
 * prepare (validate, default namespace) → order → inventory old ∪ new → server-side apply → prune →
 * inventory shrunk → health. Reports go out through `deps.publish` as the phase changes.
 */
export async function runFullReconcile(deps: PipelineDeps, state: BundleState): Promise<FullOutcome> {
  const { client, options } = deps;
  const removal = state.removal;
  if (removal) {
    state.generation = removal.generation;
    state.phase = 'Removing';
    state.reason = '';
    deps.publish(state);
    const lastManifests = state.objects.length ? state.objects : (state.desired?.manifests ?? []);
    try {
      const outcome = await removeBundle(
        { client, bundle: state.bundle, inventory: deps.inventory, fieldManager: options.fieldManager, lastManifests, desiredElsewhere: (id) => deps.desiredElsewhere(state.bundle, id) },
        removal.deletionPolicy,
      );
      state.resources = new Map(outcome.touched.map((t) => [identityOfRef(t.ref), { ...resourceOf(t.ref), change: t.change, health: 'Healthy', message: t.message }]));
      if (!outcome.done) {
        state.reason = outcome.reason;
        return 'retry';
      }
    } catch (err) {
      state.reason = err instanceof InventoryUnreadableError ? err.message : `RemoveFailed: ${(err as Error).message}`;
      return 'retry';
    }
    state.phase = 'Removed';
    state.reason = '';
    state.objects = [];
    state.applied = undefined;
    return 'removed';
  }
  const desired = state.desired;
  if (!desired) return 'done';
  state.generation = desired.generation;
  state.terminal = false;
  if (desired.suspend) {
    state.phase = 'Suspended';
    state.reason = 'Suspended: neither applied nor corrected';
    await runHealthCheck(deps, state);
    return 'done';
  }
  const waiting = dependencyGate(desired.dependsOn, deps.reportOf);
  if (waiting) {
    state.phase = 'Waiting';
    state.reason = waiting;
    return 'done';
  }
  if (desired.policy.drift !== 'correct' && state.applied === desired && state.phase === 'Applied') {
    // Applying the same Desired again would undo drift that report/ignore mode must leave in place;
    // a resync then re-checks the drift of every object instead.
    state.unsettled = new Set(state.objects.map((o) => identityOfRef(refOf(o))));
    await runHealthCheck(deps, state);
    return 'done';
  }
  const prepared = await prepareDesired(desired, deps.discovery);
  if ('invalid' in prepared) return fail(state, prepared.invalid, prepared.invalid.startsWith('InvalidDesired'));
  let old: ObjectRef[];
  try {
    old = await deps.inventory.read(desired.bundle);
  } catch (err) {
    return fail(state, (err as Error).message, false);
  }
  const isNewGeneration = state.applied?.generation !== desired.generation;
  state.phase = 'Applying';
  state.reason = '';
  if (isNewGeneration) deps.publish(state);

  const refs = prepared.objects.map(refOf);
  const ctx = {
    client,
    bundle: desired.bundle,
    policy: desired.policy,
    fieldManager: options.fieldManager,
    inventory: new Set(old.map(identityOfRef)),
    desiredElsewhere: (id: string) => deps.desiredElsewhere(desired.bundle, id),
  };
  // Ownership first: objects that are not ours (another bundle's, unowned without adopt) never enter the inventory.
  const known = new Map<string, { live: KubeObject | undefined }>();
  const refused = new Map<string, ApplyResult>();
  // A read that failed is not "absent": that object is read again (and its error reported) when applied.
  const reads = await mapConcurrent(prepared.objects, options.concurrency, (object) =>
    client.get(keyOfRef(refOf(object))).then(
      (live) => ({ live }),
      () => undefined,
    ),
  );
  prepared.objects.forEach((object, index) => {
    const id = identityOfRef(refOf(object));
    const read = reads[index];
    if (read) known.set(id, read);
    const refusal = ownershipRefusal(ctx, object, read?.live);
    if (refusal) refused.set(id, refusal);
  });
  try {
    await deps.inventory.write(desired.bundle, desired.generation, [...old, ...refs.filter((r) => !refused.has(identityOfRef(r)))]);
  } catch (err) {
    return fail(state, `InventoryWriteFailed: ${(err as Error).message}`, false);
  }
  const applyOne = (object: KubeObject): Promise<ApplyResult> => {
    const id = identityOfRef(refOf(object));
    return Promise.resolve(refused.get(id) ?? applyObject(ctx, object, known.get(id)));
  };
  const waves = orderForApply(prepared.objects);
  const results: ApplyResult[] = [];
  for (const object of waves.first) results.push(await applyOne(object));
  const crds = waves.first.filter(isCrd);
  if (crds.length) {
    const notEstablished = await waitForCrdsEstablished(client, crds, options.crdEstablishTimeoutMs);
    if (notEstablished.length) return fail(state, `CRDNotEstablished: ${notEstablished.join(', ')}`, false);
    await deps.discovery.refresh();
  }
  // After CRDs and Namespaces, objects do not depend on each other's apply: a few go at once.
  const rest = await mapConcurrent(waves.rest, options.concurrency, async (object): Promise<ApplyResult> => {
    const id = identityOfRef(refOf(object));
    const collected = object.kind === 'Job' && state.applied?.hash === desired.hash && isFinishedJob(state, id) && !(await client.get(keyOfRef(refOf(object))));
    // Re-creating a Job its TTL collected would run it again: only a new Desired may do that.
    if (collected) return { object, change: 'unchanged', message: 'complete; deleted after finishing (TTL)', outcome: 'applied' };
    return applyOne(object);
  });
  results.push(...rest);

  const previous = state.resources;
  state.resources = new Map(
    results.map((r) => {
      const ref = refOf(r.object);
      const id = identityOfRef(ref);
      return [id, { ...resourceOf(ref, previous.get(id)), change: r.change, message: r.message, drift: [] }];
    }),
  );
  state.notes.clear();
  state.notOurs.clear();
  for (const r of results) {
    const id = identityOfRef(refOf(r.object));
    if (r.message) state.notes.set(id, r.message);
    if (r.outcome === 'owned' || r.outcome === 'unadopted') state.notOurs.add(id);
  }
  state.objects = prepared.objects;
  state.applied = desired;
  const failures = results.filter((r) => r.outcome !== 'applied' && r.outcome !== 'conflict');
  const conflicts = results.filter((r) => r.outcome === 'conflict');

  // Prune only after a complete apply of a non-empty Desired: a partial or empty one never looks like objects leaving.
  if (failures.length === 0 && desired.policy.prune && prepared.objects.length > 0) {
    const pruned = await pruneObjects({ client, bundle: desired.bundle, desiredElsewhere: ctx.desiredElsewhere }, pruneCandidates(old, refs));
    for (const p of pruned) {
      if (p.outcome === 'deleted' || p.outcome === 'pending') state.resources.set(identityOfRef(p.ref), { ...resourceOf(p.ref), change: 'deleted', health: 'Healthy', message: p.message });
    }
    const ours = results.filter((r) => r.outcome !== 'owned' && r.outcome !== 'unadopted').map((r) => refOf(r.object));
    try {
      await deps.inventory.write(desired.bundle, desired.generation, [...ours, ...pruned.filter((p) => p.keepInInventory).map((p) => p.ref)]);
    } catch (err) {
      return fail(state, `InventoryWriteFailed: ${(err as Error).message}`, false);
    }
  }
  let outcome: FullOutcome = 'done';
  if (failures.length) {
    const reason = failures.map((f) => `${f.object.kind} ${f.object.metadata.namespace ? `${f.object.metadata.namespace}/` : ''}${f.object.metadata.name}: ${f.message}`).join('; ');
    const code = failures.every((f) => f.outcome === 'unadopted') ? 'AdoptionRefused' : failures.some((f) => f.outcome === 'owned') ? 'OwnedByOtherBundle' : 'ApplyFailed';
    outcome = fail(state, `${code}: ${reason}`, code === 'AdoptionRefused');
  } else {
    state.phase = 'Applied';
    state.reason = conflicts.length ? `ConflictNotForced: ${conflicts.map((c) => c.message).join('; ')}` : '';
  }
  // What the apply answered is the object as it now is: its health needs no second read.
  const answered = new Map(results.filter((r) => r.outcome === 'applied' && r.live).map((r) => [identityOfRef(refOf(r.object)), r.live!]));
  state.unsettled = new Set(results.filter((r) => r.outcome !== 'applied').map((r) => identityOfRef(refOf(r.object))));
  await runHealthCheck(deps, state, undefined, answered);
  return outcome;
}

/** Re-reads the health of the applied objects (all, or only those named) into the state; `known` objects are not read again. */
export async function runHealthCheck(deps: PipelineDeps, state: BundleState, only?: ReadonlySet<string>, known?: ReadonlyMap<string, KubeObject>): Promise<void> {
  const refs = (state.objects.length ? state.objects : (state.desired?.manifests ?? [])).map(refOf).filter((r) => !only || only.has(identityOfRef(r)));
  const results = await checkHealth(deps.client, refs, state.progressingSince, deps.options.clock(), deps.options.progressDeadlineMs, deps.options.concurrency, known);
  for (const r of results) {
    const id = identityOfRef(r.ref);
    const previous = state.resources.get(id) ?? resourceOf(r.ref);
    if (r.ref.kind === 'Job' && r.health.health === 'Healthy') state.finishedJobs.add(id);
    if (!r.live && isFinishedJob(state, id)) {
      state.resources.set(id, { ...previous, health: 'Healthy', message: 'complete; deleted after finishing (TTL)' });
      continue;
    }
    const message = [state.notes.get(id), r.health.message].filter(Boolean).join('; ');
    state.terminalIds[r.health.health === 'Degraded' && r.health.terminal ? 'add' : 'delete'](id);
    state.resources.set(id, { ...previous, health: r.health.health, message });
  }
  if (state.phase !== 'Failed') state.terminal = state.terminalIds.size > 0;
}

/**
 * Drift of the applied objects (all, or only those named), corrected or reported per the bundle's
 * policy (design.md §6). Returns the objects as read (after a correction, as corrected) by
 * identity, or undefined when there was nothing to check (not applied, suspended, ignore mode, removed).
 */
export async function runDriftCheck(deps: PipelineDeps, state: BundleState, only?: ReadonlySet<string>): Promise<ReadonlyMap<string, KubeObject> | undefined> {
  const desired = state.applied;
  if (!desired || desired.suspend || desired.policy.drift === 'ignore' || state.phase === 'Removed' || state.phase === 'Removing') return undefined;
  const ctx = {
    client: deps.client,
    bundle: desired.bundle,
    policy: desired.policy,
    fieldManager: deps.options.fieldManager,
    inventory: new Set<string>(),
    desiredElsewhere: (id: string) => deps.desiredElsewhere(desired.bundle, id),
    backoff: deps.backoff,
  };
  const conflicts: string[] = [];
  const lives = new Map<string, KubeObject>();
  const checked = state.objects.filter((object) => {
    const id = identityOfRef(refOf(object));
    return (!only || only.has(id)) && !state.notOurs.has(id);
  });
  const outcomes = await mapConcurrent(checked, deps.options.concurrency, (object) =>
    checkDrift({ ...ctx, finishedJob: isFinishedJob(state, identityOfRef(refOf(object))) }, object).then(
      (result) => ({ result }),
      (error: unknown) => ({ error: error as Error }),
    ),
  );
  for (const [index, object] of checked.entries()) {
    const ref = refOf(object);
    const id = identityOfRef(ref);
    const previous = state.resources.get(id) ?? resourceOf(ref);
    const outcome = outcomes[index]!;
    if ('error' in outcome) {
      state.notes.set(id, `drift check failed: ${outcome.error.message}`);
      continue;
    }
    const { result } = outcome;
    if (result.live) lives.set(id, result.live);
    state.fightingIds[result.fighting ? 'add' : 'delete'](id);
    const change = result.correction?.outcome === 'applied' ? result.correction.change : previous.change;
    if (result.message) state.notes.set(id, result.message);
    else state.notes.delete(id);
    if (result.correction?.outcome === 'conflict') conflicts.push(result.correction.message);
    if (result.correction?.outcome === 'applied') notify(deps.options.observer, 'driftCorrected', desired.bundle, describeRef(ref), result.drift.length);
    state.resources.set(id, { ...previous, change, drift: result.drift });
  }
  state.fighting = state.fightingIds.size > 0;
  if (state.phase === 'Applied') state.reason = conflicts.length ? `ConflictNotForced: ${conflicts.join('; ')}` : '';
  return lives;
}

/**
 * A Job seen complete, or one with `ttlSecondsAfterFinished` that this agent applied: once gone it
 * was collected by its TTL (possibly before the agent saw it finish), which is neither drift nor ill health.
 */
function isFinishedJob(state: BundleState, id: string): boolean {
  if (state.finishedJobs.has(id)) return true;
  const object = state.objects.find((o) => o.kind === 'Job' && identityOfRef(refOf(o)) === id);
  const ttl = (object?.['spec'] as { ttlSecondsAfterFinished?: unknown } | undefined)?.ttlSecondsAfterFinished;
  return typeof ttl === 'number' && state.resources.get(id)?.change !== 'skipped';
}

/** The report of a bundle as it stands; Secret values never reach it (drift is redacted at the source). */
export function buildReport(state: BundleState, now: Date): BundleReport {
  const resources = [...state.resources.values()];
  const live = resources.filter((r) => r.change !== 'deleted');
  // Nothing known yet is not "Healthy": a first apply in flight is Progressing, a bundle waiting on another Unknown.
  const empty = live.length === 0;
  const health =
    state.phase === 'Removed' ? 'Healthy' : state.phase === 'Waiting' && empty ? 'Unknown' : state.phase === 'Applying' && empty ? 'Progressing' : combinedHealth(live.map((r) => r.health));
  const driftedFields = resources.reduce((n, r) => n + r.drift.length, 0);
  const firstDegraded = live.find((r) => r.health === 'Degraded');
  const reason = state.reason || (firstDegraded ? `${firstDegraded.kind} ${firstDegraded.namespace ? `${firstDegraded.namespace}/` : ''}${firstDegraded.name}: ${firstDegraded.message}` : '');
  return {
    bundle: state.bundle,
    generation: state.generation,
    phase: state.phase,
    health,
    terminal: state.terminal,
    drift: { driftedFields, fighting: state.fighting },
    resources,
    reason,
    observedAt: now,
  };
}
