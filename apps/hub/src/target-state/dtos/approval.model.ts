import { Field, GraphQLISODateTime, ID, ObjectType } from '@nestjs/graphql';

@ObjectType('Approval', { description: 'A change the safety valve holds until a person decides: a revision with no bundles, or a bundle leaving most of its clusters.' })
export class ApprovalModel {
  @Field(() => ID, { description: 'Id to pass to approveChange or rejectChange.' })
  id!: string;

  @Field({ description: 'empty-revision or mass-removal.' })
  kind!: string;

  @Field(() => ID, { description: 'The source whose change is held.' })
  sourceId!: string;

  @Field({ description: 'The commit (or bundle good revision) the held change belongs to.' })
  revision!: string;

  @Field(() => String, { nullable: true, description: 'The bundle a mass removal concerns; null for an empty revision.' })
  bundleName!: string | null;

  @Field({ description: 'What would happen, in words.' })
  details!: string;

  @Field(() => GraphQLISODateTime, { description: 'When the change was held.' })
  createdAt!: Date;

  @Field(() => String, { nullable: true, description: 'approved or rejected; null while pending.' })
  decision!: string | null;

  @Field(() => String, { nullable: true, description: 'Name of the API token that decided.' })
  decidedBy!: string | null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When a person decided; null while pending.' })
  decidedAt!: Date | null;
}
