import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { LabelInput } from '../clusters/dtos/cluster.inputs.js';
import { toClusterModel } from '../clusters/clusters.resolver.js';
import { RegisteredClusterModel } from './dtos/registered-cluster.model.js';
import { RegistrationService } from './registration.service.js';

@Resolver(() => RegisteredClusterModel)
export class RegistrationResolver {
  constructor(private readonly registration: RegistrationService) {}

  @Mutation(() => RegisteredClusterModel, {
    description: 'Registers a cluster (or an existing one again): a new bootstrap token and the agent install manifest. Earlier unused tokens stop working.',
  })
  async registerCluster(
    @Args('name') name: string,
    @Args('labels', { type: () => [LabelInput], nullable: true, description: 'Replaces the labels when given.' }) labels?: LabelInput[],
  ): Promise<RegisteredClusterModel> {
    const registered = await this.registration.registerCluster(name, labels ?? undefined);
    return {
      cluster: toClusterModel(registered.cluster),
      bootstrapToken: registered.bootstrapToken,
      bootstrapTokenExpiresAt: registered.expiresAt,
      installManifest: registered.installManifest,
    };
  }
}
