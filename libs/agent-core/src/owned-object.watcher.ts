import type { ClusterClient, ClusterWatch, ClusterWatchEvent, KubeObject } from '@flotilla/cluster-client';
import { BUNDLE_LABEL } from '@flotilla/manifest';
import { identityOfRef, refOf } from './object-ref.util.js';

/** What an event on an owned object calls for: its health changed, or someone may have changed it (drift). */
export type OwnedObjectSignal = 'health' | 'drift';

/**
 * One watch per kind over every object carrying the bundle label (any bundle, any namespace),
 * routed to the bundle the label names. A change of spec, labels or field ownership, or a
 * deletion, signals `drift`; any other change (status) signals `health`. A watch that ends is
 * opened again (without a resourceVersion: its ADDED events re-sync) and signals drift everywhere.
 */
export class OwnedObjectWatcher {
  private readonly watches = new Map<string, ClusterWatch>();
  private readonly signatures = new Map<string, string>();
  private stopped = false;

  constructor(
    private readonly client: ClusterClient,
    /** `bundle` undefined: every bundle; `identity` undefined: every object of the bundle. */
    private readonly onSignal: (bundle: string | undefined, signal: OwnedObjectSignal, identity?: string) => void,
  ) {}

  /** Makes sure every kind in the list is watched; kinds are never unwatched (cheap, and bundles come back). */
  ensure(kinds: Iterable<{ apiVersion: string; kind: string }>): void {
    for (const { apiVersion, kind } of kinds) {
      const key = `${apiVersion}/${kind}`;
      if (this.stopped || this.watches.has(key)) continue;
      this.open(key, apiVersion, kind);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const all = [...this.watches.values()];
    this.watches.clear();
    all.forEach((w) => w.stop());
    await Promise.all(all.map((w) => w.closed));
  }

  private open(key: string, apiVersion: string, kind: string): void {
    let watch: ClusterWatch;
    try {
      watch = this.client.watch(apiVersion, kind, { labelSelector: BUNDLE_LABEL }, (event) => this.receive(key, event));
    } catch {
      return; // the kind is not served (yet); the next ensure() tries again.
    }
    this.watches.set(key, watch);
    void watch.closed.then(() => {
      if (this.stopped || this.watches.get(key) !== watch) return;
      this.watches.delete(key);
      this.onSignal(undefined, 'drift');
      setTimeout(() => this.ensure([{ apiVersion, kind }]), 100).unref();
    });
  }

  private receive(kindKey: string, event: ClusterWatchEvent): void {
    if (event.type === 'BOOKMARK') return;
    if (event.type === 'ERROR') return; // the watch ends after it; `closed` handles the rest.
    const object = event.object;
    const bundle = object.metadata.labels?.[BUNDLE_LABEL];
    const id = `${kindKey}/${object.metadata.namespace ?? ''}/${object.metadata.name}`;
    const identity = identityOfRef(refOf(object));
    if (event.type === 'DELETED') {
      this.signatures.delete(id);
      this.onSignal(bundle, 'drift', identity);
      return;
    }
    const signature = signatureOf(object);
    const before = this.signatures.get(id);
    this.signatures.set(id, signature);
    this.onSignal(bundle, before !== undefined && before !== signature ? 'drift' : 'health', identity);
  }
}

/** What changes when someone edits an object (spec, labels, annotations, ownership), but not when a controller writes status. */
function signatureOf(object: KubeObject): string {
  const managed = (object.metadata.managedFields ?? []) as { manager?: string; operation?: string; subresource?: string; fieldsV1?: unknown }[];
  const spec = managed.filter((m) => m.subresource !== 'status').map((m) => [m.manager, m.operation, m.fieldsV1]);
  return JSON.stringify([object.metadata.generation, object.metadata.labels, object.metadata.annotations, spec, object['data'], object['stringData']]);
}
