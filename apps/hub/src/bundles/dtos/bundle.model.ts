import { Field, GraphQLISODateTime, ID, ObjectType } from '@nestjs/graphql';
import { GraphQLJSON } from '../../graphql/json.scalar.js';

@ObjectType('Bundle', { description: 'A directory of a source holding a flotilla.yaml.' })
export class BundleModel {
  @Field(() => ID, { description: 'Stable id of the bundle.' })
  id!: string;

  @Field(() => ID, { description: 'The source the bundle comes from.' })
  sourceId!: string;

  @Field({ description: 'DNS-1123 name, unique within its source; the value of the flotilla.dev/bundle label.' })
  name!: string;

  @Field({ description: 'The directory in the source ("" for its root).' })
  path!: string;

  @Field(() => String, { nullable: true, description: 'The revision of the last good state: what clusters get while a newer one is broken.' })
  goodRevision!: string | null;

  @Field(() => GraphQLJSON, { nullable: true, description: 'The validated flotilla.yaml of the good state, defaults filled in.' })
  spec!: Record<string, unknown> | null;

  @Field(() => String, { nullable: true, description: 'Why the newest revision could not be used, with file and line.' })
  error!: string | null;

  @Field(() => String, { nullable: true, description: 'The revision the error belongs to.' })
  errorRevision!: string | null;

  @Field({ description: 'Gone from Git; its deployments are being removed.' })
  removed!: boolean;

  @Field(() => GraphQLISODateTime, { description: 'When the bundle record last changed.' })
  updatedAt!: Date;
}
