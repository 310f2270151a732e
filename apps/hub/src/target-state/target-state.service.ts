import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { isTargeted, renderCacheKey, RenderError, type ClusterFacts, type PreparedBundle } from '@flotilla/render';
import { In, type Repository } from 'typeorm';
import { RenderedContentStore } from '../bundle-deployments/rendered-content.store.js';
import type { BundleEntity } from '../bundles/bundle.entity.js';
import { ClusterEvents } from '../clusters/cluster-events.js';
import { ClusterEntity } from '../clusters/cluster.entity.js';
import { RevisionEvents, type RevisionFetched } from '../sources/revision-events.js';
import { ApprovalsService } from './approvals.service.js';
import { BundleCatalog } from './bundle-catalog.service.js';
import { DesiredStateEvents } from './desired-state-events.js';
import { planTargetState, type PlannedBundle, type RenderOutcome } from './plan-target-state.js';
import { RenderPoolProvider } from './render-pool.provider.js';
import { REMOVED_DIGEST_PREFIX, TargetStateWriter, type BundleTargets } from './target-state.writer.js';

type CachedOutcome = RenderOutcome & { readonly identities?: readonly string[] };

const MAX_CACHED_RENDERS = 100_000;

interface RecomputeScope {
  /** The revision being applied; removals of bundles gone from it are keyed to it. */
  readonly revision?: string;
  readonly gone?: readonly BundleEntity[];
  readonly clusterIds?: readonly string[];
}

/**
 * Keeps every BundleDeployment's target (and, until rollouts exist, desired) state in step with
 * Git and the fleet: after each fetched revision, and after each cluster change. Work is
 * serialized in one queue so that two computations never interleave their writes.
 */
@Injectable()
export class TargetStateService implements OnModuleInit {
  private readonly logger = new Logger(TargetStateService.name);
  private queue: Promise<void> = Promise.resolve();
  private readonly renders = new Map<string, CachedOutcome>();

  constructor(
    private readonly catalog: BundleCatalog,
    private readonly writer: TargetStateWriter,
    private readonly contents: RenderedContentStore,
    private readonly pool: RenderPoolProvider,
    private readonly approvals: ApprovalsService,
    private readonly revisions: RevisionEvents,
    private readonly clusterEvents: ClusterEvents,
    private readonly desiredEvents: DesiredStateEvents,
    @InjectRepository(ClusterEntity) private readonly clusters: Repository<ClusterEntity>,
  ) {}

  onModuleInit(): void {
    // Listeners return once the work is done, so a sync (or a test) can await its effect.
    this.revisions.subscribe((event) => this.enqueue(`revision ${event.sha.slice(0, 12)} of ${event.sourceName}`, () => this.applyRevision(event)));
    this.clusterEvents.subscribe((change) =>
      change.kind === 'deleted' ? undefined : this.enqueue(`cluster ${change.kind}`, () => this.recompute({ clusterIds: [change.clusterId] }).then(() => undefined)),
    );
  }

  /** Runs after everything queued before it; failures are logged, never thrown at the emitter. */
  enqueue(label: string, work: () => Promise<void>): Promise<void> {
    const run = this.queue.then(work).catch((error: Error) => this.logger.error(`target state (${label}) failed: ${error.stack ?? error.message}`));
    this.queue = run;
    return run;
  }

  async applyRevision(event: Pick<RevisionFetched, 'sourceId' | 'sourceName' | 'sha' | 'snapshot'>): Promise<void> {
    const started = performance.now();
    const discovered = await this.catalog.discover(event.snapshot);
    const before = await this.catalog.activeBundles(event.sourceId);
    if (discovered.length === 0 && before.length > 0 && !(await this.approvals.isApproved('empty-revision', event.sourceId, event.sha, null))) {
      await this.approvals.request(
        'empty-revision',
        event.sourceId,
        event.sha,
        null,
        `revision ${event.sha.slice(0, 12)} of source "${event.sourceName}" holds no bundles where the previous one held ${before.length}`,
      );
      return;
    }
    await this.catalog.record(event.sourceId, event.sha, discovered);
    const present = new Set(discovered.map((bundle) => bundle.name));
    const gone = before.filter((bundle) => !present.has(bundle.name));
    const written = await this.recompute({ revision: event.sha, gone });
    this.logger.log(
      `source "${event.sourceName}" at ${event.sha.slice(0, 12)}: ${discovered.length} bundles (${discovered.filter((b) => 'error' in b).length} with errors), ` +
        `${written} deployments changed in ${Math.round(performance.now() - started)} ms`,
    );
  }

