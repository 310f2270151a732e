import { Injectable, Logger } from '@nestjs/common';
import { RenderError, type ClusterFacts } from '@flotilla/render';
import { DataSource } from 'typeorm';
import { RenderedContentStore } from '../bundle-deployments/rendered-content.store.js';
import { BundleCatalog } from '../target-state/bundle-catalog.service.js';
import { RenderPoolProvider } from '../target-state/render-pool.provider.js';

/** What a newcomer to a pinned bundle gets: the last good revision rendered for it. */
export interface LastGoodRender {
  readonly clusterId: string;
  readonly hash: string;
  readonly revision: string;
}

const RETRY_FAILED_MS = 30_000;

/**
 * Renders a bundle's last good revision for clusters that join while the bundle is pinned after a
 * rollback (design.md §7): they must get what the rest of the fleet runs, never the failed content
 * their target points at. The render is stored content-addressed like every other.
 */
@Injectable()
export class LastGoodContent {
  private readonly logger = new Logger(LastGoodContent.name);
  /** Render failures by bundle/revision/cluster, so a broken one is retried slowly, not every tick. */
  private readonly failed = new Map<string, number>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly catalog: BundleCatalog,
    private readonly pool: RenderPoolProvider,
    private readonly contents: RenderedContentStore,
  ) {}

  async render(bundleId: string, bundleName: string, revision: string, clusterIds: readonly string[]): Promise<LastGoodRender[]> {
    const now = Date.now();
    const due = clusterIds.filter((id) => now - (this.failed.get(`${bundleId}/${revision}/${id}`) ?? 0) > RETRY_FAILED_MS);
    if (due.length === 0) return [];
    const prepared = await this.catalog.preparedAt(bundleId, revision);
    if (!prepared) {
      for (const id of due) this.failed.set(`${bundleId}/${revision}/${id}`, now);
      this.logger.error(`bundle "${bundleName}" cannot be prepared at its last good revision ${revision.slice(0, 12)}: clusters joining it get nothing yet`);
      return [];
    }
    const rows: { id: string; name: string; labels: Record<string, string>; vars: Record<string, unknown> }[] = await this.dataSource.query(
      `SELECT id, name, labels, vars FROM clusters WHERE id = ANY($1::uuid[])`,
      [due],
    );
    const renders: LastGoodRender[] = [];
    const fresh: { hash: string; json: string }[] = [];
    for (const row of rows) {
      const facts: ClusterFacts = { name: row.name, labels: row.labels, vars: row.vars };
      try {
        const result = await this.pool.renderSerialized(prepared, facts);
        fresh.push({ hash: result.hash, json: result.json });
        renders.push({ clusterId: row.id, hash: result.hash, revision });
      } catch (error) {
        this.failed.set(`${bundleId}/${revision}/${row.id}`, now);
        const message = error instanceof RenderError ? error.message : (error as Error).message;
        this.logger.error(`bundle "${bundleName}" at its last good revision ${revision.slice(0, 12)} does not render for cluster ${row.name}: ${message}`);
      }
    }
    await this.contents.putMany(fresh);
    return renders;
  }
}
