import { Field, GraphQLISODateTime, ID, Int, ObjectType } from '@nestjs/graphql';
import type { ClusterProgress } from '@flotilla/rollout';

@ObjectType('RolloutClusterProgress', { description: "One cluster's progress in a rollout." })
export class RolloutClusterProgressModel {
  @Field(() => ID, { description: 'Id (uid) of the cluster.' })
  clusterId!: string;

  @Field({ description: 'Name of the cluster (its id when the cluster was deleted since).' })
  cluster!: string;

  @Field({ description: 'Pending, Admitted, Done, Failed, RollingBack, RolledBack or RollbackFailed.' })
  state!: string;

  @Field(() => String, { nullable: true, description: 'The generation this rollout issued for it (the rollback generation while rolling back); null until admitted.' })
  generation!: string | null;

  @Field(() => String, { nullable: true, description: 'Why it failed (deadline, terminal Degraded, apply failed, render error); null otherwise.' })
  reason!: string | null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When it entered its state.' })
  since!: Date | null;

  @Field(() => String, { nullable: true, description: 'The content hash before the rollout: what a rollback restores (null: nothing).' })
  previousHash!: string | null;

  @Field(() => String, { nullable: true, description: 'The content hash the rollout delivers (null: the bundle leaves the cluster).' })
  targetHash!: string | null;
}

@ObjectType('RolloutWave', { description: 'Progress of one wave of a rollout.' })
export class RolloutWaveModel {
  @Field({ description: 'Name of the wave, from the bundle’s rollout section.' })
  name!: string;

  @Field(() => Int, { description: 'Clusters in the wave.' })
  clusters!: number;

  @Field(() => Int, { description: 'Not admitted yet.' })
  pending!: number;

  @Field(() => Int, { description: 'Admitted, not yet done.' })
  inProgress!: number;

  @Field(() => Int, { description: 'Reported the new generation Healthy and held it for the bake time.' })
  done!: number;

  @Field(() => Int, { description: 'Failed: deadline, terminal Degraded, apply failed or render error.' })
  failed!: number;

  @Field(() => Int, { description: 'Rolling back, rolled back, or failed to roll back.' })
  rolledBack!: number;

  @Field({ description: 'Pending (not reached), WaitingForApproval, Progressing, Paused, RollingBack, Complete, or the end phase of the rollout where it stopped.' })
  state!: string;

  @Field(() => Int, { description: 'Clusters admitted so far (in progress, done, failed or rolled back).' })
  admitted!: number;

  @Field(() => Int, { description: 'Clusters in the wave (same as clusters).' })
  total!: number;

  @Field({ description: 'A person must approve the wave before it starts.' })
  approvalRequired!: boolean;

  /** Not exposed: what the wave's field resolvers need. */
  rolloutId!: string;
  index!: number;
  progress!: [string, ClusterProgress][];
}

@ObjectType('Rollout', { description: "The move of one bundle's clusters to new content, wave by wave." })
export class RolloutModel {
  @Field(() => ID, { description: 'Id to pass to approve, pause, resume or abort.' })
  id!: string;

  @Field({ description: 'Name of the bundle.' })
  bundle!: string;

  @Field({ description: 'The commit the rollout delivers.' })
  revision!: string;

  @Field({ description: 'Progressing, WaitingForApproval, Paused, RollingBack, Succeeded, RolledBack, Failed, Aborted or Superseded.' })
  phase!: string;

  @Field(() => String, { nullable: true, description: 'Name of the wave being rolled out; null when all are done.' })
  currentWave!: string | null;

  @Field(() => String, { nullable: true, description: 'Why it paused, rolled back, failed or was superseded.' })
  reason!: string | null;

  @Field(() => [RolloutWaveModel], { description: 'Each wave, in order.' })
  waves!: RolloutWaveModel[];

  @Field(() => GraphQLISODateTime, { description: 'When the rollout started.' })
  createdAt!: Date;

  @Field(() => GraphQLISODateTime, { description: 'When its state last changed.' })
  updatedAt!: Date;
}
