import { Field, GraphQLISODateTime, ID, ObjectType } from '@nestjs/graphql';
import { GraphQLJSON } from '../../graphql/json.scalar.js';

@ObjectType('BundleDeployment', { description: 'One bundle on one cluster: what it should run, and what was admitted for delivery.' })
export class BundleDeploymentModel {
  @Field(() => ID, { description: 'Stable id of this bundle deployment.' })
  id!: string;

  @Field({ description: 'Name of the bundle.' })
  bundle!: string;

  @Field({ description: 'Name of the cluster.' })
  cluster!: string;

  /** Internal: the bundle row, for the bundleNode field (not exposed). */
  bundleId!: string;

  /** Internal: the cluster uid, for the clusterNode field (not exposed). */
  clusterId!: string;

  @Field(() => String, { nullable: true, description: 'Content hash the current revision renders to for this cluster.' })
  targetHash!: string | null;

  @Field(() => String, { nullable: true, description: 'The commit the target was rendered from.' })
  targetRevision!: string | null;

  @Field(() => String, { nullable: true, description: 'Content hash admitted for delivery.' })
  desiredHash!: string | null;

  @Field(() => String, { nullable: true, description: 'Generation of the desired state, from one hub-wide sequence (a 64-bit integer as a string).' })
  desiredGeneration!: string | null;

  @Field(() => String, { nullable: true, description: 'The commit the desired state was rendered from.' })
  desiredRevision!: string | null;

  @Field(() => String, { nullable: true, description: 'delete or orphan when the bundle is leaving this cluster.' })
  removal!: string | null;

  @Field(() => String, { nullable: true, description: 'Why the target could not be updated (render error, conflict), with file and line.' })
  reason!: string | null;

  @Field(() => String, { nullable: true, description: 'Highest generation the agent has persisted (acked).' })
  ackedGeneration!: string | null;

  @Field(() => String, { nullable: true, description: 'Generation the latest reported status is about.' })
  reportedGeneration!: string | null;

  @Field(() => String, { nullable: true, description: 'As reported by the agent: WAITING, APPLYING, APPLIED, FAILED, REMOVING, REMOVED or SUSPENDED.' })
  phase!: string | null;

  @Field(() => String, { nullable: true, description: 'As reported by the agent: HEALTHY, PROGRESSING, DEGRADED or UNKNOWN.' })
  health!: string | null;

  @Field({ description: 'Degraded for good (e.g. a deadline passed), not just for now.' })
  terminal!: boolean;

  @Field({ description: 'Declared fields that differ from the live objects.' })
  driftedFields!: number;

  @Field(() => String, { nullable: true, description: "The agent's reason, when it gave one." })
  reportedReason!: string | null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When the agent observed that status.' })
  observedAt!: Date | null;

  @Field(() => GraphQLISODateTime, { description: 'When target or desired state last changed.' })
  updatedAt!: Date;
}

@ObjectType('RenderPreview', { description: 'What a bundle renders to for a cluster, compared with what the cluster is meant to run now.' })
export class RenderPreviewModel {
  @Field({ description: 'Name of the bundle.' })
  bundle!: string;

  @Field({ description: 'Name of the cluster.' })
  cluster!: string;

  @Field({ description: 'Whether the bundle targets the cluster at all.' })
  targeted!: boolean;

  @Field(() => String, { nullable: true, description: 'Content hash of the render; null when it failed.' })
  hash!: string | null;

  @Field(() => GraphQLJSON, { nullable: true, description: 'The manifests, in apply order; Secret values are shown as hashes.' })
  manifests!: unknown[] | null;

  @Field(() => String, { nullable: true, description: 'Unified diff (YAML) from the current desired state to this render, Secret values redacted.' })
  diff!: string | null;

  @Field(() => String, { nullable: true, description: 'Why the bundle does not render for this cluster.' })
  error!: string | null;
}
