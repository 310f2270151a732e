import { Args, Context, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { RequestLoaders } from '../graphql/request-loaders.js';
import type { LabelSelector } from '@flotilla/render';
import { GraphQLJSON } from '../graphql/json.scalar.js';
import type { ClusterEntity } from './cluster.entity.js';
import { ClusterService } from './cluster.service.js';
import { CreateClusterInput, LabelInput, LabelSelectorInput } from './dtos/cluster.inputs.js';
import { ClusterConnectionModel } from './dtos/cluster-connection.model.js';
import { ClusterModel } from './dtos/cluster.model.js';

/** The API model of a cluster: labels as a list sorted by key. */
export function toClusterModel(cluster: ClusterEntity): ClusterModel {
  return {
    ...cluster,
    labels: Object.entries(cluster.labels)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, value]) => ({ key, value })),
  };
}

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

  @Query(() => [ClusterModel], { description: 'Clusters, by name; with a selector, only those it matches.' })
  async clusters(@Args('selector', { type: () => LabelSelectorInput, nullable: true }) selector?: LabelSelectorInput): Promise<ClusterModel[]> {
    return (await this.service.list(selector ? toSelector(selector) : undefined)).map(toClusterModel);
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
