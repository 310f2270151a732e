import { Args, Context, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { RequestLoaders } from '../graphql/request-loaders.js';
import type { LabelSelector } from '@flotilla/render';
import { GraphQLJSON } from '../graphql/json.scalar.js';
import { ClusterService } from './cluster.service.js';
import { CreateClusterInput, LabelInput, LabelSelectorInput } from './dtos/cluster.inputs.js';
import { ClusterConnectionModel } from './dtos/cluster-connection.model.js';
import { ClusterModel } from './dtos/cluster.model.js';
import { ClusterPageModel } from './dtos/cluster-page.model.js';
import { BundleDeploymentModel } from '../bundle-deployments/dtos/bundle-deployment.model.js';
import { mapPage, PageArgs, type Page } from '../graphql/pagination.js';
import { toClusterModel } from './utils/to-cluster-model.util.js';

// Other features (registration) map clusters through the resolver's module; the function lives in utils.
export { toClusterModel };

function toSelector(input: LabelSelectorInput): LabelSelector {
  return {
    ...(input.matchLabels ? { matchLabels: Object.fromEntries(input.matchLabels.map((label) => [label.key, label.value])) } : {}),
    ...(input.matchExpressions
      ? {
          matchExpressions: input.matchExpressions.map((req) => ({
            key: req.key,
            operator: req.operator as 'In',
            ...(req.values ? { values: req.values } : {}),
          })),
        }
      : {}),
  };
}

@Resolver(() => ClusterModel)
export class ClustersResolver {
  constructor(private readonly service: ClusterService) {}

  @ResolveField(() => ClusterConnectionModel, { description: "The agent's connection; Disconnected when it never connected." })
  async connection(@Parent() cluster: ClusterModel, @Context('loaders') loaders: RequestLoaders): Promise<ClusterConnectionModel> {
    const row = await loaders.connections.load(cluster.id);
    return {
      state: row?.state ?? 'Disconnected',
      connectedAt: row?.connected_at ?? null,
      lastSeenAt: row?.last_seen_at ?? null,
      agentVersion: row?.agent_version ?? null,
      protocolVersion: row?.protocol_version ?? null,
      kubernetesVersion: row?.kubernetes_version ?? null,
    };
  }

  @ResolveField(() => [BundleDeploymentModel], { description: 'The bundle deployments of this cluster, by bundle name.' })
  async bundleDeployments(@Parent() cluster: ClusterModel, @Context('loaders') loaders: RequestLoaders): Promise<BundleDeploymentModel[]> {
    return loaders.bundleDeploymentsOfCluster.load(cluster.id);
  }

  @Query(() => ClusterPageModel, { description: 'A page of clusters, by name, narrowed by every filter given.' })
  async clusters(
    @Args() page: PageArgs,
    @Args('selector', { type: () => LabelSelectorInput, nullable: true, description: 'Only clusters this label selector matches.' }) selector?: LabelSelectorInput | null,
    @Args('connection', { type: () => String, nullable: true, description: 'Only Connected or only Disconnected clusters (never connected counts as Disconnected).' })
    connection?: string | null,
    @Args('search', { type: () => String, nullable: true, description: 'Only clusters whose name contains this text (case-insensitive).' }) search?: string | null,
    @Context('loaders') loaders?: RequestLoaders,
  ): Promise<Page<ClusterModel>> {
    const result = await this.service.page({ selector: selector ? toSelector(selector) : undefined, connection, search }, page.first, page.after);
    // The page already holds each cluster's connection: the connection field then needs no statement of its own.
    for (const { cluster, connection: row } of result.nodes) loaders?.connections.prime(cluster.id, row);
    return mapPage(result, (listed) => toClusterModel(listed.cluster));
  }

  @Query(() => ClusterModel, { description: 'One cluster by name.' })
  async cluster(@Args('name') name: string): Promise<ClusterModel> {
    return toClusterModel(await this.service.getByName(name));
  }

  @Mutation(() => ClusterModel, { description: 'Records a cluster.' })
  async createCluster(@Args('input') input: CreateClusterInput): Promise<ClusterModel> {
    return toClusterModel(await this.service.create(input.name, input.labels, input.vars ?? {}));
  }

  @Mutation(() => ClusterModel, { description: "Replaces a cluster's labels; its target state follows." })
  async setClusterLabels(@Args('name') name: string, @Args('labels', { type: () => [LabelInput] }) labels: LabelInput[]): Promise<ClusterModel> {
    return toClusterModel(await this.service.setLabels(name, labels));
  }

  @Mutation(() => ClusterModel, { description: "Replaces a cluster's template variables." })
  async setClusterVars(@Args('name') name: string, @Args('vars', { type: () => GraphQLJSON }) vars: Record<string, unknown>): Promise<ClusterModel> {
    return toClusterModel(await this.service.setVars(name, vars));
  }

  @Mutation(() => ClusterModel, { description: 'Deletes a cluster record and its bundle deployments.' })
  async deleteCluster(@Args('name') name: string): Promise<ClusterModel> {
    return toClusterModel(await this.service.delete(name));
  }
}
