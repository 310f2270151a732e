import { Field, GraphQLISODateTime, ID, ObjectType } from '@nestjs/graphql';
import { GraphQLJSON } from '../../graphql/json.scalar.js';

@ObjectType('Label', { description: 'A Kubernetes-style label.' })
export class LabelModel {
  @Field({ description: 'Label key, Kubernetes rules (optional DNS prefix, then a name of at most 63 characters).' })
  key!: string;

  @Field({ description: 'Label value, possibly empty.' })
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

  @Field(() => GraphQLISODateTime, { description: 'When the cluster was recorded.' })
  createdAt!: Date;

  @Field(() => GraphQLISODateTime, { description: 'When labels or variables last changed.' })
  updatedAt!: Date;
}
