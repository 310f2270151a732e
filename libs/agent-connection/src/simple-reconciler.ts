import type { ClusterClient, KubeObject as ClusterObject } from '@flotilla/cluster-client';
import { BUNDLE_LABEL, groupOf, type KubeObject } from '@flotilla/manifest';
import type { BundleReport, DesiredBundle, Reconciler, RemovedBundle, ResourceReport } from './reconciler.js';

/** The field manager every Flotilla apply uses. */
export const FIELD_MANAGER = 'flotilla';

/**
 * Lets I/O callbacks run between two calls to the cluster. An in-memory cluster answers in
 * microtasks only, so without this one agent's whole bundle would run before any other agent of a
 * simulated fleet could even persist and ack what it received; a real cluster is reached over the
 * network, which yields the same way.
 */
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

type Work = { readonly kind: 'desired'; readonly bundle: DesiredBundle } | { readonly kind: 'remove'; readonly bundle: RemovedBundle };

/**
 * A minimal Reconciler for simulations and tests (the real one is @flotilla/agent-core): it
 * server-side applies each manifest in order, reports Applied/Healthy or Failed with the reason,
 * and on a Remove with policy delete deletes what it applied for that bundle. No dependsOn gate,
 * prune, drift or health checks. Work for one bundle runs one item at a time; a newer item waiting
 * for a bundle replaces an older waiting one.
 */
export class SimpleReconciler implements Reconciler {
  private readonly listeners = new Set<(report: BundleReport) => void>();
  private readonly current = new Map<string, DesiredBundle>();
  /** What was applied per bundle, for Remove (kept in memory: after a restart the persisted Desired rebuilds it). */
  private readonly inventory = new Map<string, ClusterObject[]>();
  private readonly waiting = new Map<string, Work>();
  private readonly running = new Map<string, Promise<void>>();
  private started = false;

  constructor(private readonly client: ClusterClient) {}

  async start(): Promise<void> {
    this.started = true;
    for (const name of this.waiting.keys()) this.run(name);
  }

  async stop(): Promise<void> {
    this.started = false;
    this.waiting.clear();
    await Promise.all(this.running.values());
  }

