import { ArgsType, Field, GraphQLISODateTime } from '@nestjs/graphql';
import { PageArgs } from '../../graphql/pagination.js';

@ArgsType()
export class EventsArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: 'Only events of this kind (e.g. drift.detected).' })
  kind?: string | null;

  @Field(() => String, { nullable: true, description: 'Only events of this subject or below it: "bundle/web" also matches "bundle/web/cluster/prod-1".' })
  subject?: string | null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'Only events recorded at or after this time.' })
  since?: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'Only events recorded before this time.' })
  until?: Date | null;
}
