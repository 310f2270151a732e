import { Injectable } from '@nestjs/common';
import { isTargeted, RenderError, type PreparedBundle } from '@flotilla/render';
import { createTwoFilesPatch } from 'diff';
import { DataSource } from 'typeorm';
import { stringify } from 'yaml';
import { ClusterService } from '../clusters/cluster.service.js';
import { InvalidInputException } from '../common/invalid-input.exception.js';
import { SourceSnapshots } from '../sources/source-snapshots.service.js';
import { BundleCatalog } from '../target-state/bundle-catalog.service.js';
import { RenderPoolProvider } from '../target-state/render-pool.provider.js';
import type { RenderPreviewModel } from './dtos/bundle-deployment.model.js';
import { redactSecretValues } from './redact-secret-values.util.js';
import { RenderedContentStore } from './rendered-content.store.js';

/** Per-cluster preview: what a bundle (at its good state, or at any fetched revision) renders to, and the diff. */
@Injectable()
export class PreviewService {
  constructor(
    private readonly catalog: BundleCatalog,
    private readonly clusters: ClusterService,
    private readonly snapshots: SourceSnapshots,
    private readonly pool: RenderPoolProvider,
    private readonly contents: RenderedContentStore,
    private readonly dataSource: DataSource,
  ) {}

  async preview(bundleName: string, clusterName: string, sourceId?: string, revision?: string): Promise<RenderPreviewModel> {
    const cluster = await this.clusters.getByName(clusterName);
    const candidates = (await this.catalog.activeBundles(sourceId)).filter((bundle) => bundle.name === bundleName);
    if (candidates.length === 0) throw new InvalidInputException('bundle', `no bundle is named "${bundleName.slice(0, 80)}"${sourceId ? ' in that source' : ''}`);
    if (candidates.length > 1) throw new InvalidInputException('sourceId', `several sources hold a bundle "${bundleName}": name the source`);
    const bundle = candidates[0]!;
    const base = { bundle: bundle.name, cluster: cluster.name };

    let prepared: PreparedBundle | undefined;
    if (revision !== undefined) {
      if (!/^[0-9a-f]{40,64}$/.test(revision)) throw new InvalidInputException('revision', 'must be a full commit id the hub has fetched');
      const snapshot = await this.snapshots.read(bundle.sourceId, revision).catch((error: Error) => {
        throw new InvalidInputException('revision', `cannot read ${revision.slice(0, 12)}: ${error.message}`);
      });
      const found = (await this.catalog.discover(snapshot)).find((candidate) => candidate.name === bundle.name);
      if (!found) return { ...base, targeted: false, hash: null, manifests: null, diff: null, error: `revision ${revision.slice(0, 12)} has no bundle "${bundle.name}"` };
      if ('error' in found) return { ...base, targeted: false, hash: null, manifests: null, diff: null, error: found.error };
      prepared = found.prepared;
    } else {
      prepared = await this.catalog.preparedOf(bundle);
      if (!prepared) return { ...base, targeted: false, hash: null, manifests: null, diff: null, error: bundle.error ?? 'the bundle has no good state yet' };
    }

    const targeted = isTargeted(prepared.spec, cluster.labels);
    let rendered;
    try {
      rendered = await this.pool.render(prepared, { name: cluster.name, labels: cluster.labels, vars: cluster.vars });
    } catch (error) {
      if (error instanceof RenderError) return { ...base, targeted, hash: null, manifests: null, diff: null, error: error.message };
      throw error;
    }
    const shown = redactSecretValues(rendered.manifests);
    const rows: { desired_hash: string | null }[] = await this.dataSource.query(
      'SELECT desired_hash FROM bundle_deployments WHERE bundle_id = $1 AND cluster_id = $2',
      [bundle.id, cluster.id],
    );
    const desiredJson = rows[0]?.desired_hash ? await this.contents.get(rows[0].desired_hash) : undefined;
    const current = desiredJson ? redactSecretValues((JSON.parse(desiredJson) as { manifests: unknown[] }).manifests) : [];
    const diff = createTwoFilesPatch('desired', 'preview', toYaml(current), toYaml(shown), rows[0]?.desired_hash ?? '(nothing desired)', rendered.hash);
    return { ...base, targeted, hash: rendered.hash, manifests: shown, diff, error: null };
  }
}

function toYaml(manifests: readonly unknown[]): string {
  return manifests.map((manifest) => stringify(manifest, { lineWidth: 0, sortMapEntries: true })).join('---\n');
}
