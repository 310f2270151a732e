import { Field, Int, ObjectType } from '@nestjs/graphql';
import { ClusterModel } from '../../clusters/dtos/cluster.model.js';

@ObjectType('RevokedAgentCertificates', { description: "The outcome of revoking a cluster's agent certificate(s)." })
export class RevokedCertificatesModel {
  @Field(() => ClusterModel, { description: 'The cluster whose certificate(s) were revoked; it stays registered.' })
  cluster!: ClusterModel;

  @Field(() => [String], { description: 'Serials revoked by this call (empty when they were already revoked).' })
  revokedSerials!: string[];

  @Field(() => Int, { description: 'Live agent streams closed because they presented a revoked certificate.' })
  closedStreams!: number;
}
