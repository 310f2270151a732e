import type { KubeObject } from '@flotilla/cluster-client';
import { BUNDLE_LABEL } from '@flotilla/manifest';
import type { DiscoveryCache } from './discovery.cache.js';
import { describeRef, identityOfRef, isCrd, refOf } from './object-ref.util.js';
import type { DesiredBundle } from './reconciler.types.js';

/** A Desired ready to apply, or why it was refused as a whole (then nothing is applied or pruned). */
export type PreparedDesired = { readonly objects: KubeObject[] } | { readonly invalid: string };

/**
 * Validates a Desired and completes what the hub could not know: the default namespace of
 * namespaced kinds it did not know (found via discovery, or the scope of a CRD in the bundle), no
 * namespace on cluster-scoped kinds, and the bundle label on every object. Any unusable object
 * refuses the whole Desired — a partial one must never look like "these objects left the bundle".
 */
export async function prepareDesired(desired: DesiredBundle, discovery: DiscoveryCache): Promise<PreparedDesired> {
  const crdScopes = new Map<string, boolean>();
  for (const m of desired.manifests) {
    if (!isCrd(m)) continue;
    const spec = (m['spec'] ?? {}) as { group?: string; scope?: string; names?: { kind?: string }; versions?: { name: string }[] };
    for (const v of spec.versions ?? []) crdScopes.set(`${spec.group}/${v.name}/${spec.names?.kind}`, spec.scope !== 'Cluster');
  }
  const seen = new Set<string>();
  const objects: KubeObject[] = [];
  for (const [index, m] of desired.manifests.entries()) {
    if (typeof m?.apiVersion !== 'string' || typeof m.kind !== 'string' || typeof m.metadata?.name !== 'string' || !m.metadata.name) {
      return { invalid: `InvalidDesired: manifest ${index} lacks apiVersion, kind or metadata.name` };
    }
    let namespaced: boolean | undefined;
    try {
      namespaced = crdScopes.get(`${m.apiVersion}/${m.kind}`) ?? (await discovery.namespaced(m.apiVersion, m.kind));
    } catch (err) {
      return { invalid: `DiscoveryFailed: ${(err as Error).message}` };
    }
    if (namespaced === undefined) return { invalid: `InvalidDesired: the cluster does not serve ${m.kind} in ${m.apiVersion} (${describeRef(refOf(m))})` };
    const metadata = { ...m.metadata, labels: { ...(m.metadata.labels ?? {}), [BUNDLE_LABEL]: desired.bundle } };
    if (namespaced) metadata.namespace = metadata.namespace || desired.namespace || 'default';
    else delete metadata.namespace;
    const object = { ...m, metadata };
    const identity = identityOfRef(refOf(object));
    if (seen.has(identity)) return { invalid: `InvalidDesired: ${describeRef(refOf(object))} appears twice` };
    seen.add(identity);
    objects.push(object);
  }
  return { objects };
}
