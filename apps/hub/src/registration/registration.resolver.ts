import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { LabelInput } from '../clusters/dtos/cluster.inputs.js';
import { toClusterModel } from '../clusters/clusters.resolver.js';
import { RequireRole } from '../auth/require-role.decorator.js';
import { RegisteredClusterModel } from './dtos/registered-cluster.model.js';
import { RevokedCertificatesModel } from './dtos/revoked-certificates.model.js';
import { RegistrationService } from './registration.service.js';

@Resolver(() => RegisteredClusterModel)
export class RegistrationResolver {
  constructor(private readonly registration: RegistrationService) {}

  @RequireRole('admin')
  @Mutation(() => RevokedCertificatesModel, {
    description:
      "Revokes a cluster's agent certificate (one serial, or all of the cluster's when omitted): a live stream using it closes at once and later connects with it are refused. The cluster stays registered; its bootstrap tokens expire, and the agent returns with a new token from registerCluster and a new key.",
  })
  async revokeAgentCertificate(
    @Args('cluster', { description: 'The cluster name.' }) cluster: string,
    @Args('serial', { type: () => String, nullable: true, description: 'Hexadecimal serial of one certificate; all when omitted.' }) serial?: string | null,
  ): Promise<RevokedCertificatesModel> {
    const revoked = await this.registration.revokeCertificate(cluster, serial ?? undefined);
    return { cluster: toClusterModel(revoked.cluster), revokedSerials: revoked.revokedSerials, closedStreams: revoked.closedStreams };
  }

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
