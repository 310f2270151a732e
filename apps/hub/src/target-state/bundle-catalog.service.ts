import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { TreeSnapshot } from '@flotilla/git';
import {
  CliKustomizeBuilder,
  discoverBundleDirs,
  filesOfBundle,
  prepareBundle,
  RenderError,
  type KustomizeBuilder,
  type PreparedBundle,
} from '@flotilla/render';
import { IsNull, type Repository } from 'typeorm';
import { BundleEntity } from '../bundles/bundle.entity.js';
import { SourceSnapshots } from '../sources/source-snapshots.service.js';

/** The outcome of reading one bundle directory at one revision. */
export type DiscoveredBundle =
  | { readonly name: string; readonly path: string; readonly prepared: PreparedBundle }
  | { readonly name: string; readonly path: string; readonly error: string };

const MAX_CACHED = 2_000;

/**
 * Which bundles each source holds, each with its last good state. Prepared bundles are kept in
 * memory by bundle id and revision; after a restart they are rebuilt from the source's mirror.
 */
@Injectable()
export class BundleCatalog {
  private readonly logger = new Logger(BundleCatalog.name);
  private readonly prepared = new Map<string, { revision: string; prepared: PreparedBundle }>();
  private kustomize: Promise<KustomizeBuilder | undefined> | undefined;

  constructor(
    @InjectRepository(BundleEntity) private readonly bundles: Repository<BundleEntity>,
    private readonly snapshots: SourceSnapshots,
  ) {}

  /** Discovers and prepares every bundle of a snapshot; nothing is stored. */
  async discover(snapshot: TreeSnapshot): Promise<DiscoveredBundle[]> {
    const dirs = discoverBundleDirs(snapshot.files.keys());
    const found: DiscoveredBundle[] = [];
    for (const dir of dirs) found.push(await this.prepareDir(dir, snapshot, dirs));
    const counts = new Map<string, number>();
    for (const bundle of found) counts.set(bundle.name, (counts.get(bundle.name) ?? 0) + 1);
    return found.map((bundle) =>
      (counts.get(bundle.name) ?? 0) > 1
        ? { name: bundle.name, path: bundle.path, error: `bundle name "${bundle.name}" is used by more than one directory (${found.filter((b) => b.name === bundle.name).map((b) => b.path || '.').join(', ')})` }
        : bundle,
    );
  }

  /**
   * Stores what a revision holds: good bundles take the revision as their good state; failed ones
   * keep their last good state and show the error. Returns the stored rows by name.
   */
  async record(sourceId: string, revision: string, discovered: readonly DiscoveredBundle[]): Promise<Map<string, BundleEntity>> {
    for (const bundle of discovered) {
      const good = 'prepared' in bundle;
      await this.bundles.query(
        `INSERT INTO bundles (source_id, name, path, good_revision, good_spec, digest, error, error_revision, removed_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, now())
         ON CONFLICT (source_id, name) DO UPDATE SET
           path = EXCLUDED.path,
           good_revision = COALESCE(EXCLUDED.good_revision, bundles.good_revision),
           good_spec = COALESCE(EXCLUDED.good_spec, bundles.good_spec),
           digest = COALESCE(EXCLUDED.digest, bundles.digest),
           error = EXCLUDED.error, error_revision = EXCLUDED.error_revision, removed_at = NULL, updated_at = now()`,
        [
          sourceId,
          bundle.name,
          bundle.path,
          good ? revision : null,
          good ? JSON.stringify(bundle.prepared.spec) : null,
          good ? bundle.prepared.digest : null,
          good ? null : bundle.error,
          good ? null : revision,
        ],
      );
    }
    const rows = await this.bundles.findBy({ sourceId });
    for (const bundle of discovered) {
      const row = rows.find((r) => r.name === bundle.name);
      if (row && 'prepared' in bundle) this.remember(row.id, revision, bundle.prepared);
    }
    return new Map(rows.map((row) => [row.name, row]));
  }

  async activeBundles(sourceId?: string): Promise<BundleEntity[]> {
    return this.bundles.find({ where: { removedAt: IsNull(), ...(sourceId ? { sourceId } : {}) }, order: { id: 'ASC' } });
  }

  async bundlesOf(sourceId: string): Promise<BundleEntity[]> {
    return this.bundles.find({ where: { sourceId }, order: { id: 'ASC' } });
  }

  /** The prepared good state of a bundle, rebuilt from the mirror when not in memory. */
  async preparedOf(bundle: BundleEntity): Promise<PreparedBundle | undefined> {
    if (!bundle.goodRevision) return undefined;
    const cached = this.prepared.get(bundle.id);
    if (cached?.revision === bundle.goodRevision) return cached.prepared;
    const snapshot = await this.snapshots.read(bundle.sourceId, bundle.goodRevision);
    const rebuilt = await this.prepareDir(bundle.path, snapshot, discoverBundleDirs(snapshot.files.keys()));
    if (!('prepared' in rebuilt)) {
      this.logger.error(`bundle "${bundle.name}" no longer prepares at its good revision ${bundle.goodRevision.slice(0, 12)}: ${rebuilt.error}`);
      return undefined;
    }
    this.remember(bundle.id, bundle.goodRevision, rebuilt.prepared);
    return rebuilt.prepared;
  }

  /**
   * A bundle as it was at an older revision (the last good one a pinned rollout falls back to);
   * undefined when it is unknown or did not prepare then. Not cached: it is needed rarely.
   */
  async preparedAt(bundleId: string, revision: string): Promise<PreparedBundle | undefined> {
    const bundle = await this.bundles.findOneBy({ id: bundleId });
    if (!bundle) return undefined;
    if (bundle.goodRevision === revision) return this.preparedOf(bundle);
    const snapshot = await this.snapshots.read(bundle.sourceId, revision);
    const dirs = discoverBundleDirs(snapshot.files.keys());
    const found = await this.prepareDir(bundle.path, snapshot, dirs);
    return 'prepared' in found && found.name === bundle.name ? found.prepared : undefined;
  }

  private remember(id: string, revision: string, prepared: PreparedBundle): void {
    if (this.prepared.size >= MAX_CACHED) this.prepared.delete(this.prepared.keys().next().value!);
    this.prepared.set(id, { revision, prepared });
  }

  private async prepareDir(dir: string, snapshot: TreeSnapshot, allDirs: readonly string[]): Promise<DiscoveredBundle> {
    const files = filesOfBundle(dir, snapshot.files, allDirs);
    const fallbackName = dir.split('/').at(-1) || 'root';
    try {
      const needsKustomize = [...files.keys()].some((path) => /^(kustomization\.ya?ml|Kustomization)$/.test(path));
      const kustomize = needsKustomize ? await (this.kustomize ??= CliKustomizeBuilder.detect()) : undefined;
      const prepared = await prepareBundle({ dir, files }, { kustomize });
      return { name: prepared.name, path: dir, prepared };
    } catch (error) {
      if (!(error instanceof RenderError)) throw error;
      return { name: nameFromSpec(files.get('flotilla.yaml')) ?? fallbackName, path: dir, error: error.message };
    }
  }
}

/** The name a broken spec declares, when it can be read at all, so its error lands on the right bundle. */
function nameFromSpec(spec: Buffer | undefined): string | undefined {
  const match = spec ? /^name:\s*["']?([a-z0-9]([-a-z0-9]*[a-z0-9])?)["']?\s*$/m.exec(spec.toString('utf8')) : null;
  return match?.[1];
}
