import { Field, GraphQLISODateTime, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('CountBy', { description: 'How many things share one value.' })
export class CountByModel {
  @Field({ description: 'The value (a state, phase or health).' })
  value!: string;

  @Field(() => Int, { description: 'How many.' })
  count!: number;
}

@ObjectType('SourceHead', { description: 'The newest revision the hub fetched from a source.' })
export class SourceHeadModel {
  @Field(() => ID, { description: 'Id of the source.' })
  sourceId!: string;

  @Field({ description: 'Name of the source.' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'Commit the source is at; null before the first fetch.' })
  revision!: string | null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When it was fetched.' })
  fetchedAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'The last fetch error, if the last fetch failed.' })
  lastError!: string | null;
}

@ObjectType('FleetSummary', { description: 'The whole fleet in one answer, counted in the database (no per-cluster work).' })
export class FleetSummaryModel {
  @Field(() => Int, { description: 'Registered clusters.' })
  clusters!: number;

  @Field(() => [CountByModel], { description: 'Clusters by connection state (Connected, Disconnected).' })
  clustersByConnection!: CountByModel[];

  @Field(() => Int, { description: 'Bundle deployments (bundle on cluster pairs).' })
  bundleDeployments!: number;

  @Field(() => [CountByModel], { description: 'Bundle deployments by reported phase (NONE before any report).' })
  bundleDeploymentsByPhase!: CountByModel[];

  @Field(() => [CountByModel], { description: 'Bundle deployments by reported health (NONE before any report).' })
  bundleDeploymentsByHealth!: CountByModel[];

  @Field(() => Int, { description: 'Bundle deployments reporting drifted fields.' })
  drifted!: number;

  @Field(() => Int, { description: 'Bundle deployments whose target is ahead of what was admitted.' })
  waitingForAdmission!: number;

  @Field(() => Int, { description: 'Bundle deployments with a reason (render error, conflict).' })
  withErrors!: number;

  @Field(() => [CountByModel], { description: 'Rollouts by phase.' })
  rolloutsByPhase!: CountByModel[];

  @Field(() => Int, { description: 'Changes held by the safety valve, waiting for a person.' })
  pendingApprovals!: number;

  @Field(() => [SourceHeadModel], { description: 'The newest revision of every source.' })
  sources!: SourceHeadModel[];
}
