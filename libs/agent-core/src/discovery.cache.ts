import type { ApiResourceInfo, ClusterClient } from '@flotilla/cluster-client';

/**
 * The cluster's served kinds, read once and re-read when a kind is missing (a CRD established
 * since), so per-object scope lookups cost no request in the steady state.
 */
export class DiscoveryCache {
  private byKind: Map<string, ApiResourceInfo> | undefined;

  constructor(private readonly client: ClusterClient) {}

  /** Whether the kind is namespaced; undefined when the cluster does not serve it even after a refresh. */
  async namespaced(apiVersion: string, kind: string): Promise<boolean | undefined> {
    return (await this.lookup(apiVersion, kind))?.namespaced;
  }

  async lookup(apiVersion: string, kind: string): Promise<ApiResourceInfo | undefined> {
    const key = `${apiVersion}/${kind}`;
    if (!this.byKind?.has(key)) await this.refresh();
    return this.byKind?.get(key);
  }

  async refresh(): Promise<void> {
    const resources = await this.client.discover();
    this.byKind = new Map(resources.map((r) => [`${r.group ? `${r.group}/` : ''}${r.version}/${r.kind}`, r]));
  }
}