  /**
   * Recomputes every active bundle (of every source, so that two sources rendering the same object
   * for a cluster are caught) for the clusters in scope; returns how many rows it wrote. Unchanged
   * bundles cost a cache lookup per cluster, not a render.
   */
  async recompute(scope: RecomputeScope): Promise<number> {
    const bundles = await this.catalog.activeBundles();
    const clusters = scope.clusterIds ? await this.clusters.findBy({ id: In([...scope.clusterIds]) }) : await this.clusters.find();
    const gone = new Set((scope.gone ?? []).map((bundle) => bundle.id));

    const outcomes = new Map<string, Map<string, CachedOutcome>>();
    const fresh: { hash: string; json: string }[] = [];
    const planned: PlannedBundle[] = [];
    for (const bundle of bundles) {
      const prepared = gone.has(bundle.id) ? undefined : await this.catalog.preparedOf(bundle);
      if (!gone.has(bundle.id) && !prepared) continue; // never had a good state: nothing to plan
      const revision = gone.has(bundle.id) ? (scope.revision ?? bundle.goodRevision!) : bundle.goodRevision!;
      planned.push({
        id: bundle.id,
        name: bundle.name,
        revision,
        deletionPolicy: deletionPolicyOf(bundle),
        removalApproved: await this.approvals.isApproved('mass-removal', bundle.sourceId, revision, bundle.name),
        admission: (bundle.goodSpec as { rollout?: unknown } | null)?.rollout ? 'rollout' : 'immediate',
      });
      outcomes.set(bundle.id, prepared ? await this.renderAll(prepared, clusters, fresh) : new Map());
    }
    markConflicts(planned, outcomes);

    const bundleIds = planned.map((bundle) => bundle.id);
    const stored = await this.writer.loadStored(bundleIds, scope.clusterIds);
    const plan = planTargetState(planned, outcomes, stored, await this.writer.activeCounts(bundleIds));
    await this.contents.putMany(fresh);
    // A removal held for approval leaves its bundle as it was: still active, on its old targets.
    const held = new Set(plan.heldRemovals.map((removal) => removal.bundleId));
    const byId = new Map(bundles.map((bundle) => [bundle.id, bundle]));
    const targets: BundleTargets[] = planned.flatMap((bundle) => {
      const { digest, goodSpec } = byId.get(bundle.id)!;
      if (held.has(bundle.id) || digest === null) return [];
      return [{ bundleId: bundle.id, digest: gone.has(bundle.id) ? `${REMOVED_DIGEST_PREFIX}${digest}` : digest, revision: bundle.revision, spec: goodSpec }];
    });
    await this.writer.apply(plan, targets, [...gone].filter((id) => !held.has(id)));
    this.desiredEvents.emit(new Set([...plan.writes.filter((write) => write.bumpGeneration).map((write) => write.clusterId)]));

    for (const removal of plan.heldRemovals) {
      const bundle = planned.find((b) => b.id === removal.bundleId)!;
      const source = byId.get(removal.bundleId)!.sourceId;
      await this.approvals.request(
        'mass-removal',
        source,
        bundle.revision,
        bundle.name,
        `bundle "${bundle.name}" would leave ${removal.removing} of its ${removal.of} clusters (revision ${bundle.revision.slice(0, 12)})`,
      );
    }
    return plan.writes.length + plan.deletes.length;
  }

  /** Renders a bundle for every cluster it targets, once per distinct cache key. */
  private async renderAll(prepared: PreparedBundle, clusters: readonly ClusterEntity[], fresh: { hash: string; json: string }[]): Promise<Map<string, CachedOutcome>> {
    const byCluster = new Map<string, CachedOutcome>();
    const inFlight = new Map<string, Promise<CachedOutcome>>();
    const pending: Promise<void>[] = [];
    for (const cluster of clusters) {
      if (!isTargeted(prepared.spec, cluster.labels)) continue;
      const facts: ClusterFacts = { name: cluster.name, labels: cluster.labels, vars: cluster.vars };
      const key = renderCacheKey(prepared, facts);
      const cached = this.renders.get(key);
      if (cached) {
        byCluster.set(cluster.id, cached);
        continue;
      }
      let render = inFlight.get(key);
      if (!render) {
        render = this.pool.renderSerialized(prepared, facts).then(
          (result): CachedOutcome => {
            fresh.push({ hash: result.hash, json: result.json });
            return this.remember(key, { ok: true, hash: result.hash, identities: result.identities });
          },
          (error: Error): CachedOutcome => this.remember(key, { ok: false, error: error instanceof RenderError ? error.message : `render failed: ${error.message}` }),
        );
        inFlight.set(key, render);
      }
      pending.push(render.then((outcome) => void byCluster.set(cluster.id, outcome)));
    }
    await Promise.all(pending);
    return byCluster;
  }

  private remember(key: string, outcome: CachedOutcome): CachedOutcome {
    if (this.renders.size >= MAX_CACHED_RENDERS) this.renders.delete(this.renders.keys().next().value!);
    this.renders.set(key, outcome);
    return outcome;
  }
}

function deletionPolicyOf(bundle: BundleEntity): 'delete' | 'orphan' {
  const apply = (bundle.goodSpec as { apply?: { deletionPolicy?: string } } | null)?.apply;
  return apply?.deletionPolicy === 'orphan' ? 'orphan' : 'delete';
}

/** Two bundles rendering the same object for one cluster: both get an error there, neither wins. */
function markConflicts(bundles: readonly PlannedBundle[], outcomes: Map<string, Map<string, CachedOutcome>>): void {
  const owners = new Map<string, Map<string, string>>(); // cluster → identity → bundle id
  const conflicts = new Map<string, Map<string, string>>(); // bundle id → cluster → message
  const nameOf = (id: string) => bundles.find((bundle) => bundle.id === id)?.name ?? id;
  for (const [bundleId, byCluster] of outcomes) {
    for (const [clusterId, outcome] of byCluster) {
      if (!outcome.ok || !outcome.identities) continue;
      let seen = owners.get(clusterId);
      if (!seen) owners.set(clusterId, (seen = new Map()));
      for (const identity of outcome.identities) {
        const other = seen.get(identity);
        if (other && other !== bundleId) {
          const [, kind, namespace, name] = identity.split('/');
          const object = `${kind} ${namespace ? `${namespace}/` : ''}${name}`;
          for (const [self, peer] of [[bundleId, other], [other, bundleId]] as const) {
            if (!conflicts.has(self)) conflicts.set(self, new Map());
            conflicts.get(self)!.set(clusterId, `conflict: ${object} is also rendered by bundle "${nameOf(peer)}"`);
          }
        } else seen.set(identity, bundleId);
      }
    }
  }
  for (const [bundleId, byCluster] of conflicts) {
    for (const [clusterId, error] of byCluster) outcomes.get(bundleId)!.set(clusterId, { ok: false, error });
  }
}
