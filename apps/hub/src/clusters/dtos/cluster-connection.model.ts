import { Field, GraphQLISODateTime, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('AgentConnectionStatus', { description: "The agent's connection to the hub, judged on the hub's clock." })
export class ClusterConnectionModel {
  @Field({ description: 'Connected, or Disconnected (no stream, or silent for three heartbeats).' })
  state!: string;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When the current (or last) stream began.' })
  connectedAt!: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When the hub last heard from the agent.' })
  lastSeenAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Version of the connected agent.' })
  agentVersion!: string | null;

  @Field(() => Int, { nullable: true, description: 'Protocol version the agent speaks.' })
  protocolVersion!: number | null;

  @Field(() => String, { nullable: true, description: 'Version of the cluster\'s Kubernetes API, as the agent reports it.' })
  kubernetesVersion!: string | null;
}
