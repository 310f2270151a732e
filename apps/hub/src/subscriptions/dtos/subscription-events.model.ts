import { Field, GraphQLISODateTime, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('ClusterConnectionEvent', { description: 'A cluster’s agent connected (a new stream) or the cluster became Disconnected.' })
export class ClusterConnectionEventModel {
  @Field(() => ID, { description: 'Id of the event in the timeline.' })
  eventId!: string;

  @Field(() => GraphQLISODateTime, { description: 'When it was recorded.' })
  occurredAt!: Date;

  @Field({ description: 'Name of the cluster.' })
  cluster!: string;

  @Field(() => ID, { description: 'Uid of the cluster.' })
  clusterId!: string;

  @Field({ description: 'Connected or Disconnected.' })
  state!: string;

  @Field(() => String, { nullable: true, description: 'The state before; null for the first connection.' })
  previousState!: string | null;

  @Field(() => String, { nullable: true, description: 'Version the agent reported.' })
  agentVersion!: string | null;
}

@ObjectType('BundleDeploymentEvent', { description: 'What an agent reports for one bundle on one cluster moved: generation, phase or health.' })
export class BundleDeploymentEventModel {
  @Field(() => ID, { description: 'Id of the event in the timeline.' })
  eventId!: string;

  @Field(() => GraphQLISODateTime, { description: 'When it was recorded.' })
  occurredAt!: Date;

  @Field({ description: 'Name of the bundle.' })
  bundle!: string;

  @Field({ description: 'Name of the cluster.' })
  cluster!: string;

  @Field({ description: 'The generation the status is for.' })
  generation!: string;

  @Field(() => String, { nullable: true, description: 'Phase reported (e.g. APPLIED, FAILED).' })
  phase!: string | null;

  @Field(() => String, { nullable: true, description: 'Health reported (e.g. HEALTHY, PROGRESSING, DEGRADED).' })
  health!: string | null;

  @Field({ description: 'Whether a Degraded health is terminal.' })
  terminal!: boolean;

  @Field(() => String, { nullable: true, description: 'The agent’s reason, shortened to 500 characters.' })
  reason!: string | null;

  @Field(() => String, { nullable: true, description: 'The generation reported before; null for the first report.' })
  previousGeneration!: string | null;

  @Field(() => String, { nullable: true, description: 'The phase reported before.' })
  previousPhase!: string | null;

  @Field(() => String, { nullable: true, description: 'The health reported before.' })
  previousHealth!: string | null;
}

@ObjectType('DriftEvent', { description: 'Drift found on (or gone from) one bundle on one cluster, as the agent reported it.' })
export class DriftEventModel {
  @Field(() => ID, { description: 'Id of the event in the timeline.' })
  eventId!: string;

  @Field(() => GraphQLISODateTime, { description: 'When it was recorded.' })
  occurredAt!: Date;

  @Field({ description: 'Name of the bundle.' })
  bundle!: string;

  @Field({ description: 'Name of the cluster.' })
  cluster!: string;

  @Field({ description: 'The generation the status is for.' })
  generation!: string;

  @Field(() => Int, { description: 'Fields that differ from what the bundle declares.' })
  driftedFields!: number;

  @Field({ description: 'Whether the agent keeps correcting the same field (another manager fights it).' })
  fighting!: boolean;

  @Field({ description: 'True when the drift is gone (no drifted fields remain).' })
  cleared!: boolean;

  @Field(() => Int, { nullable: true, description: 'Drifted fields reported before.' })
  previousDriftedFields!: number | null;
}

@ObjectType('RolloutProgressEvent', { description: 'A rollout started, changed phase, or reached a new wave.' })
export class RolloutProgressEventModel {
  @Field(() => ID, { description: 'Id of the event in the timeline.' })
  eventId!: string;

  @Field(() => GraphQLISODateTime, { description: 'When it was recorded.' })
  occurredAt!: Date;

  @Field({ description: 'rollout.started, rollout.phase-changed or rollout.wave-started.' })
  kind!: string;

  @Field(() => ID, { description: 'Id of the rollout.' })
  rolloutId!: string;

  @Field({ description: 'Name of the bundle.' })
  bundle!: string;

  @Field({ description: 'The commit the rollout delivers.' })
  revision!: string;

  @Field({ description: 'Phase of the rollout now.' })
  phase!: string;

  @Field(() => String, { nullable: true, description: 'Phase before this change; null when it started.' })
  previousPhase!: string | null;

  @Field(() => Int, { description: 'Index of the current wave, from 0.' })
  wave!: number;

  @Field(() => String, { nullable: true, description: 'Name of the current wave.' })
  waveName!: string | null;

  @Field(() => String, { nullable: true, description: 'Why it is in this phase (failures, pins), shortened to 500 characters.' })
  reason!: string | null;
}

@ObjectType('RevisionEvent', { description: 'A commit a source’s ref points at was fetched for the first time.' })
export class RevisionEventModel {
  @Field(() => ID, { description: 'Id of the event in the timeline.' })
  eventId!: string;

  @Field(() => GraphQLISODateTime, { description: 'When it was recorded.' })
  occurredAt!: Date;

  @Field(() => ID, { description: 'Id of the source.' })
  sourceId!: string;

  @Field({ description: 'Name of the source.' })
  source!: string;

  @Field({ description: 'Commit sha.' })
  sha!: string;

  @Field({ description: 'Author name, shortened to 200 characters.' })
  author!: string;

  @Field({ description: 'First line of the commit message, shortened to 200 characters.' })
  message!: string;

  @Field(() => GraphQLISODateTime, { description: 'Commit time.' })
  committedAt!: Date;
}
