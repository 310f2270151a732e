import { Field, GraphQLISODateTime, ID, ObjectType } from '@nestjs/graphql';
import { GraphQLJSON } from '../../graphql/json.scalar.js';

@ObjectType('BundleDeployment', { description: 'One bundle on one cluster: what it should run, and what was admitted for delivery.' })
export class BundleDeploymentModel {
  @Field(() => ID)
  id!: string;

  @Field()
  bundle!: string;

  @Field()
  cluster!: string;

  @Field(() => String, { nullable: true, description: 'Content hash the current revision renders to for this cluster.' })
  targetHash!: string | null;

  @Field(() => String, { nullable: true })
  targetRevision!: string | null;

  @Field(() => String, { nullable: true, description: 'Content hash admitted for delivery.' })
  desiredHash!: string | null;

  @Field(() => String, { nullable: true, description: 'Generation of the desired state, from one hub-wide sequence (a 64-bit integer as a string).' })
  desiredGeneration!: string | null;

  @Field(() => String, { nullable: true })
  desiredRevision!: string | null;

  @Field(() => String, { nullable: true, description: 'delete or orphan when the bundle is leaving this cluster.' })
  removal!: string | null;

  @Field(() => String, { nullable: true, description: 'Why the target could not be updated (render error, conflict), with file and line.' })
  reason!: string | null;

  @Field(() => GraphQLISODateTime)
  updatedAt!: Date;
}

@ObjectType('RenderPreview', { description: 'What a bundle renders to for a cluster, compared with what the cluster is meant to run now.' })
export class RenderPreviewModel {
  @Field()
  bundle!: string;

  @Field()
  cluster!: string;

  @Field({ description: 'Whether the bundle targets the cluster at all.' })
  targeted!: boolean;

  @Field(() => String, { nullable: true })
  hash!: string | null;

  @Field(() => GraphQLJSON, { nullable: true, description: 'The manifests, in apply order; Secret values are shown as hashes.' })
  manifests!: unknown[] | null;

  @Field(() => String, { nullable: true, description: 'Unified diff (YAML) from the current desired state to this render, Secret values redacted.' })
  diff!: string | null;

  @Field(() => String, { nullable: true, description: 'Why the bundle does not render for this cluster.' })
  error!: string | null;
}
