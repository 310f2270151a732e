import { Field, GraphQLISODateTime, ID, ObjectType } from '@nestjs/graphql';

@ObjectType('Approval', { description: 'A change the safety valve holds until a person decides: a revision with no bundles, or a bundle leaving most of its clusters.' })
export class ApprovalModel {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'empty-revision or mass-removal.' })
  kind!: string;

  @Field(() => ID)
  sourceId!: string;

  @Field()
  revision!: string;

  @Field(() => String, { nullable: true })
  bundleName!: string | null;

  @Field({ description: 'What would happen, in words.' })
  details!: string;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;

  @Field(() => String, { nullable: true, description: 'approved or rejected; null while pending.' })
  decision!: string | null;

  @Field(() => String, { nullable: true })
  decidedBy!: string | null;

  @Field(() => GraphQLISODateTime, { nullable: true })
  decidedAt!: Date | null;
}
