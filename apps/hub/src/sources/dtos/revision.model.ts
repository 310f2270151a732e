import { Field, GraphQLISODateTime, ID, ObjectType } from '@nestjs/graphql';

@ObjectType('Revision', { description: 'One commit of a source that the hub has fetched.' })
export class RevisionModel {
  @Field(() => ID, { description: 'The revision id, increasing in fetch order.' })
  id!: string;

  @Field(() => ID, { description: 'The source it belongs to.' })
  sourceId!: string;

  @Field({ description: 'The full commit id.' })
  sha!: string;

  @Field({ description: 'The commit author name.' })
  authorName!: string;

  @Field({ description: 'The commit author email.' })
  authorEmail!: string;

  @Field({ description: 'The full commit message.' })
  message!: string;

  @Field(() => GraphQLISODateTime, { description: 'The committer date.' })
  committedAt!: Date;

  @Field(() => GraphQLISODateTime, { description: 'When the hub fetched it.' })
  fetchedAt!: Date;
}
