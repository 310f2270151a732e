import { Args, ID, Int, Query, Resolver } from '@nestjs/graphql';
import { DataSource } from 'typeorm';
import { InvalidInputException } from '../common/invalid-input.exception.js';
import { BundleDeploymentModel, RenderPreviewModel } from './dtos/bundle-deployment.model.js';
import { PreviewService } from './preview.service.js';

const MAX_PAGE = 5_000;

@Resolver(() => BundleDeploymentModel)
export class BundleDeploymentsResolver {
  constructor(
    private readonly dataSource: DataSource,
    private readonly previews: PreviewService,
  ) {}

  @Query(() => [BundleDeploymentModel], { description: 'Bundle deployments, filtered by bundle and/or cluster name, ordered by bundle then cluster.' })
  async bundleDeployments(
    @Args('bundle', { nullable: true }) bundle?: string,
    @Args('cluster', { nullable: true }) cluster?: string,
    @Args('first', { type: () => Int, defaultValue: 1_000, description: `At most ${MAX_PAGE}.` }) first = 1_000,
  ): Promise<BundleDeploymentModel[]> {
    if (first < 1 || first > MAX_PAGE) throw new InvalidInputException('first', `must be from 1 to ${MAX_PAGE}, got ${first}`);
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT d.id, b.name AS bundle, c.name AS cluster, d.target_hash, d.target_revision, d.desired_hash,
              d.desired_generation::text AS desired_generation, d.desired_revision, d.removal, d.reason, d.updated_at,
              s.acked_generation::text AS acked_generation, s.generation::text AS reported_generation, s.phase, s.health,
              coalesce(s.terminal, false) AS terminal, coalesce(s.drifted_fields, 0) AS drifted_fields, s.reason AS reported_reason, s.observed_at
         FROM bundle_deployments d JOIN bundles b ON b.id = d.bundle_id JOIN clusters c ON c.id = d.cluster_id
         LEFT JOIN bundle_statuses s ON s.bundle_id = d.bundle_id AND s.cluster_id = d.cluster_id
        WHERE ($1::text IS NULL OR b.name = $1) AND ($2::text IS NULL OR c.name = $2)
        ORDER BY b.name, c.name LIMIT $3`,
      [bundle ?? null, cluster ?? null, first],
    );
    return rows.map((row) => ({
      id: String(row.id),
      bundle: row.bundle as string,
      cluster: row.cluster as string,
      targetHash: row.target_hash as string | null,
      targetRevision: row.target_revision as string | null,
      desiredHash: row.desired_hash as string | null,
      desiredGeneration: row.desired_generation as string | null,
      desiredRevision: row.desired_revision as string | null,
      removal: row.removal as string | null,
      reason: row.reason as string | null,
      updatedAt: row.updated_at as Date,
      ackedGeneration: row.acked_generation as string | null,
      reportedGeneration: row.reported_generation as string | null,
      phase: row.phase as string | null,
      health: row.health as string | null,
      terminal: row.terminal as boolean,
      driftedFields: row.drifted_fields as number,
      reportedReason: (row.reported_reason as string | null) || null,
      observedAt: row.observed_at as Date | null,
    }));
  }

  @Query(() => RenderPreviewModel, { description: 'Renders a bundle for a cluster (at its good state, or at a fetched revision) and diffs it against what the cluster is meant to run.' })
  async preview(
    @Args('bundle') bundle: string,
    @Args('cluster') cluster: string,
    @Args('sourceId', { type: () => ID, nullable: true }) sourceId?: string,
    @Args('revision', { nullable: true }) revision?: string,
  ): Promise<RenderPreviewModel> {
    return this.previews.preview(bundle, cluster, sourceId ?? undefined, revision ?? undefined);
  }
}
