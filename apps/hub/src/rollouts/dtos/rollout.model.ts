import { Field, GraphQLISODateTime, ID, Int, ObjectType } from '@nestjs/graphql';

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