  onReport(listener: (r: BundleReport) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  desired(bundle: DesiredBundle): void {
    this.current.set(bundle.bundle, bundle);
    this.schedule({ kind: 'desired', bundle });
  }

  remove(bundle: RemovedBundle): void {
    this.current.delete(bundle.bundle);
    this.schedule({ kind: 'remove', bundle });
  }

  syncNow(bundle?: string): void {
    for (const desired of this.current.values()) if (bundle === undefined || desired.bundle === bundle) this.schedule({ kind: 'desired', bundle: desired });
  }

  /**
   * Sends a report as if a reconcile had produced it. Simulations use it to load the hub's status
   * ingestion with real reports (e.g. a health change of an applied bundle) without a workload.
   */
  publish(value: BundleReport): void {
    this.emit(value);
  }

  /** Work handed over before start() waits for it. */
  private schedule(work: Work): void {
    this.waiting.set(work.bundle.bundle, work);
    if (this.started) this.run(work.bundle.bundle);
  }

  private run(name: string): void {
    if (this.running.has(name)) return;
    const loop = async (): Promise<void> => {
      for (let next = this.waiting.get(name); next && this.started; next = this.waiting.get(name)) {
        this.waiting.delete(name);
        await (next.kind === 'desired' ? this.apply(next.bundle) : this.delete(next.bundle));
      }
      this.running.delete(name);
    };
    this.running.set(name, loop());
  }

  private async apply(bundle: DesiredBundle): Promise<void> {
    if (bundle.suspend) {
      this.emit(report(bundle.bundle, bundle.generation, 'Suspended', 'Unknown', [], 'the bundle is suspended'));
      return;
    }
    this.emit(report(bundle.bundle, bundle.generation, 'Applying', 'Progressing', [], ''));
    const resources: ResourceReport[] = [];
    const applied: ClusterObject[] = [];
    for (const manifest of bundle.manifests) {
      const object = withBundleLabel(manifest, bundle.bundle);
      await yieldToEventLoop();
      try {
        const before = await this.client.get(keyOf(object));
        const after = await this.client.apply(object, { fieldManager: FIELD_MANAGER, force: bundle.policy.forceConflicts });
        const change = !before ? 'created' : before.metadata.resourceVersion === after.metadata.resourceVersion ? 'unchanged' : 'configured';
        resources.push(resource(object, change, 'Healthy', ''));
        applied.push(object);
      } catch (error) {
        const message = `${describe(object)}: ${(error as Error).message}`;
        resources.push(resource(object, 'skipped', 'Unknown', message));
        this.remember(bundle.bundle, applied);
        this.emit(report(bundle.bundle, bundle.generation, 'Failed', 'Degraded', resources, `apply failed: ${message}`));
        return;
      }
    }
    this.inventory.set(bundle.bundle, applied);
    this.emit(report(bundle.bundle, bundle.generation, 'Applied', 'Healthy', resources, ''));
  }

  private async delete(bundle: RemovedBundle): Promise<void> {
    const objects = this.inventory.get(bundle.bundle) ?? [];
    if (bundle.deletionPolicy === 'orphan') {
      this.inventory.delete(bundle.bundle);
      this.emit(report(bundle.bundle, bundle.generation, 'Removed', 'Healthy', objects.map((o) => resource(o, 'skipped', 'Healthy', 'orphaned')), ''));
      return;
    }
    this.emit(report(bundle.bundle, bundle.generation, 'Removing', 'Progressing', [], ''));
    const resources: ResourceReport[] = [];
    for (const object of [...objects].reverse()) {
      try {
        await this.client.delete(keyOf(object));
        resources.push(resource(object, 'deleted', 'Healthy', ''));
      } catch (error) {
        const message = `${describe(object)}: ${(error as Error).message}`;
        this.emit(report(bundle.bundle, bundle.generation, 'Failed', 'Degraded', [...resources, resource(object, 'skipped', 'Unknown', message)], `delete failed: ${message}`));
        return;
      }
    }
    this.inventory.delete(bundle.bundle);
    this.emit(report(bundle.bundle, bundle.generation, 'Removed', 'Healthy', resources, ''));
  }

  /** After a partial apply the inventory is old ∪ new, so a later Remove still finds everything. */
  private remember(bundle: string, applied: ClusterObject[]): void {
    const known = new Map((this.inventory.get(bundle) ?? []).map((o) => [describe(o), o]));
    for (const object of applied) known.set(describe(object), object);
    this.inventory.set(bundle, [...known.values()]);
  }

  private emit(value: BundleReport): void {
    for (const listener of this.listeners) listener(value);
  }
}

function withBundleLabel(manifest: KubeObject, bundle: string): ClusterObject {
  const metadata = { ...manifest.metadata, labels: { ...manifest.metadata.labels, [BUNDLE_LABEL]: bundle } };
  return { ...manifest, metadata } as ClusterObject;
}

function keyOf(object: ClusterObject): { apiVersion: string; kind: string; name: string; namespace?: string } {
  return { apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name, namespace: object.metadata.namespace };
}

function describe(object: ClusterObject): string {
  return `${object.kind} ${object.metadata.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata.name}`;
}

function resource(object: ClusterObject, change: ResourceReport['change'], health: ResourceReport['health'], message: string): ResourceReport {
  const slash = object.apiVersion.indexOf('/');
  return {
    group: groupOf(object.apiVersion),
    version: slash < 0 ? object.apiVersion : object.apiVersion.slice(slash + 1),
    kind: object.kind,
    namespace: object.metadata.namespace ?? '',
    name: object.metadata.name,
    change,
    health,
    message,
    drift: [],
  };
}

function report(bundle: string, generation: bigint, phase: BundleReport['phase'], health: BundleReport['health'], resources: ResourceReport[], reason: string): BundleReport {
  return { bundle, generation, phase, health, terminal: false, drift: { driftedFields: 0, fighting: false }, resources, reason, observedAt: new Date() };
}
