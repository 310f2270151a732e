import { Field, GraphQLISODateTime, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('ClusterConnection', { description: "The agent's connection to the hub, judged on the hub's clock." })
export class ClusterConnectionModel {
  @Field({ description: 'Connected, or Disconnected (no stream, or silent for three heartbeats).' })
  state!: string;

  @Field(() => GraphQLISODateTime, { nullable: true })
  connectedAt!: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true })
  lastSeenAt!: Date | null;

  @Field(() => String, { nullable: true })
  agentVersion!: string | null;

  @Field(() => Int, { nullable: true })
  protocolVersion!: number | null;

  @Field(() => String, { nullable: true })
  kubernetesVersion!: string | null;
}
