import { Field, GraphQLISODateTime, ID, ObjectType } from '@nestjs/graphql';
import { GraphQLJSON } from '../../graphql/json.scalar.js';

@ObjectType('Label', { description: 'A Kubernetes-style label.' })
export class LabelModel {
  @Field()
  key!: string;

  @Field()
  value!: string;
}

@ObjectType('Cluster', { description: 'A managed cluster.' })
export class ClusterModel {
  @Field(() => ID, { description: "The cluster's uid: stable for its lifetime, never reused." })
  id!: string;

  @Field({ description: 'Unique DNS-1123 name.' })
  name!: string;

  @Field(() => [LabelModel], { description: 'Labels that bundle targets, overlays and rollout waves select on, sorted by key.' })
  labels!: LabelModel[];

  @Field(() => GraphQLJSON, { description: 'Variables templates read as cluster.vars.' })
  vars!: Record<string, unknown>;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;

  @Field(() => GraphQLISODateTime)
  updatedAt!: Date;
}
