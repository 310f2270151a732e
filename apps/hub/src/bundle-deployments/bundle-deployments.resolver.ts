import { Args, Context, ID, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { DataSource } from 'typeorm';
import { BundleModel } from '../bundles/dtos/bundle.model.js';
import { toBundleModel } from '../bundles/to-bundle-model.util.js';
import { ClusterModel } from '../clusters/dtos/cluster.model.js';
import { clusterFromRow } from '../clusters/utils/cluster-from-row.util.js';
import { toClusterModel } from '../clusters/utils/to-cluster-model.util.js';
import { PageArgs, pageSize, type Page } from '../graphql/pagination.js';
import type { RequestLoaders } from '../graphql/request-loaders.js';
import { selectBundleDeploymentPage } from './bundle-deployment-rows.query.js';
import { BundleDeploymentPageModel } from './dtos/bundle-deployment-page.model.js';
import { BundleDeploymentModel, RenderPreviewModel } from './dtos/bundle-deployment.model.js';
import { FieldDriftModel, ResourceStatusModel } from './dtos/resource-status.model.js';
import { StatusTransitionPageModel, type StatusTransitionModel } from './dtos/status-transition.model.js';
import { PreviewService } from './preview.service.js';
import { selectStatusHistoryPage } from './status-history.query.js';
import { toResourceStatuses } from './utils/to-resource-statuses.util.js';
import { validateBundleDeploymentFilter } from './utils/validate-bundle-deployment-filter.util.js';

@Resolver(() => BundleDeploymentModel)
export class BundleDeploymentsResolver {
  constructor(
    private readonly dataSource: DataSource,
    private readonly previews: PreviewService,
  ) {}

  @Query(() => BundleDeploymentPageModel, { description: 'A page of bundle deployments, by bundle then cluster, narrowed by every filter given.' })
  async bundleDeployments(
    @Args() page: PageArgs,
    @Args('bundle', { type: () => String, nullable: true, description: 'Only deployments of bundles with this name.' }) bundle?: string | null,
    @Args('cluster', { type: () => String, nullable: true, description: 'Only deployments on the cluster with this name.' }) cluster?: string | null,
    @Args('phase', { type: () => String, nullable: true, description: 'Only this reported phase (e.g. APPLIED, FAILED); NONE: no report yet.' }) phase?: string | null,
    @Args('health', { type: () => String, nullable: true, description: 'Only this reported health (HEALTHY, PROGRESSING, DEGRADED, UNKNOWN); NONE: no report yet.' })
    health?: string | null,
    @Args('drifted', { type: () => Boolean, nullable: true, description: 'Only deployments reporting drift (true) or reporting none (false).' }) drifted?: boolean | null,
    @Args('reason', { type: () => String, nullable: true, description: "Only deployments whose blocking reason or agent's reason contains this text (case-insensitive)." })
    reason?: string | null,
  ): Promise<Page<BundleDeploymentModel>> {
    const first = pageSize(page.first);
    const filter = validateBundleDeploymentFilter({ bundle, cluster, phase, health, drifted, reason });
    return selectBundleDeploymentPage(this.dataSource, filter, first, page.after);
  }

  @ResolveField(() => ClusterModel, { description: 'The cluster this deployment is on (the `cluster` field is its name).' })
  async clusterNode(@Parent() deployment: BundleDeploymentModel, @Context('loaders') loaders: RequestLoaders): Promise<ClusterModel> {
    const row = await loaders.clusters.load(deployment.clusterId);
    // The deployment row references its cluster (ON DELETE CASCADE): a miss is a deletion racing this request.
    if (!row) throw new Error(`cluster ${deployment.cluster} was deleted while this request ran`);
    return toClusterModel(clusterFromRow(row));
  }

  @ResolveField(() => BundleModel, { description: 'The bundle this deployment is of (the `bundle` field is its name).' })
  async bundleNode(@Parent() deployment: BundleDeploymentModel, @Context('loaders') loaders: RequestLoaders): Promise<BundleModel> {
    const row = await loaders.bundles.load(deployment.bundleId);
    if (!row) throw new Error(`bundle ${deployment.bundle} was deleted while this request ran`);
    return toBundleModel(row);
  }

  @ResolveField(() => [ResourceStatusModel], { description: "The bundle's objects on this cluster as its agent last reported them (empty before the first report)." })
  async resources(@Parent() deployment: BundleDeploymentModel, @Context('loaders') loaders: RequestLoaders): Promise<ResourceStatusModel[]> {
    return toResourceStatuses(await loaders.statusResources.load(`${deployment.bundleId}/${deployment.clusterId}`));
  }

  @ResolveField(() => [FieldDriftModel], { description: 'Field-level drift from the latest report: every declared field whose live value differs, object by object.' })
  async drift(@Parent() deployment: BundleDeploymentModel, @Context('loaders') loaders: RequestLoaders): Promise<FieldDriftModel[]> {
    return (await this.resources(deployment, loaders)).flatMap((resource) => resource.drift);
  }

  @ResolveField(() => StatusTransitionPageModel, {
    description: `Every change of this deployment's reported generation, phase or health, newest first; kept for FLOTILLA_STATUS_HISTORY_RETENTION_DAYS.`,
  })
  async history(@Parent() deployment: BundleDeploymentModel, @Args() page: PageArgs): Promise<Page<StatusTransitionModel>> {
    return selectStatusHistoryPage(this.dataSource, deployment.bundleId, deployment.clusterId, pageSize(page.first), page.after);
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
