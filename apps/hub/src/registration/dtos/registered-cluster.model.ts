import { Field, GraphQLISODateTime, ObjectType } from '@nestjs/graphql';
import { ClusterModel } from '../../clusters/dtos/cluster.model.js';

@ObjectType('RegisteredCluster', { description: 'A cluster ready for its agent: the bootstrap token is shown once, here.' })
export class RegisteredClusterModel {
  @Field(() => ClusterModel, { description: 'The registered cluster.' })
  cluster!: ClusterModel;

  @Field({ description: 'Single-use secret the agent exchanges for its certificate. Shown only now.' })
  bootstrapToken!: string;

  @Field(() => GraphQLISODateTime, { description: 'When the bootstrap token stops working.' })
  bootstrapTokenExpiresAt!: Date;

  @Field({ description: 'YAML to apply in the cluster (`kubectl apply -f -`): namespace, RBAC, the token Secret and the agent Deployment.' })
  installManifest!: string;
}
