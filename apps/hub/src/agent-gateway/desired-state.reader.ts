import { Injectable } from '@nestjs/common';
import { DeletionPolicy } from '@flotilla/protocol';
import { DataSource } from 'typeorm';
import { RenderedContentStore } from '../bundle-deployments/rendered-content.store.js';
import { DesiredTemplate, type OutgoingHubMessage } from './hub-message.codec.js';

/** One bundle's admitted state for one cluster: a desired content hash, or a removal. */
export interface DesiredEntry {
  readonly bundleId: string;
  readonly bundle: string;
  readonly generation: bigint;
  readonly hash: string;
  readonly revision: string;
  readonly removal: 'delete' | 'orphan' | null;
  readonly dependsOn: string[];
  readonly suspend: boolean;
}

/** Encoded Desired templates kept: many clusters share a render, and a fan-out decrypts and encodes each once. */
const TEMPLATE_CACHE = 2_000;
/** Clusters per query: enough to make a fleet-wide push a handful of statements, small enough to keep each quick. */
const CLUSTERS_PER_QUERY = 1_000;

/** Reads what each cluster should hold, and turns it into the messages that deliver it. */
@Injectable()
export class DesiredStateReader {
  private readonly templates = new Map<string, DesiredTemplate>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: RenderedContentStore,
  ) {}

  async forCluster(clusterId: string): Promise<DesiredEntry[]> {
    return (await this.forClusters([clusterId])).get(clusterId)!;
  }

  /**
   * The desired state of many clusters in one query per thousand: a change that reaches the whole fleet costs a
   * few statements instead of one per connected cluster. Every cluster asked about has an entry (empty when it has none).
   */
  async forClusters(clusterIds: readonly string[]): Promise<Map<string, DesiredEntry[]>> {
    const byCluster = new Map<string, DesiredEntry[]>(clusterIds.map((id) => [id, []]));
    for (let offset = 0; offset < clusterIds.length; offset += CLUSTERS_PER_QUERY) {
      const rows: Record<string, unknown>[] = await this.dataSource.query(
        `SELECT d.cluster_id, d.bundle_id, b.name, d.desired_generation::text AS generation, d.desired_hash, d.desired_revision, d.removal,
                coalesce(b.good_spec->'dependsOn', '[]'::jsonb) AS depends_on, coalesce((b.good_spec->>'suspend')::boolean, false)
                  OR EXISTS (SELECT 1 FROM bundle_suspensions s WHERE s.bundle_name = b.name AND (s.cluster_id IS NULL OR s.cluster_id = d.cluster_id)) AS suspend
           FROM bundle_deployments d JOIN bundles b ON b.id = d.bundle_id
          WHERE d.cluster_id = ANY($1::uuid[]) AND d.desired_generation IS NOT NULL AND d.desired_hash IS NOT NULL`,
        [clusterIds.slice(offset, offset + CLUSTERS_PER_QUERY)],
      );
      for (const row of rows) {
        byCluster.get(String(row.cluster_id))?.push({
          bundleId: String(row.bundle_id),
          bundle: row.name as string,
          generation: BigInt(row.generation as string),
          hash: row.desired_hash as string,
          revision: (row.desired_revision as string | null) ?? '',
          removal: (row.removal as DesiredEntry['removal']) ?? null,
          dependsOn: row.depends_on as string[],
          suspend: row.suspend as boolean,
        });
      }
    }
    return byCluster;
  }

  /**
   * Makes sure no generation the hub issues from now on is at or below `generation` (an agent
   * reported it: the database may have been restored from an older backup).
   */
  async raiseGenerationFloor(generation: bigint): Promise<void> {
    await this.dataSource.query(
      `SELECT setval('flotilla_generation_seq', GREATEST($1::bigint, (SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM flotilla_generation_seq)), true)`,
      [generation.toString()],
    );
  }

  /** Gives a row a fresh generation (it must be re-sent above what the agent holds). */
  async reissue(entry: DesiredEntry, clusterId: string): Promise<DesiredEntry> {
    const [rows] = (await this.dataSource.query(
      `UPDATE bundle_deployments SET desired_generation = nextval('flotilla_generation_seq'), updated_at = now()
        WHERE bundle_id = $1 AND cluster_id = $2 RETURNING desired_generation::text AS generation`,
      [entry.bundleId, clusterId],
    )) as [{ generation: string }[], number];
    return { ...entry, generation: BigInt(rows[0]!.generation) };
  }

  /**
   * The message that delivers an entry: Remove, or Desired with the stored content — encoded from a
   * template shared by every cluster with the same content, so only the generation is per stream.
   */
  async messageFor(entry: DesiredEntry): Promise<OutgoingHubMessage | undefined> {
    if (entry.removal) {
      return {
        body: {
          $case: 'remove',
          value: {
            bundle: entry.bundle,
            generation: entry.generation,
            deletionPolicy: entry.removal === 'orphan' ? DeletionPolicy.DELETION_POLICY_ORPHAN : DeletionPolicy.DELETION_POLICY_DELETE,
          },
        },
      };
    }
    const key = `${entry.bundle}\0${entry.hash}\0${entry.revision}\0${entry.suspend}\0${entry.dependsOn.join('\0')}`;
    let template = this.templates.get(key);
    if (template === undefined) {
      const contentJson = await this.store.get(entry.hash);
      if (contentJson === undefined) return undefined;
      template = DesiredTemplate.of({ bundle: entry.bundle, hash: entry.hash, revision: entry.revision, contentJson, dependsOn: entry.dependsOn, suspend: entry.suspend });
      if (this.templates.size >= TEMPLATE_CACHE) this.templates.delete(this.templates.keys().next().value!);
      this.templates.set(key, template);
    }
    return template.encode(entry.generation);
  }
}
