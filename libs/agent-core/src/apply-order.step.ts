import type { ClusterClient, KubeObject } from '@flotilla/cluster-client';
import { sortForApply } from '@flotilla/manifest';
import { healthOf } from './health-rules.util.js';
import { isCrd, isNamespace } from './object-ref.util.js';

/** The bundle in apply order, split where the API must catch up: CRDs and Namespaces, then the rest. */
export interface ApplyWaves {
  readonly first: KubeObject[];
  readonly rest: KubeObject[];
}

/** CRDs and Namespaces first (everything else may need them), the rest in render's kind order. */
export function orderForApply(manifests: readonly KubeObject[]): ApplyWaves {
  const sorted = sortForApply(manifests) as KubeObject[];
  return { first: sorted.filter((o) => isCrd(o) || isNamespace(o)), rest: sorted.filter((o) => !isCrd(o) && !isNamespace(o)) };
}

/**
 * Waits until every CRD of the bundle is Established, polling with a deadline; resolves with the
 * names still not established when the deadline passed (empty when all are).
 */
export async function waitForCrdsEstablished(client: ClusterClient, crds: readonly KubeObject[], timeoutMs: number, pollMs = 20): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let pending = crds.filter(isCrd);
  for (;;) {
    const states = await Promise.all(pending.map(async (crd) => ({ crd, live: await client.get({ apiVersion: crd.apiVersion, kind: crd.kind, name: crd.metadata.name }) })));
    pending = states.filter((s) => healthOf(s.live).health !== 'Healthy').map((s) => s.crd);
    if (pending.length === 0 || Date.now() > deadline) return pending.map((c) => c.metadata.name);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
